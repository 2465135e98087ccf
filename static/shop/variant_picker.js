// A parent product's variant picker (templates/oscar/catalogue/partials/variant_picker.html):
// shows a select per dimension (size, paper…) instead of the list of variants, and the price
// of the combination picked. The server chooses the variant from the values posted
// (shop.catalogue.selectors); a combination that is not made moves the other selects to the
// closest variant that is, so what is shown is always what will be added.
(function () {
  "use strict";

  function matches(variant, values) {
    return Object.keys(values).every(function (code) {
      return variant.values[code] === values[code];
    });
  }

  function setUp(form) {
    var data = JSON.parse(form.querySelector("#variant-picker-data").textContent);
    var selects = Array.prototype.slice.call(form.querySelectorAll("[data-dimension]"));
    var list = form.querySelector("[data-variant-list]");
    var price = form.querySelector("[data-variant-price]");
    var submit = form.querySelector("[data-variant-submit]");
    if (!selects.length) {
      return; // nothing to pick by: the list stays
    }

    function current() {
      var values = {};
      selects.forEach(function (select) {
        values[select.dataset.dimension] = select.value;
      });
      return values;
    }

    // The variant with the changed value that keeps most of the other values, the dimensions
    // named first weighing more (variants come cheapest first, so a tie takes the cheaper).
    function closest(changed) {
      var values = current();
      var best = null;
      var bestScore = -1;
      data.variants.forEach(function (variant) {
        if (variant.values[changed] !== values[changed]) {
          return;
        }
        var score = 0;
        selects.forEach(function (select, index) {
          if (variant.values[select.dataset.dimension] === values[select.dataset.dimension]) {
            score += 1 << (selects.length - index);
          }
        });
        if (variant.available && score > bestScore) {
          best = variant;
          bestScore = score;
        }
      });
      return best;
    }

    function show() {
      var values = current();
      var chosen = data.variants.filter(function (variant) {
        return matches(variant, values);
      })[0];
      price.textContent = chosen ? chosen.price : "";
      submit.disabled = !(chosen && chosen.available);
    }

    selects.forEach(function (select) {
      select.disabled = false;
      select.addEventListener("change", function () {
        var values = current();
        var made = data.variants.some(function (variant) {
          return variant.available && matches(variant, values);
        });
        if (!made) {
          var near = closest(select.dataset.dimension);
          if (near) {
            selects.forEach(function (other) {
              other.value = near.values[other.dataset.dimension];
            });
          }
        }
        show();
      });
    });
    // The list is not posted any more: the values are.
    list.hidden = true;
    list.querySelector("select").disabled = true;
    form.querySelector("[data-variant-dimensions]").hidden = false;
    price.hidden = false;
    show();
  }

  document.querySelectorAll("[data-variant-picker]").forEach(setUp);
})();
