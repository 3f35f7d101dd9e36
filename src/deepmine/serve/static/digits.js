"use strict";
(function () {
  const pad = DM.Sketch(document.getElementById("pad"), () => update());
  const layers = document.getElementById("layers");
  const toGrid = (flat, h, w) => { const g = []; for (let i = 0; i < h; i++) g.push(flat.slice(i * w, (i + 1) * w)); return g; };
  const update = DM.latest(async function () {
    if (!pad.drawn()) return;
    let d;
    try { d = await DM.api("/api/digit", { pixels: pad.grid() }); } catch (e) { DM.error(e.message); return; }
    DM.error("");
    DM.paint(document.getElementById("seen"), d.input);
    document.getElementById("prediction").textContent = d.prediction;
    DM.bars(document.getElementById("proba"), d.probabilities);
    layers.textContent = "";
    d.conv.forEach((layer, k) => {
      const h2 = document.createElement("h2");
      h2.textContent = "Convolution " + (k + 1) + ": " + layer.shape[0] + " feature maps of " + layer.shape[1] + "x" + layer.shape[2] + " (after the activation)";
      const box = document.createElement("div"); box.className = "fmaps conv-layer";
      layer.maps.forEach((m) => { const c = document.createElement("canvas"); c.className = "fmap"; DM.paint(c, m); box.appendChild(c); });
      layers.append(h2, box);
    });
    d.dense.forEach((layer, k) => {
      const h2 = document.createElement("h2");
      h2.textContent = "Dense layer " + (k + 1) + ": " + layer.units + " units";
      const box = document.createElement("div"); box.className = "dense";
      const c = document.createElement("canvas"); c.className = "dense-layer";
      DM.paint(c, [layer.values]); box.appendChild(c);
      layers.append(h2, box);
    });
  });
  document.getElementById("clear").addEventListener("click", () => {
    pad.clear(); layers.textContent = ""; document.getElementById("prediction").textContent = "\u2013";
    document.getElementById("proba").textContent = ""; DM.error("");
  });
  DM.api("/api/status", undefined, "GET").then((s) => {
    document.getElementById("note").textContent = "Network: " + (s.digits.source || "being prepared...");
  }).catch(() => {});
})();
