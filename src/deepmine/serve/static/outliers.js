"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const cell = (tag, text) => { const c = document.createElement(tag); c.textContent = text; return c; };
  const hist = (h) => {
    const svg = $("hist"); svg.textContent = "";
    const W = 420, H = 240, pad = 30, n = h.counts.length, top = Math.max(...h.counts, 1);
    const lo = h.edges[0], hi = h.edges[n];
    const x = (v) => pad + (W - 2 * pad) * (v - lo) / ((hi - lo) || 1);
    h.counts.forEach((c, i) => {
      const x0 = x(h.edges[i]), x1 = x(h.edges[i + 1]), bh = (H - 2 * pad) * c / top;
      svg.appendChild(DM.svg("rect", { x: x0, y: H - pad - bh, width: Math.max(1, x1 - x0 - 1), height: bh, fill: "#1f6feb", class: "hist-bar" }));
    });
    if (h.threshold !== null && h.threshold >= lo && h.threshold <= hi) {
      svg.appendChild(DM.svg("line", { x1: x(h.threshold), x2: x(h.threshold), y1: pad / 2, y2: H - pad, stroke: "#b42318", "stroke-dasharray": "4 3" }));
    }
    const t0 = DM.svg("text", { x: pad, y: H - 8, "font-size": 11 }); t0.textContent = lo.toFixed(2);
    const t1 = DM.svg("text", { x: W - pad - 30, y: H - 8, "font-size": 11 }); t1.textContent = hi.toFixed(2);
    const t2 = DM.svg("text", { x: 4, y: 14, "font-size": 11 }); t2.textContent = top + " rows";
    svg.append(t0, t1, t2);
  };
  $("score").addEventListener("click", async () => {
    const f = $("csv").files[0];
    if (!f) { DM.error("Choose a CSV file first."); return; }
    const fd = new FormData(); fd.append("file", f);
    $("summary").textContent = "Training the detector on " + f.name + "...";
    let d;
    try { d = await DM.api("/api/outliers", fd); } catch (e) { DM.error(e.message); $("summary").textContent = ""; return; }
    DM.error("");
    $("summary").textContent = d.n_flagged + " of " + d.n_rows + " rows flagged by " + d.how +
      (d.ignored_columns.length ? "; identifier or date column(s) set aside: " + d.ignored_columns.join(", ") : "") + ".";
    const t = $("rows"); t.textContent = "";
    const head = document.createElement("tr");
    ["CSV line", "score", "flagged", "columns that make it unusual (share of the error)"].forEach((h) => head.appendChild(cell("th", h)));
    t.appendChild(head);
    d.rows.forEach((r) => {
      const tr = document.createElement("tr"); tr.className = "outlier-row";
      tr.append(cell("td", r.csv_line), cell("td", r.score.toFixed(3)), cell("td", r.outlier ? "yes" : "no"),
        cell("td", r.shares.map((s) => s.column + " " + Math.round(100 * s.share) + "%").join(", ")));
      t.appendChild(tr);
    });
    hist(d.histogram);
  });
})();
