"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const form = () => {
    const f = $("file").files[0];
    if (!f) throw new Error("Choose an image file first.");
    const fd = new FormData(); fd.append("file", f); return fd;
  };
  const fillClasses = (classes) => {
    if (!classes || $("class").options.length) return;
    classes.forEach((c, i) => { const o = document.createElement("option"); o.value = i; o.textContent = c; $("class").appendChild(o); });
  };
  const classify = async () => {
    try {
      const d = await DM.api("/api/classify", form());
      DM.error(""); $("note").textContent = "Network: " + d.note;
      $("seen").src = d.input;
      DM.bars($("top"), d.top);
      if (d.classes) fillClasses(d.classes);
      else { $("class").textContent = ""; d.top.forEach((t) => { const o = document.createElement("option"); o.value = t.index; o.textContent = t.label; $("class").appendChild(o); }); }
    } catch (e) { DM.error(e.message); }
  };
  $("classify").addEventListener("click", classify);
  $("file").addEventListener("change", classify);
  $("dream").addEventListener("click", async () => {
    try { $("dream-img").alt = "dreaming..."; const d = await DM.api("/api/dream", form()); DM.error(""); $("dream-img").src = d.image; }
    catch (e) { DM.error(e.message); }
  });
  $("prototype").addEventListener("click", async () => {
    try {
      const k = parseInt($("class").value || "0", 10);
      const d = await DM.api("/api/prototype", { class: k });
      DM.error(""); $("proto-img").src = d.image; $("proto-label").textContent = "class " + d.label;
    } catch (e) { DM.error(e.message); }
  });
})();
