// Accounts pages: the print button of a sheet of handed-out passwords (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-tc-print]")) window.print();
  });
})();
