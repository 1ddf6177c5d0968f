// Birth date and gender read off the ID number as it is typed (members.forms.MemberForm): the
// two fields are shown, not typed. The server computes them again whatever the page sends.
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function loosen(text) {
    return text
      .replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[\uFF38\uFF58xX]/g, "X")
      .replace(/[\s\-\u2010-\u2015\uFF0D_.\u00B7\uFF0E]+/g, "");
  }

  function facts(text) {
    var id = loosen(text);
    if (!/^\d{17}[\dX]$/.test(id)) return null;
    var total = 0;
    for (var i = 0; i < 17; i++) total += Number(id[i]) * WEIGHTS[i];
    if (CHECK[total % 11] !== id[17]) return null;
    var y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
    var day = new Date(Date.UTC(y, m - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null;
    return { birth: id.slice(6, 10) + "-" + id.slice(10, 12) + "-" + id.slice(12, 14), male: Number(id[16]) % 2 === 1 };
  }

  function update(input) {
    var form = input.form;
    if (!form) return;
    var found = facts(input.value);
    var birth = form.querySelector("[data-tc-id-birth]");
    var gender = form.querySelector("[data-tc-id-gender]");
    if (!found && !input.value.trim()) return; // an edit form left blank keeps the record's
    if (birth) birth.value = found ? found.birth : "";
    if (gender) {
      gender.value = found
        ? gender.getAttribute(found.male ? "data-label-m" : "data-label-f")
        : "";
    }
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-tc-id-facts")) update(input);
  });
})();
