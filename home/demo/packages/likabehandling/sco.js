/* The demo's SCO: finds the LMS's SCORM API (1.2 or 2004) in a parent window, as authoring
 * tools do, remembers where the learner is and reports the result. */
(function () {
  "use strict";
  function find(name) {
    for (var w = window, i = 0; w && i < 10; i++, w = w.parent) {
      if (w[name]) return w[name];
      if (w.parent === w) break;
    }
    return null;
  }
  var api12 = find("API");
  var api = api12 || find("API_1484_11");
  if (!api) { document.getElementById("welcome").textContent = "Ingen LMS hittades."; return; }
  var get = function (a, b) { return api12 ? api.LMSGetValue(a) : api.GetValue(b); };
  var set = function (a, b, v) { return api12 ? api.LMSSetValue(a, v) : api.SetValue(b, v); };
  if (api12) api.LMSInitialize(""); else api.Initialize("");
  // SCORM gives the name as "Family, Given": greet the person as they are called.
  var parts = String(get("cmi.core.student_name", "cmi.learner_name") || "").split(", ");
  var name = parts.length === 2 ? parts[1] + " " + parts[0] : parts.join(", ");
  var before = get("cmi.suspend_data", "cmi.suspend_data");
  document.getElementById("welcome").textContent =
    "Välkommen " + name + (before ? ". Du svarade förra gången " + before + "." : ".");
  document.getElementById("submit").addEventListener("click", function () {
    var chosen = document.querySelector("input[name=answer]:checked");
    if (!chosen) { document.getElementById("result").textContent = "Välj ett svar."; return; }
    var right = chosen.value === "7";
    set("cmi.suspend_data", "cmi.suspend_data", chosen.value);
    set("cmi.core.score.raw", "cmi.score.raw", right ? "100" : "0");
    if (api12) {
      api.LMSSetValue("cmi.core.lesson_status", right ? "passed" : "failed");
      api.LMSFinish("");
    } else {
      api.SetValue("cmi.score.scaled", right ? "1" : "0");
      api.SetValue("cmi.completion_status", "completed");
      api.SetValue("cmi.success_status", right ? "passed" : "failed");
      api.SetValue("cmi.exit", "normal");
      api.Terminate("");
    }
    document.getElementById("result").textContent = right
      ? "Rätt: sju grunder. Steget är klart."
      : "Inte rätt. Läs texten igen och ladda om sidan för att försöka på nytt.";
  });
})();
