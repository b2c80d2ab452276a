/* The live progress of a report run (the run page, reports:run). No inline script (CSP): the status URL is in
   the data-status-url attribute of #report-progress. Polls reports:run_status every second, moves the progress
   bar (aria-valuenow for screen readers) and reloads the page once the run is finished, to show the result or
   the reason it failed. */
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var meter = box.querySelector("[role=progressbar]");
  var bar = meter.querySelector(".progress-bar");
  var text = document.getElementById("report-progress-text");
  var note = document.getElementById("report-progress-attempt");
  var INTERVAL = 1000;
  var RELOAD_AFTER = 1200; // long enough to see the full bar

  function show(state) {
    var pct = state.finished ? 100 : Math.max(0, Math.min(100, state.progress));
    meter.setAttribute("aria-valuenow", String(pct));
    bar.style.width = pct + "%";
    bar.textContent = pct + " %";
    if (state.message) {
      text.textContent = state.message;
    }
    note.textContent = state.note || "";
    note.hidden = !state.note;
    if (state.status === "failed") {
      bar.classList.add("bg-danger");
    }
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          bar.classList.remove("progress-bar-animated");
          window.setTimeout(function () { window.location.reload(); }, RELOAD_AFTER);
        } else {
          window.setTimeout(poll, INTERVAL);
        }
      })
      .catch(function () {
        window.setTimeout(poll, INTERVAL * 3); // a hiccup of the network or the server: keep trying, slower
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
