/* Boxes that scroll sideways on a small screen (wide tables, report charts) can be reached and scrolled with the
   keyboard (WCAG 2.1.1): while a box is wider inside than it shows, it is a focusable region named after its
   table's caption or its figure's caption, else "Scrolls sideways" (the script element's data-label, translated).
   Rechecked when the window changes size. No inline script (CSP). */
(function () {
  "use strict";
  var script = document.currentScript;
  var fallback = (script && script.dataset.label) || "Scrolls sideways";

  function nameOf(box) {
    var caption = box.querySelector("caption") || (box.closest("figure") || box).querySelector("figcaption");
    return caption && caption.textContent.trim() ? caption.textContent.trim() : fallback;
  }

  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-responsive, .report-chart"), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
        box.dataset.scrollRegion = "1";
      } else if (!scrolls && box.dataset.scrollRegion) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollRegion;
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(mark, 150);
  });
  mark();
})();
