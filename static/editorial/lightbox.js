/* Photo grids marked `data-lightbox` open their photos full screen in a <dialog>: arrows and
   swipes go from one to the next, Esc or a tap outside the photo closes. Each thumbnail is a
   plain link to the large picture, so without this script the photo still opens. */
(function () {
  "use strict";

  var dialog, img, caption, counter, items = [], index = 0, opener = null, touchX = null;

  function button(className, label, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  function build() {
    var lang = document.documentElement.lang || "fr";
    var fr = lang.indexOf("fr") === 0;
    dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", fr ? "Photo en grand" : "Photo, full screen");
    var figure = document.createElement("figure");
    img = document.createElement("img");
    img.decoding = "async";
    caption = document.createElement("figcaption");
    counter = document.createElement("span");
    counter.className = "lightbox-counter";
    figure.append(img, caption);
    var close = button("lightbox-close", fr ? "Fermer" : "Close", "×");
    var prev = button("lightbox-prev", fr ? "Photo précédente" : "Previous photo", "‹");
    var next = button("lightbox-next", fr ? "Photo suivante" : "Next photo", "›");
    dialog.append(figure, counter, prev, next, close);
    document.body.append(dialog);

    close.addEventListener("click", function () { dialog.close(); });
    prev.addEventListener("click", function () { show(index - 1); });
    next.addEventListener("click", function () { show(index + 1); });
    // A click on the backdrop (the dialog itself, outside the photo and buttons) closes.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog || event.target === figure) dialog.close();
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(index - 1); event.preventDefault(); }
      else if (event.key === "ArrowRight") { show(index + 1); event.preventDefault(); }
      // Esc: the browser closes a modal dialog by itself.
    });
    dialog.addEventListener("touchstart", function (event) {
      touchX = event.changedTouches[0].clientX;
    }, { passive: true });
    dialog.addEventListener("touchend", function (event) {
      if (touchX === null) return;
      var dx = event.changedTouches[0].clientX - touchX;
      touchX = null;
      if (Math.abs(dx) > 40) show(index + (dx < 0 ? 1 : -1));
    }, { passive: true });
    dialog.addEventListener("close", function () {
      document.documentElement.classList.remove("lightbox-open");
      img.removeAttribute("src");
      if (opener) opener.focus();
    });
  }

  function show(i) {
    index = (i + items.length) % items.length;
    var link = items[index];
    img.src = link.getAttribute("href");
    img.width = link.dataset.width;
    img.height = link.dataset.height;
    img.alt = link.dataset.alt || "";
    caption.textContent = link.dataset.caption || "";
    caption.hidden = !link.dataset.caption;
    counter.textContent = (index + 1) + " / " + items.length;
    dialog.classList.toggle("single", items.length < 2);
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) return;
    var link = event.target.closest("[data-lightbox] [data-lightbox-item]");
    if (!link || typeof HTMLDialogElement === "undefined") return;
    event.preventDefault();
    if (!dialog) build();
    items = Array.prototype.slice.call(
      link.closest("[data-lightbox]").querySelectorAll("[data-lightbox-item]"));
    opener = link;
    show(items.indexOf(link));
    document.documentElement.classList.add("lightbox-open");
    dialog.showModal();
  });
})();
