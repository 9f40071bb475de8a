/*
 * Phones and small screens (static/css/responsive.css), as progressive enhancements:
 *
 *  - the main menu folds behind its "Menu" button;
 *  - filter panels (.portal-filter) fold away behind their heading unless a filter is in use;
 *  - a table that is wider than its box says so ("scroll sideways") above itself;
 *  - long hashes (code.portal-hash) get a copy button, so a shortened hash is still usable.
 *
 * The labels come from data-label-* attributes on <body>, written by templates/base.html in the
 * page's language. Loaded with <script defer>, as a file: the Content-Security-Policy allows no
 * inline script.
 */
(function () {
  "use strict";

  var narrow = window.matchMedia("(max-width: 767px)");

  function label(name, fallback) {
    return document.body.getAttribute("data-label-" + name) || fallback;
  }

  // ------------------------------------------------------------------ menu

  function setUpMenu() {
    var nav = document.querySelector(".portal-nav");
    var button = nav && nav.querySelector(".portal-menu-toggle");
    if (!button) {
      return;
    }
    nav.classList.add("is-collapsible");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = !nav.classList.contains("is-open");
      nav.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // ------------------------------------------------------------------ filters

  function filterInUse(section) {
    var fields = section.querySelectorAll("input, select, textarea");
    return Array.prototype.some.call(fields, function (field) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        return false;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked;
      }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.selectedOptions, function (option) {
          return option.value !== "";
        });
      }
      return field.value.trim() !== "";
    });
  }

  function setUpFilter(section, index) {
    var heading = section.querySelector(".portal-subtitle");
    if (!heading || section.querySelector(".portal-filter__toggle")) {
      return;
    }
    var id = section.id || "portal-filter-" + index;
    section.id = id;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "portal-filter__toggle";
    button.setAttribute("aria-controls", id);
    button.textContent = heading.textContent.trim();
    var text = document.createElement("span");
    text.className = "portal-filter__heading-text";
    while (heading.firstChild) {
      text.appendChild(heading.firstChild);
    }
    heading.appendChild(text);
    heading.appendChild(button);
    section.classList.add("is-collapsible");

    function set(open) {
      section.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    set(filterInUse(section));
    button.addEventListener("click", function () {
      set(!section.classList.contains("is-open"));
    });
  }

  // ------------------------------------------------------------------ tables

  function markScrollable() {
    var boxes = document.querySelectorAll(".portal-table-wrap");
    Array.prototype.forEach.call(boxes, function (box) {
      var scrollable = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-scrollable", scrollable);
      var cue = box.previousElementSibling;
      if (!(cue && cue.classList.contains("portal-scroll-cue"))) {
        if (!scrollable) {
          return;
        }
        cue = document.createElement("p");
        cue.className = "portal-scroll-cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = label("scroll", "Scroll sideways to see the whole table") + " →";
        // Above the table, where the eye is before it reaches the cut-off columns.
        box.insertAdjacentElement("beforebegin", cue);
      }
      cue.classList.toggle("is-shown", scrollable);
    });
  }

  // ------------------------------------------------------------------ hashes

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return Promise.resolve();
  }

  function setUpHashes(root) {
    var hashes = (root || document).querySelectorAll("code.portal-hash");
    Array.prototype.forEach.call(hashes, function (code) {
      var value = code.textContent.trim().replace(/…$/, "");
      if (code.dataset.copyReady || value.length < 32) {
        return;
      }
      code.dataset.copyReady = "1";
      if (!code.title) {
        code.title = value;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "portal-hash-copy";
      button.textContent = label("copy", "Copy");
      button.setAttribute("aria-label", label("copy-hash", "Copy the full hash") + " " + value.slice(0, 12));
      button.addEventListener("click", function () {
        copyText(value).then(function () {
          button.textContent = label("copied", "Copied");
          window.setTimeout(function () {
            button.textContent = label("copy", "Copy");
          }, 2000);
        });
      });
      code.insertAdjacentElement("afterend", button);
    });
  }

  // ------------------------------------------------------------------ start

  function start() {
    setUpMenu();
    Array.prototype.forEach.call(document.querySelectorAll(".portal-filter"), setUpFilter);
    setUpHashes(document);
    markScrollable();
    window.addEventListener("resize", markScrollable);
    if (narrow.addEventListener) {
      narrow.addEventListener("change", markScrollable);
    }
    document.addEventListener("htmx:afterSettle", function (event) {
      setUpHashes(event.target);
      markScrollable();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
