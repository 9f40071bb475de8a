/*
 * Forms report every problem at once, in the page's language: the browser's own checks (one
 * bubble at a time, in the browser's language) are turned off with novalidate and the server
 * answers for every field together. A field's length limit no longer cuts a pasted text short
 * without a word (maxlength): the text stays whole, a counter says how far over the limit it is,
 * and the server refuses it with a message that states the limit.
 *
 * Forms that survive a change of language. The language switch in the header posts and reloads
 * the page in the other language, which would drop whatever the user had typed: before it posts,
 * the changed fields of the page's forms are kept in sessionStorage (this tab only), and put back
 * when the page comes back in the new language, with a note asking the user to check them.
 * Passwords, files and hidden fields (tokens) are never kept.
 *
 * Loaded with <script defer>, as a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  var KEY = "portal-form-keep:";

  function keepable(field) {
    if (!field.name || field.disabled) {
      return false;
    }
    var type = (field.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) === -1;
  }

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  function pageForms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
      // getAttribute: a field named "method" (the procurement method) shadows form.method.
      return (form.getAttribute("method") || "get").toLowerCase() === "post";
    });
  }

  function snapshot() {
    var kept = [];
    pageForms().forEach(function (form, formIndex) {
      var fields = Array.prototype.filter.call(form.elements, keepable);
      if (!fields.some(changed)) {
        return;
      }
      fields.forEach(function (field) {
        var entry = { form: formIndex, name: field.name };
        if (field.type === "checkbox" || field.type === "radio") {
          entry.value = field.value;
          entry.checked = field.checked;
        } else if (field.tagName === "SELECT") {
          entry.values = Array.prototype.filter
            .call(field.options, function (option) {
              return option.selected;
            })
            .map(function (option) {
              return option.value;
            });
        } else {
          entry.value = field.value;
        }
        kept.push(entry);
      });
    });
    return kept;
  }

  function restore(kept) {
    var forms = pageForms();
    var touched = [];
    kept.forEach(function (entry) {
      var form = forms[entry.form];
      if (!form) {
        return;
      }
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== entry.name || !keepable(field)) {
          return;
        }
        if (field.type === "checkbox" || field.type === "radio") {
          if (field.value === entry.value) {
            field.checked = entry.checked;
          }
        } else if (field.tagName === "SELECT") {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = entry.values.indexOf(option.value) !== -1;
          });
        } else {
          field.value = entry.value;
        }
        field.dispatchEvent(new Event("change", { bubbles: true }));
        if (touched.indexOf(form) === -1) {
          touched.push(form);
        }
      });
    });
    if (touched.length) {
      var note = document.createElement("div");
      note.className = "portal-alert portal-alert--info portal-form-restored";
      note.setAttribute("role", "status");
      var text = document.createElement("p");
      text.textContent =
        document.body.getAttribute("data-label-restored") || "What you had typed was kept.";
      note.appendChild(text);
      touched[0].insertAdjacentElement("beforebegin", note);
    }
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("portal-lang")) {
        return;
      }
      var kept = snapshot();
      try {
        if (kept.length) {
          window.sessionStorage.setItem(KEY + window.location.pathname, JSON.stringify(kept));
        }
      } catch (error) {
        // Storage full or refused (private mode): the switch still works, the values are lost.
      }
    },
    true
  );

  function setUpLimits() {
    Array.prototype.forEach.call(document.querySelectorAll("main form"), function (form) {
      form.setAttribute("novalidate", "");
    });
    var limited = document.querySelectorAll("main input[maxlength], main textarea[maxlength]");
    Array.prototype.forEach.call(limited, function (field) {
      var limit = parseInt(field.getAttribute("maxlength"), 10);
      field.removeAttribute("maxlength");
      field.setAttribute("data-maxlength", String(limit));
      var counter = document.createElement("span");
      counter.className = "portal-length";
      counter.id = (field.id || field.name) + "-length";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
      field.setAttribute(
        "aria-describedby",
        ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim()
      );
      var template =
        document.body.getAttribute("data-label-too-long") || "{count} characters: at most {limit} are allowed.";
      function update() {
        var over = field.value.length > limit;
        counter.textContent = over
          ? template.replace("{count}", field.value.length).replace("{limit}", limit)
          : "";
        counter.classList.toggle("is-over", over);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function start() {
    setUpLimits();
    var stored = null;
    try {
      stored = window.sessionStorage.getItem(KEY + window.location.pathname);
      window.sessionStorage.removeItem(KEY + window.location.pathname);
    } catch (error) {
      return;
    }
    if (stored) {
      restore(JSON.parse(stored));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
