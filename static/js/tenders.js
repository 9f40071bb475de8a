/*
 * Tender drafting form: show only the evaluation parameters of the chosen evaluation method.
 * Without JavaScript every group shows, each titled with its method, and the server ignores the
 * parameters of the methods not chosen.
 */
(function () {
  "use strict";

  function sync(form) {
    var chosen = form.querySelector("input[name=evaluation_method]:checked");
    var method = chosen ? chosen.value : "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-eval-method]"), function (group) {
      group.hidden = group.getAttribute("data-eval-method") !== method;
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form.tenders-form"), function (form) {
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "evaluation_method") {
          sync(form);
        }
      });
      sync(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
