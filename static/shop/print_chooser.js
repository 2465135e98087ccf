/* The print chooser's crop frame, by hand: a frame with the print's proportions over the photo,
   dragged to move, its corner dragged to resize, arrows to nudge. It writes the crop into the
   form as "left,top,width,height" in fractions of the photo, and warns when the crop has too few
   pixels for the chosen size. No library: pointer events and percentages. */
(function () {
  "use strict";
  var form = document.querySelector("[data-print-chooser]");
  if (!form) return;
  var area = form.querySelector("[data-crop-area]");
  var img = form.querySelector("[data-crop-image]");
  var frame = form.querySelector("[data-crop-frame]");
  var handle = form.querySelector("[data-crop-handle]");
  var input = form.querySelector("[data-crop-input]");
  var select = form.querySelector("[data-variant]");
  var orientationBox = form.querySelector("[data-orientation]");
  var warning = form.querySelector("[data-dpi-warning]");
  var minDpi = parseFloat(form.dataset.minDpi) || 150;
  var crop = null; // {x, y, w, h} in fractions of the photo
  var orientation = null;

  // The original's pixels (the final's, the gallery image's), not the screen copy's: the
  // resolution is that of what is printed. Unknown, the copy gives the shape only.
  var known = parseFloat(form.dataset.pixelWidth) > 0 && parseFloat(form.dataset.pixelHeight) > 0;
  function pixels() {
    var w = parseFloat(form.dataset.pixelWidth), h = parseFloat(form.dataset.pixelHeight);
    if (w > 0 && h > 0) return {w: w, h: h};
    return {w: img.naturalWidth || 1, h: img.naturalHeight || 1};
  }

  function variant() {
    var option = select.options[select.selectedIndex];
    var s = parseFloat(option && option.dataset.short), l = parseFloat(option && option.dataset.long);
    return s > 0 && l > 0 ? {short: s, long: l} : null;
  }

  // The frame's width/height in fractions of the photo for the print's proportions.
  function aspectInFractions() {
    var v = variant(), px = pixels();
    if (!v) return null;
    var ratio = orientation === "portrait" ? v.short / v.long : v.long / v.short; // w / h on paper
    return ratio * px.h / px.w; // (w_frac * W) / (h_frac * H) = ratio
  }

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  // The biggest frame of the right proportions, centred on (cx, cy) as far as it fits.
  function fit(cx, cy, scale) {
    var a = aspectInFractions();
    if (!a) { crop = {x: 0, y: 0, w: 1, h: 1}; return; }
    var w = 1, h = w / a;
    if (h > 1) { h = 1; w = a; }
    w *= scale; h *= scale;
    crop = {x: clamp(cx - w / 2, 0, 1 - w), y: clamp(cy - h / 2, 0, 1 - h), w: w, h: h};
  }

  function render() {
    frame.style.left = crop.x * 100 + "%";
    frame.style.top = crop.y * 100 + "%";
    frame.style.width = crop.w * 100 + "%";
    frame.style.height = crop.h * 100 + "%";
    input.value = [crop.x, crop.y, crop.w, crop.h].map(function (v) { return v.toFixed(4); }).join(",");
    frame.setAttribute("aria-valuetext", Math.round(crop.w * 100) + " %");
    var v = variant(), px = pixels();
    if (!v || !known) { warning.hidden = true; return; }
    var cw = px.w * crop.w, ch = px.h * crop.h;
    var dpi = Math.min(Math.max(cw, ch) / (v.long / 2.54), Math.min(cw, ch) / (v.short / 2.54));
    var low = dpi < minDpi;
    warning.hidden = !low;
    if (low) warning.textContent = warning.dataset.text.replace("{dpi}", Math.floor(dpi)).replace("{min}", minDpi);
  }

  function reset() {
    var cx = crop ? crop.x + crop.w / 2 : 0.5, cy = crop ? crop.y + crop.h / 2 : 0.5;
    fit(cx, cy, 1);
    render();
  }

  function start() {
    var px = pixels();
    orientation = form.dataset.orientationDefault || (px.w >= px.h ? "landscape" : "portrait");
    orientationBox.querySelector("[value=" + orientation + "]").checked = true;
    orientationBox.hidden = false;
    frame.hidden = false;
    form.querySelector("[data-crop-help]").hidden = false;
    var previous = (input.value || "").split(",").map(parseFloat);
    if (previous.length === 4 && previous.every(isFinite)) {
      crop = {x: previous[0], y: previous[1], w: previous[2], h: previous[3]};
      render();
    } else {
      reset();
    }
  }

  // Dragging: positions in fractions of the area's box, which the photo fills exactly.
  var drag = null;
  function point(event) {
    var box = area.getBoundingClientRect();
    return {x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height};
  }
  frame.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    frame.setPointerCapture(event.pointerId);
    drag = {resize: event.target === handle, from: point(event), crop: Object.assign({}, crop)};
  });
  frame.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var p = point(event), dx = p.x - drag.from.x, dy = p.y - drag.from.y, c = drag.crop;
    if (drag.resize) {
      var a = aspectInFractions() || c.w / c.h;
      var w = clamp(c.w + Math.max(dx, dy * a), 0.05, Math.min(1 - c.x, (1 - c.y) * a));
      crop = {x: c.x, y: c.y, w: w, h: w / a};
    } else {
      crop = {x: clamp(c.x + dx, 0, 1 - c.w), y: clamp(c.y + dy, 0, 1 - c.h), w: c.w, h: c.h};
    }
    render();
  });
  function stop() { drag = null; }
  frame.addEventListener("pointerup", stop);
  frame.addEventListener("pointercancel", stop);
  frame.addEventListener("keydown", function (event) {
    var step = event.shiftKey ? 0.05 : 0.01;
    var moves = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step]};
    var move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    crop.x = clamp(crop.x + move[0], 0, 1 - crop.w);
    crop.y = clamp(crop.y + move[1], 0, 1 - crop.h);
    render();
  });
  select.addEventListener("change", reset);
  orientationBox.addEventListener("change", function (event) {
    orientation = event.target.value;
    reset();
  });

  if (img.complete && img.naturalWidth) start(); else img.addEventListener("load", start);
})();
