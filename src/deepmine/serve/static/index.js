"use strict";
(async function () {
  const el = document.getElementById("status");
  const names = { digits: "Digit pages", words: "Analogy page", image: "Image page", outliers: "Outlier page" };
  for (let i = 0; i < 600; i++) {
    let s;
    try { s = await DM.api("/api/status", undefined, "GET"); } catch (e) { DM.error(e.message); return; }
    el.textContent = "";
    let pending = false;
    for (const key in names) {
      const d = s[key];
      const line = document.createElement("div");
      line.textContent = names[key] + ": " + (d.error ? d.error : d.ready ? d.source : "being prepared...");
      if (!d.ready) pending = true;
      el.appendChild(line);
    }
    if (!pending) return;
    await DM.sleep(1000);
  }
})();
