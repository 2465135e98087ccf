/* The delivered photos (portal session page, family link): a tap opens the photo full screen,
 * ←/→/Esc and swipes move through them. Without this script each photo is a plain link. */
(function () {
  "use strict";
  var dialog = document.querySelector("[data-delivered-lightbox]");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-screen]"));
  var img = dialog.querySelector("[data-lb-img]");
  var name = dialog.querySelector("[data-lb-name]");
  var pos = dialog.querySelector("[data-lb-pos]");
  var index = 0;

  function show(i) {
    index = (i + links.length) % links.length;
    var link = links[index];
    img.src = link.getAttribute("data-screen");
    img.alt = link.getAttribute("data-name") || "";
    name.textContent = link.getAttribute("data-name") || "";
    pos.textContent = (index + 1) + " / " + links.length;
  }

  links.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      show(i);
      dialog.showModal();
    });
  });
  dialog.querySelector("[data-lb-close]").addEventListener("click", function () { dialog.close(); });
  dialog.querySelector("[data-lb-prev]").addEventListener("click", function () { show(index - 1); });
  dialog.querySelector("[data-lb-next]").addEventListener("click", function () { show(index + 1); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") show(index - 1);
    if (event.key === "ArrowRight") show(index + 1);
  });
  var startX = null;
  dialog.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; },
                          { passive: true });
  dialog.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX;
    startX = null;
    if (Math.abs(dx) > 50) show(dx < 0 ? index + 1 : index - 1);
  });
  document.querySelectorAll("[data-share-url]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
