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
  // normalization as core.validators.normalize_id_number on the server.
  var ID_NUMBER = /^\d{17}[\dX]$/;
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
})();
