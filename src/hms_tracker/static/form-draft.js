/* Nothing typed is lost: a form refused because the session ended (or the page was stale)
   comes back with what was typed.

   The refusal page holds what was typed in a JSON block (#form-draft); this script keeps it
   in the tab's sessionStorage (nothing is stored on the server). On the next page in the
   same tab that has a POST form with the same action, it fills that form in (not its hidden
   fields, which the fresh page knows better: the CSRF token, the record's version), opens
   the <details> it is in, says so above it, and forgets the draft. */
(function () {
  "use strict";
  var KEY = "hms-form-draft";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;

  function store(block) {
    try {
      var draft = JSON.parse(block.textContent);
      draft.savedAt = Date.now();
      sessionStorage.setItem(KEY, JSON.stringify(draft));
    } catch (e) { /* no storage: nothing to keep */ }
  }

  function load() {
    try {
      var draft = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (draft && Date.now() - (draft.savedAt || 0) > MAX_AGE_MS) {
        sessionStorage.removeItem(KEY);
        return null;
      }
      return draft;
    } catch (e) {
      return null;
    }
  }

  function pathOf(form) {
    try {
      return new URL(form.getAttribute("action") || location.href, location.href).pathname;
    } catch (e) {
      return null;
    }
  }

  function fill(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || !(name in values)) return;
      var type = (el.type || "").toLowerCase();
      if (type === "hidden" || type === "file" || type === "submit" || type === "button" || type === "password") return;
      if (type === "checkbox" || type === "radio") {
        el.checked = values[name].indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values[name].indexOf(o.value) !== -1;
        });
      } else if (values[name].length) {
        el.value = values[name].shift();
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function restore() {
    var block = document.getElementById("form-draft");
    if (block) {
      store(block);
      return;
    }
    var draft = load();
    if (!draft || !draft.action) return;
    var form = null;
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (f) {
      if (!form && (f.getAttribute("method") || "").toLowerCase() === "post" && pathOf(f) === draft.action) {
        form = f;
      }
    });
    if (!form) return; /* another page: keep it for the form's page in this tab */
    sessionStorage.removeItem(KEY);
    fill(form, draft.fields || []);
    var details = form.closest("details");
    if (details) details.open = true;
    var note = document.createElement("div");
    note.className = "ds-alert form-draft-note";
    note.setAttribute("data-color", "info");
    note.setAttribute("role", "status");
    var text = document.createElement("p");
    text.className = "ds-paragraph";
    text.textContent = draft.notice || "";
    note.appendChild(text);
    form.parentNode.insertBefore(note, form);
    note.scrollIntoView({ block: "center" });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
