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
  function ended() {
    finished = true;
    status.textContent = frame.dataset.savedMessage || "";
    // Flow only (SCORM 2004 controlMode choice="false"): the next part opens now.
    var next = document.querySelector("[data-package-next][hidden]");
    var wait = document.querySelector("[data-package-flow-wait]");
    var cmi = api.cmi || {};
    var done = scorm12
      ? ["completed", "passed", "failed"].indexOf((cmi.core || {}).lesson_status) >= 0
      : cmi.completion_status === "completed" || ["passed", "failed"].indexOf(cmi.success_status) >= 0;
    if (next && done) next.hidden = false;
    if (wait && done) wait.hidden = true;
  }
  api.on(scorm12 ? "LMSFinish" : "Terminate", ended);

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
