"use strict";
// Shared helpers of deepmine's demo pages (no external libraries).
const DM = {};

DM.sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// POST a JSON object (or a FormData) to the API; retries while a model is being prepared.
DM.api = async function (path, body, method) {
  for (let attempt = 0; attempt < 240; attempt++) {
    const opts = { method: method || "POST" };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.body = JSON.stringify(body);
      opts.headers = { "Content-Type": "application/json" };
    }
    let res, data;
    try {
      res = await fetch(path, opts);
      data = await res.json();
    } catch (e) {
      throw new Error("The server did not answer (is 'deepmine serve' still running?).");
    }
    if (res.status === 503 && (data.preparing || data.busy)) {
      DM.status(data.error);
      await DM.sleep(500);
      continue;
    }
    DM.status("");
    if (!res.ok) throw new Error(data.error || ("Request failed with status " + res.status));
    return data;
  }
  throw new Error("The server stayed busy; try again.");
};

DM.status = function (text) {
  const el = document.getElementById("busy");
  if (el) el.textContent = text || "";
};

DM.error = function (text) {
  const el = document.getElementById("error");
  if (el) el.textContent = text || "";
};

// Paint a 2-D array on a canvas: values in [0, 1] as grey, or signed in [-1, 1] as blue/red.
DM.paint = function (canvas, grid, signed) {
  const h = grid.length, w = grid[0].length;
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const v = grid[i][j], k = 4 * (i * w + j);
    if (signed) {
      const a = Math.min(1, Math.abs(v));
      img.data[k] = v > 0 ? 255 : Math.round(255 * (1 - a));
      img.data[k + 1] = Math.round(255 * (1 - a));
      img.data[k + 2] = v < 0 ? 255 : Math.round(255 * (1 - a));
    } else {
      const g = Math.round(255 * Math.max(0, Math.min(1, v)));
      img.data[k] = img.data[k + 1] = img.data[k + 2] = g;
    }
    img.data[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
};

// Horizontal probability bars; the best one highlighted.
DM.bars = function (el, items, width) {
  el.textContent = "";
  let best = 0;
  items.forEach((d, i) => { if (d.p > items[best].p) best = i; });
  items.forEach((d, i) => {
    const row = document.createElement("div");
    row.className = "bar" + (i === best ? " best" : "");
    const l = document.createElement("span"); l.className = "l"; l.textContent = d.label; l.title = d.label;
    const b = document.createElement("span"); b.className = "b"; b.style.width = Math.round((width || 180) * d.p) + "px";
    const v = document.createElement("span"); v.textContent = (100 * d.p).toFixed(1) + "%";
    row.append(l, b, v);
    el.appendChild(row);
  });
};

// A drawing pad (mouse, pen and touch through pointer events); grid() gives 56x56 ink values.
DM.Sketch = function (canvas, onChange) {
  const ctx = canvas.getContext("2d");
  const N = 56;
  let down = false, last = null, dirty = false;
  const clear = () => {
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height); dirty = false;
  };
  clear();
  ctx.strokeStyle = "#fff"; ctx.lineCap = "round"; ctx.lineJoin = "round";
  ctx.lineWidth = canvas.width / 11;
  const pos = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  };
  const line = (a, b) => {
    ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0] + 0.01, b[1]); ctx.stroke();
    dirty = true;
  };
  canvas.addEventListener("pointerdown", (e) => {
    down = true; last = pos(e); canvas.setPointerCapture(e.pointerId); line(last, last); onChange();
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!down) return;
    const p = pos(e); line(last, p); last = p; onChange(); e.preventDefault();
  });
  const up = () => { if (down) { down = false; onChange(); } };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  return {
    clear: clear,
    drawn: () => dirty,
    grid: function () {
      const off = document.createElement("canvas");
      off.width = N; off.height = N;
      const o = off.getContext("2d");
      o.imageSmoothingEnabled = true;
      o.drawImage(canvas, 0, 0, N, N);
      const px = o.getImageData(0, 0, N, N).data;
      const out = new Array(N * N);
      for (let i = 0; i < N * N; i++) out[i] = Math.round(1000 * px[4 * i] / 255) / 1000;
      return out;
    },
  };
};

// Call fn at most once at a time; while it runs, remember that another call is due.
DM.latest = function (fn) {
  let running = false, again = false;
  const go = async () => {
    if (running) { again = true; return; }
    running = true;
    try { await fn(); } finally {
      running = false;
      if (again) { again = false; go(); }
    }
  };
  return go;
};

DM.svg = function (tag, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const k in attrs) el.setAttribute(k, attrs[k]);
  return el;
};
