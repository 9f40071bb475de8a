/* Suppliers: filter the classification picker as the user types (the list works without this). */
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").toLowerCase().replace(/[\s-]+/g, " ").trim();
  }

  function setUp(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var count = picker.querySelector("[data-picker-count]");
    var items = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-item]"));
    if (!search) return;

    function apply() {
      var query = normalise(search.value);
      var digits = query.replace(/[^0-9]/g, "");
      var shown = 0;
      items.forEach(function (item) {
        var code = item.getAttribute("data-code") || "";
        var box = item.querySelector("input");
        var text = normalise(item.textContent);
        var match = !query || text.indexOf(query) !== -1 || (digits && code.indexOf(digits) === 0);
        // Ticked boxes stay visible, so a choice never disappears from sight.
        var visible = match || (box && box.checked);
        item.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) {
        count.textContent = query ? shown + " / " + items.length : "";
      }
    }

    search.addEventListener("input", apply);
    search.addEventListener("keydown", function (event) {
      // Enter in the search box must not submit the whole registration form.
      if (event.key === "Enter") event.preventDefault();
    });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-classification-picker]").forEach(setUp);
  });
})();
