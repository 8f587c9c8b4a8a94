/* The demo's first SCO of the SCORM 2004 package: a reading part that reports itself
 * completed when the learner says they have read it (no score). */
(function () {
  "use strict";
  function find(name) {
    for (var w = window, i = 0; w && i < 10; i++, w = w.parent) {
      if (w[name]) return w[name];
      if (w.parent === w) break;
    }
    return null;
  }
  var api = find("API_1484_11");
  if (!api) { document.getElementById("welcome").textContent = "Ingen LMS hittades."; return; }
  api.Initialize("");
  // SCORM gives the name as "Family, Given": greet the person as they are called.
  var parts = String(api.GetValue("cmi.learner_name") || "").split(", ");
  var name = parts.length === 2 ? parts[1] + " " + parts[0] : parts.join(", ");
  document.getElementById("welcome").textContent = "Välkommen " + name + ".";
  if (api.GetValue("cmi.completion_status") !== "completed") {
    api.SetValue("cmi.completion_status", "incomplete");
  }
  document.getElementById("read").addEventListener("click", function () {
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.exit", "normal");
    api.Terminate("");
    document.getElementById("result").textContent =
      "Bra. Gå vidare till nästa del: kontrollfrågan.";
  });
})();
