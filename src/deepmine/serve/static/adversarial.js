"use strict";
(function () {
  let source = { sample: Math.floor(Math.random() * 1797) };
  const pad = DM.Sketch(document.getElementById("pad"), () => { source = null; });
  const eps = document.getElementById("eps");
  const method = () => document.querySelector("input[name=method]:checked").value;
  const run = DM.latest(async function () {
    const body = { eps: parseFloat(eps.value), method: method() };
    if (source) body.sample = source.sample; else body.pixels = pad.grid();
    let d;
    try { d = await DM.api("/api/attack", body); } catch (e) { DM.error(e.message); return; }
    DM.error("");
    DM.paint(document.getElementById("input"), d.input);
    DM.paint(document.getElementById("perturbation"), d.perturbation.map((r) => r.map((v) => v / Math.max(d.eps, 1e-6))), true);
    DM.paint(document.getElementById("adversarial"), d.adversarial);
    DM.paint(document.getElementById("saliency"), d.saliency);
    document.getElementById("before-pred").textContent = d.before.prediction + (d.label !== null ? " (true label " + d.label + ")" : "");
    document.getElementById("after-pred").textContent = d.after.prediction;
    DM.bars(document.getElementById("before-proba"), d.before.probabilities, 90);
    DM.bars(document.getElementById("after-proba"), d.after.probabilities, 90);
  });
  eps.addEventListener("input", () => { document.getElementById("eps-value").textContent = parseFloat(eps.value).toFixed(2); run(); });
  document.querySelectorAll("input[name=method]").forEach((r) => r.addEventListener("change", run));
  document.getElementById("pad").addEventListener("pointerup", run);
  document.getElementById("clear").addEventListener("click", () => { pad.clear(); source = null; });
  document.getElementById("sample").addEventListener("click", () => {
    pad.clear(); source = { sample: Math.floor(Math.random() * 1797) }; run();
  });
  run();
})();
