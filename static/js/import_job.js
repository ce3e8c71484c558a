// The ledger import job page: fetch the status part again until the job is finished (no inline script: CSP).
(function () {
  "use strict";
  var INTERVAL = 1500;

  function poll() {
    var box = document.getElementById("import-job");
    if (!box || box.dataset.finished === "1") {
      return;
    }
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        box.outerHTML = html;
      })
      .catch(function () { /* a missed poll is retried at the next tick */ })
      .then(function () {
        window.setTimeout(poll, INTERVAL);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
