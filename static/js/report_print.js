/* "Print / Save as PDF" on a report page: the button is hidden without JavaScript and opens the browser's print
   dialog (the print stylesheet in app.css gives a clean report). No inline script (CSP). */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-report-print]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
