// Progressive enhancement only: every page works without this file.
// Unfinished answers are kept in this browser tab (sessionStorage), never on the server,
// and are gone when the tab closes, so a shared computer does not show them to the next person.
(function () {
  "use strict";

  function isSelfIdentification(name) {
    return name.indexOf("self_id_") === 0;
  }

  function saveDraft(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      // Answers only: the form's CSRF token is the page's, not part of the draft; answers
      // about oneself (DIG self-identification, special categories of personal data) are
      // never kept in the browser, not even for the tab's lifetime.
      if (key === "_csrf" || isSelfIdentification(key)) { return; }
      (data[key] = data[key] || []).push(value);
    });
    try { sessionStorage.setItem(form.dataset.draftKey, JSON.stringify(data)); } catch (e) { /* storage full or disabled */ }
  }

  function restoreDraft(form) {
    var raw;
    try { raw = sessionStorage.getItem(form.dataset.draftKey); } catch (e) { return null; }
    if (!raw) { return null; }
    var data = JSON.parse(raw);
    var restored = null;
    Array.prototype.forEach.call(form.elements, function (field) {
      var saved = data[field.name];
      if (!saved || isSelfIdentification(field.name)) { return; }
      if (field.type === "radio" || field.type === "checkbox") {
        if (saved.indexOf(field.value) !== -1 && !field.checked) {
          field.checked = true;
          restored = restored || field;
        }
      } else if (field.tagName === "TEXTAREA" && !field.value && saved[0]) {
        field.value = saved[0];
        restored = restored || field;
      }
    });
    return restored;
  }

  function clearDrafts() {
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf("klankbord-draft:") === 0) { sessionStorage.removeItem(key); }
      });
    } catch (e) { /* storage disabled */ }
  }

  function enhance(root) {
    var form = root.querySelector("form[data-draft-key]");
    if (form && !form.dataset.enhanced) {
      form.dataset.enhanced = "1";
      var restored = restoreDraft(form);
      if (restored && window.htmx) {
        // Let the server recount the progress, checking a question that has an answer.
        window.htmx.trigger(restored.closest("[hx-post]"), "change");
      }
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("input", function () { saveDraft(form); });
    }
    if (root.querySelector("[data-clear-drafts]")) { clearDrafts(); }
    // A shared tablet (kiosk): the thank-you page makes way for an empty code page by
    // itself, replacing itself in the history so that Back does not bring it back.
    var kioskReturn = root.querySelector("[data-kiosk-return]");
    if (kioskReturn) {
      window.setTimeout(function () { window.location.replace(kioskReturn.href); },
        Number(kioskReturn.dataset.kioskReturn) * 1000);
    }
    var summary = root.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target === document.body) {
      enhance(document);
      // A boosted post replaced the whole page (e.g. the thank-you page) without a page load,
      // so screen readers announce nothing: start at the main content, as after a load.
      // With errors, enhance() has already given the error summary the focus.
      var main = document.getElementById("main");
      if (main && !document.querySelector(".error-summary")) { main.focus(); }
    }
  });

  // Heatmap rows follow the department tree: a button on each parent row folds away the
  // rows below it (without this file every row simply stays visible).
  function initTreeToggles(root) {
    Array.prototype.forEach.call(root.querySelectorAll("button.tree-toggle"), function (button) {
      button.hidden = false;
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var row = button.closest("tr");
        var depth = Number(row.dataset.depth);
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", String(!open));
        for (var next = row.nextElementSibling; next && Number(next.dataset.depth) > depth; next = next.nextElementSibling) {
          next.hidden = open;
          var inner = next.querySelector("button.tree-toggle");
          if (!open && inner) { inner.setAttribute("aria-expanded", "true"); }
        }
      });
    });
  }
  initTreeToggles(document);
  document.addEventListener("htmx:afterSwap", function (event) { initTreeToggles(event.target); });
})();
