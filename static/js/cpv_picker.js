/*
 * The CPV picker (templates/includes/cpv_picker.html): typing filters the tree by code or words
 * (Korean or English) and opens the divisions that match; divisions with ticked boxes open and
 * say how many are ticked. The tree works without this file.
 *
 * Loaded with <script defer>, as a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").toLowerCase().replace(/[\s-]+/g, " ").trim();
  }

  function setUp(picker) {
    var search = picker.querySelector("[data-cpv-search]");
    var status = picker.querySelector("[data-cpv-status]");
    var divisions = Array.prototype.slice.call(picker.querySelectorAll("[data-cpv-division]"));

    function ticked(division) {
      return division.querySelectorAll("input[type=checkbox]:checked").length;
    }

    function showTicked() {
      divisions.forEach(function (division) {
        var count = ticked(division);
        var badge = division.querySelector("[data-cpv-ticked]");
        if (badge) {
          badge.textContent = count ? "(" + count + " ✓)" : "";
        }
      });
    }

    function apply() {
      var query = normalise(search.value);
      var digits = query.replace(/[^0-9]/g, "");
      var shown = 0;
      divisions.forEach(function (division) {
        var any = false;
        division.querySelectorAll("[data-cpv-item]").forEach(function (item) {
          var code = item.getAttribute("data-code") || "";
          var box = item.querySelector("input");
          var match =
            !query ||
            // Both languages' titles are searched, whatever the page's language.
            normalise(item.textContent + " " + (item.getAttribute("data-words") || "")).indexOf(query) !== -1 ||
            (digits.length > 0 && digits === query.replace(/ /g, "") && code.indexOf(digits) === 0);
          var visible = match || (box && box.checked);
          item.hidden = !visible;
          if (visible) {
            any = true;
            if (match && query) {
              shown += 1;
            }
          }
        });
        var summaryMatch = query && normalise(division.querySelector("summary").textContent).indexOf(query) !== -1;
        if (summaryMatch) {
          division.querySelectorAll("[data-cpv-item]").forEach(function (item) {
            item.hidden = false;
          });
          any = true;
        }
        division.hidden = !any;
        var details = division.querySelector("details");
        if (query) {
          details.open = any;
        } else {
          details.open = ticked(division) > 0;
        }
      });
      if (status) {
        var template = picker.getAttribute("data-label-found") || "{count} found";
        status.textContent = query ? template.replace("{count}", shown) : "";
      }
    }

    if (search) {
      search.addEventListener("input", apply);
      search.addEventListener("keydown", function (event) {
        // Enter in the search box must not submit the whole tender form.
        if (event.key === "Enter") {
          event.preventDefault();
        }
      });
    }
    picker.addEventListener("change", showTicked);
    showTicked();
    apply();
  }

  function start() {
    document.querySelectorAll("[data-cpv-picker]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
