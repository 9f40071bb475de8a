/*
 * Small progressive enhancements. Every page works without this file; it only adds:
 *
 *  - <time data-countdown datetime="..."> gets a live "time left" next to it
 *    (templates/includes/countdown.html writes the labels and the server's clock);
 *  - forms, or submit buttons, with data-confirm="question" ask before submitting, in a dialog of
 *    the page's own design;
 *  - forms with data-submit-once ignore a second submit while the first is under way;
 *  - htmx requests carry the CSRF token.
 *
 * Loaded with <script defer>, as a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ countdown

  var SECOND = 1000;
  var MINUTE = 60 * SECOND;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;
  var URGENT = HOUR;

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function formatRemaining(ms, daysLabel) {
    var days = Math.floor(ms / DAY);
    var hours = Math.floor((ms % DAY) / HOUR);
    var minutes = Math.floor((ms % HOUR) / MINUTE);
    var seconds = Math.floor((ms % MINUTE) / SECOND);
    var clock = pad(hours) + ":" + pad(minutes) + ":" + pad(seconds);
    return days > 0 ? days + daysLabel + " " + clock : clock;
  }

  function setUpCountdown(timeElement) {
    if (timeElement.dataset.countdownReady) {
      return null;
    }
    var deadline = Date.parse(timeElement.getAttribute("datetime"));
    if (isNaN(deadline)) {
      return null;
    }
    timeElement.dataset.countdownReady = "1";

    // The visitor's clock may be wrong; measure against the server's clock at page render.
    var serverNow = Date.parse(timeElement.dataset.serverNow || "");
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

    var output = document.createElement("span");
    output.className = "portal-countdown";
    // role=timer is not announced on every tick (implicit aria-live="off"); it is read on demand.
    output.setAttribute("role", "timer");
    timeElement.insertAdjacentElement("afterend", output);

    var labels = {
      remaining: timeElement.dataset.labelRemaining || "left",
      passed: timeElement.dataset.labelPassed || "Deadline passed",
      days: timeElement.dataset.labelDays || "d"
    };

    return function update() {
      var left = deadline - (Date.now() + skew);
      if (left <= 0) {
        output.textContent = labels.passed;
        output.classList.remove("is-urgent");
        output.classList.add("is-passed");
        return false;
      }
      output.textContent = formatRemaining(left, labels.days) + " " + labels.remaining;
      output.classList.toggle("is-urgent", left < URGENT);
      return true;
    };
  }

  var countdowns = [];
  var timer = null;

  function tick() {
    countdowns = countdowns.filter(function (update) {
      return update();
    });
    if (!countdowns.length && timer) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function startCountdowns(root) {
    var elements = (root || document).querySelectorAll("time[data-countdown]");
    Array.prototype.forEach.call(elements, function (element) {
      var update = setUpCountdown(element);
      if (update && update()) {
        countdowns.push(update);
      }
    });
    if (countdowns.length && !timer) {
      timer = window.setInterval(tick, SECOND);
    }
  }

  // ------------------------------------------------------------------ confirm, submit once

  // A question in the page's own design (a modal <dialog>) instead of the browser's confirm().
  function askThenSubmit(form, submitter, question) {
    var body = document.body;
    var dialog = document.createElement("dialog");
    dialog.className = "portal-dialog";
    dialog.setAttribute("aria-labelledby", "portal-dialog-message");
    var message = document.createElement("p");
    message.className = "portal-dialog__message";
    message.id = "portal-dialog-message";
    message.textContent = question;
    var buttons = document.createElement("div");
    buttons.className = "portal-dialog__buttons";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "krds-btn secondary medium";
    cancel.textContent = body.getAttribute("data-label-cancel") || "Cancel";
    var confirm = document.createElement("button");
    confirm.type = "button";
    confirm.className = "krds-btn primary medium";
    confirm.textContent =
      (submitter && submitter.textContent.trim()) || body.getAttribute("data-label-confirm") || "OK";
    buttons.appendChild(cancel);
    buttons.appendChild(confirm);
    dialog.appendChild(message);
    dialog.appendChild(buttons);
    body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (dialog.returnValue === "confirm") {
        form.dataset.confirmed = "1";
        if (form.requestSubmit) {
          form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        } else {
          form.submit();
        }
      } else if (submitter) {
        submitter.focus();
      }
    });
    cancel.addEventListener("click", function () {
      dialog.close("cancel");
    });
    confirm.addEventListener("click", function () {
      dialog.close("confirm");
    });
    dialog.showModal();
    cancel.focus();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (question && !form.dataset.confirmed) {
        event.preventDefault();
        askThenSubmit(form, submitter, question);
        return;
      }
      delete form.dataset.confirmed;
      if (form.hasAttribute("data-submit-once")) {
        if (form.dataset.submitting) {
          event.preventDefault();
          return;
        }
        form.dataset.submitting = "1";
        form.setAttribute("aria-busy", "true");
        var release = function () {
          delete form.dataset.submitting;
          form.removeAttribute("aria-busy");
        };
        // Submittable again when restored from the back/forward cache, and after a while in case
        // the response was a download that left the page in place.
        window.addEventListener("pageshow", release, { once: true });
        window.setTimeout(release, 8 * SECOND);
      }
    },
    true
  );

  // ------------------------------------------------------------------ htmx

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    startCountdowns(event.target);
  });

  // ------------------------------------------------------------------ start

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      startCountdowns(document);
    });
  } else {
    startCountdowns(document);
  }
})();
