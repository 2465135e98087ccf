/* Booké online booking: the held slot's minutes left, counted down on the step pages.
 * The page says "held until HH:MM" without it; the texts come from the page (translated). */
(function () {
  "use strict";

  var hold = document.querySelector(".hold[data-until]");
  if (!hold) return;
  var until = Date.parse(hold.getAttribute("data-until"));
  var left = hold.querySelector(".hold-left");
  if (isNaN(until) || !left) return;

  function tick() {
    var minutes = Math.ceil((until - Date.now()) / 60000);
    if (minutes <= 0) {
      hold.classList.add("over");
      left.textContent = "— " + hold.getAttribute("data-over");
      return;
    }
    left.textContent = "(" + hold.getAttribute("data-left").replace("{n}", minutes) + ")";
    window.setTimeout(tick, 15000);
  }
  tick();
})();
