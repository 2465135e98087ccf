/* The product page is the same for every anonymous visitor (the page cache shares it), so what
   Oscar did per visitor comes after it (shop/history): post the view beacon, whose answer counts
   the view and sets the history cookie, then show "recently viewed products" rendered from that
   cookie. Without JavaScript neither happens: bots are not counted as views. */
(function () {
  "use strict";
  var beacon = document.querySelector("form[data-product-viewed]");
  var block = document.querySelector("[data-recently-viewed]");
  if (!beacon || !block) return;

  function showRecentlyViewed() {
    fetch(block.dataset.recentlyViewed, {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { block.innerHTML = html; })
      .catch(function () {});
  }

  // keepalive: the view still counts when the visitor leaves the page at once. The fragment
  // waits for the beacon's cookie only so that both read the same history; the product being
  // read is left out of the block anyway.
  fetch(beacon.action, {
    method: "POST",
    body: new FormData(beacon),
    credentials: "same-origin",
    keepalive: true
  }).catch(function () {}).then(showRecentlyViewed);
})();
