// Tongchou page behaviour (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // Forms marked data-tc-autosubmit submit when one of their selects changes (filters).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement)) return;
    var form = target.closest("form[data-tc-autosubmit]");
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  });

  // Buttons marked data-tc-print print the page (a sheet of handed-out passwords, a receipt).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-tc-print]")) window.print();
  });

  // Buttons marked data-tc-confirm ask before submitting (e.g. dissolving an organization).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tc-confirm]");
    if (button && !window.confirm(button.getAttribute("data-tc-confirm"))) {
      event.preventDefault();
    }
  });

  // Joint / functional / industry-chain fields only matter for their type: show what applies.
  function syncTypeFields(form) {
    var select = form.querySelector("select[name=org_type]");
    if (!select) return;
    form.querySelectorAll("[data-tc-for-type]").forEach(function (el) {
      var types = el.getAttribute("data-tc-for-type").split(" ");
      el.classList.toggle("d-none", types.indexOf(select.value) === -1);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "org_type" && event.target.form) syncTypeFields(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.tc-org-form").forEach(syncTypeFields);
  });

  // A search box marked data-tc-id-lookup sends a full ID number by POST, never in the URL
  // (URLs end up in browser history and server access logs). Names still search by GET.
  // Any spelling counts (full-width digits, spaces, dashes, an apostrophe): the same
  // normalization as core.validators.normalize_id_number on the server; old 15-digit numbers too.
  var ID_NUMBER = /^(\d{17}[\dX]|\d{15})$/;
  var ID_NOISE = /[\s\-\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff'`\u2018\u2019]/g;
  function idNumberOf(text) {
    return text.normalize("NFKC").replace(ID_NOISE, "").toUpperCase();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var box = form.querySelector && form.querySelector("input[data-tc-id-lookup]");
    if (!box || !ID_NUMBER.test(idNumberOf(box.value))) return;
    event.preventDefault();
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.getAttribute("action") || window.location.pathname;
    [["csrfmiddlewaretoken", headers["X-CSRFToken"] || ""], [box.name, idNumberOf(box.value)]].forEach(
      function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        post.appendChild(input);
      }
    );
    document.body.appendChild(post);
    post.submit();
  });
  // Form drafts. When a post form is submitted, its non-sensitive fields are kept in this tab's
  // sessionStorage. If the next page says the submission was not taken (the expired-page CSRF
  // failure page, or the login page a lapsed session leads to: [data-tc-keep-drafts]), the draft
  // is kept and filled back into the same form when it is shown again; any other next page
  // drops it. Passwords, ID numbers, files and tokens are never stored.
  var DRAFT = "tc-draft:";
  var KEEP = "tc-draft-keep:";
  var PENDING = "tc-draft-pending";
  var SENSITIVE = /password|passwd|id_number|idnumber|token|secret/i;
  var SKIPPED_TYPES = ["password", "file", "hidden", "submit", "button", "reset", "image"];

  function store() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }
  function draftKey(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
  }
  function keptFields(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || SENSITIVE.test(el.name)) return;
      if (SKIPPED_TYPES.indexOf(el.type) !== -1 || el.hasAttribute("data-tc-no-draft")) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { pairs.push([el.name, o.value]); });
        return;
      }
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target, s = store();
    if (!s || !form.method || form.method.toLowerCase() !== "post") return;
    if (form.hasAttribute("data-tc-no-draft")) return;
    var pairs = keptFields(form);
    if (!pairs.length) return;
    var key = draftKey(form);
    s.setItem(DRAFT + key, JSON.stringify(pairs));
    s.setItem(PENDING, key);
  }, true);

  function restore(form, pairs, text) {
    var byName = {};
    pairs.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in byName) || SENSITIVE.test(el.name)) return;
      if (SKIPPED_TYPES.indexOf(el.type) !== -1) return;
      var values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        el.value = values[0];
      }
    });
    if (!text) return;
    var note = document.createElement("div");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.textContent = text;
    form.parentNode.insertBefore(note, form);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var s = store();
    if (!s) return;
    var pending = s.getItem(PENDING);
    s.removeItem(PENDING);
    var keeper = document.querySelector("[data-tc-keep-drafts]");
    if (keeper) {
      // The value is the note shown when the draft is filled back (the CSRF failure page
      // gives one; the login page, marked on its body, none). Not the login form's own
      // submission: a wrong password shows the login page again.
      var ownForm = keeper === document.body && pending === window.location.pathname;
      if (pending && !ownForm) {
        s.setItem(KEEP + pending, keeper.getAttribute("data-tc-keep-drafts") || " ");
      }
      return;
    }
    if (pending && !s.getItem(KEEP + pending)) s.removeItem(DRAFT + pending);
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
      var key = draftKey(form);
      var saved = s.getItem(DRAFT + key);
      var note = s.getItem(KEEP + key);
      if (!saved || !note) return;
      s.removeItem(DRAFT + key);
      s.removeItem(KEEP + key);
      try {
        restore(form, JSON.parse(saved), note.trim());
      } catch (e) { /* a damaged draft is dropped */ }
    });
  });
})();
