/* Plays a package step: scorm-again (vendored, see wagtail_learning/packages/runtime) is the
 * SCORM runtime; this file only starts it with the learner's stored CMI data, points its
 * commits at the platform, and sends what is unsaved when the page goes away. */
(function () {
  "use strict";
  var data = document.getElementById("package-player");
  if (!data) return; // nothing to play (a cmi5 package in a preview)
  var config = JSON.parse(data.textContent);
  var frame = document.querySelector("[data-package-frame]");
  var status = document.querySelector("[data-package-status]");
  if (config.standard === "cmi5") {
    // A cmi5 AU talks to its LRS endpoint itself, with the launch's parameters.
    frame.src = config.launch;
    return;
  }
  var scorm12 = config.standard === "scorm12";
  var settings = {
    lmsCommitUrl: config.commit || false,
    dataCommitFormat: "json",
    autocommit: Boolean(config.commit),
    autocommitSeconds: 30,
    alwaysSendTotalTime: true,
    // The runtime times the session itself (from Initialize), whatever the package reports.
    selfReportSessionTime: true,
    logLevel: 4,
  };
  var api = scorm12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromJSON(config.cmi, "");
  if (scorm12) {
    window.API = api;
  } else {
    window.API_1484_11 = api;
  }
  var finished = false;
  // The commit that says a part has ended, in flight: a link to another part waits for it,
  // so the next page (and the order-only rule) sees the part finished. Sent with keepalive
  // so leaving the page does not cut it off; a copy of the runtime's own final commit, and
  // the platform stores the same data twice without harm.
  var saving = null;
  function saveFinal() {
    var body = JSON.stringify(api.renderCommitCMI(true));
    return fetch(config.commit, {
      method: "POST",
      body: body,
      keepalive: true,
      credentials: "same-origin",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    }).then(
      function (response) { return response.ok; },
      function () { return false; }
    );
  }
  function saveUntilStored(delay) {
    return saveFinal().then(function (ok) {
      if (ok || delay > 30000) return ok;
      status.textContent = frame.dataset.retryMessage || "";
      return new Promise(function (resolve) { setTimeout(resolve, delay); }).then(function () {
        return saveUntilStored(delay * 2);
      });
    });
  }
  function ended() {
    finished = true;
    var cmi = api.cmi || {};
    var done = scorm12
      ? ["completed", "passed", "failed"].indexOf((cmi.core || {}).lesson_status) >= 0
      : cmi.completion_status === "completed" || ["passed", "failed"].indexOf(cmi.success_status) >= 0;
    function reveal() {
      // Flow only (SCORM 2004 controlMode choice="false"): the next part opens now.
      var next = document.querySelector("[data-package-next][hidden]");
      var wait = document.querySelector("[data-package-flow-wait]");
      if (next && done) next.hidden = false;
      if (wait && done) wait.hidden = true;
    }
    if (!config.commit) { // a preview records nothing
      reveal();
      return;
    }
    status.textContent = frame.dataset.savingMessage || "";
    saving = saveUntilStored(2000).then(function (ok) {
      saving = null;
      if (ok) {
        status.textContent = frame.dataset.savedMessage || "";
        reveal();
      } else {
        finished = false; // leaving the page sends it once more, in a beacon
        status.textContent = frame.dataset.failedMessage || "";
      }
    });
  }
  api.on(scorm12 ? "LMSFinish" : "Terminate", ended);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-package-toc] a, [data-package-previous], [data-package-next]");
    if (!link || !saving || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    status.textContent = frame.dataset.savingMessage || "";
    saving.then(function () { window.location.href = link.href; });
  });

  // Closing the tab or leaving the page while the package runs: what it has not committed
  // goes in a beacon (kept alive by the browser after the page is gone).
  window.addEventListener("pagehide", function () {
    if (!config.commit || finished || !api.isInitialized()) return;
    var body = JSON.stringify(api.renderCommitCMI(true));
    var blob = new Blob([body], { type: "text/plain;charset=UTF-8" });
    if (!(navigator.sendBeacon && navigator.sendBeacon(config.commit, blob))) {
      fetch(config.commit, { method: "POST", body: body, keepalive: true, credentials: "same-origin" });
    }
  });
  frame.src = config.launch;
})();
