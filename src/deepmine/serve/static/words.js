"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const list = (el, items) => {
    el.textContent = "";
    items.forEach((d) => { const li = document.createElement("li"); li.textContent = d.word + "  (" + d.score.toFixed(3) + ")"; el.appendChild(li); });
  };
  const plot = (points, arrows) => {
    const svg = $("plot"); svg.textContent = "";
    const W = 420, H = 320, at = {};
    points.forEach((p) => { at[p.word] = [W / 2 + 0.42 * W * p.x, H / 2 - 0.40 * H * p.y]; });
    arrows.forEach(([u, v]) => {
      if (!at[u] || !at[v]) return;
      svg.appendChild(DM.svg("line", { x1: at[u][0], y1: at[u][1], x2: at[v][0], y2: at[v][1], stroke: "#8c959f", "stroke-width": 1.5 }));
    });
    points.forEach((p, i) => {
      const [x, y] = at[p.word];
      svg.appendChild(DM.svg("circle", { cx: x, cy: y, r: 4, fill: i === 0 ? "#d4a72c" : "#1f6feb" }));
      const t = DM.svg("text", { x: x + 6, y: y - 4, "font-size": 12 }); t.textContent = p.word; svg.appendChild(t);
    });
  };
  const answer = async () => {
    let d;
    try { d = await DM.api("/api/analogy", { a: $("a").value, b: $("b").value, c: $("c").value }); } catch (e) { DM.error(e.message); return; }
    DM.error(""); list($("answers"), d.answers); plot(d.projection, d.arrows);
  };
  const near = async () => {
    let d;
    try { d = await DM.api("/api/neighbours", { word: $("word").value }); } catch (e) { DM.error(e.message); return; }
    DM.error(""); list($("near"), d.neighbours); plot(d.projection, []);
  };
  $("go").addEventListener("click", answer);
  $("near-go").addEventListener("click", near);
  ["a", "b", "c"].forEach((k) => $(k).addEventListener("keydown", (e) => { if (e.key === "Enter") answer(); }));
  $("word").addEventListener("keydown", (e) => { if (e.key === "Enter") near(); });
  DM.api("/api/words", undefined, "GET").then((info) => {
    $("note").textContent = "Vectors: " + info.note + "; " + info.size.toLocaleString() + " words.";
    info.examples.forEach((ex) => {
      const b = document.createElement("button"); b.className = "example";
      b.textContent = ex.a + " : " + ex.b + " :: " + ex.c + " : ?" + (ex.known ? "" : " (words missing here)");
      b.title = "expected: " + ex.expect;
      b.addEventListener("click", () => { $("a").value = ex.a; $("b").value = ex.b; $("c").value = ex.c; answer(); });
      $("examples").appendChild(b);
    });
  }).catch((e) => DM.error(e.message));
})();
