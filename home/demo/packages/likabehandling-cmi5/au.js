/* The demo's cmi5 AU: reads its launch parameters, fetches its token once, reads
 * LMS.LaunchData and reports to the LMS's LRS endpoint (cmi5's "AU" side, by hand: a
 * real AU would use a cmi5 library such as @xapi/cmi5). */
(async function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var say = function (id, text) { document.getElementById(id).textContent = text; };
  if (!q.get("fetch")) { say("welcome", "Starta kursen från lärplattformen."); return; }
  var token = (await (await fetch(q.get("fetch"), { method: "POST" })).json())["auth-token"];
  var headers = { "Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3",
                  "Content-Type": "application/json" };
  var state = q.get("endpoint") + "activities/state?stateId=LMS.LaunchData&activityId="
    + encodeURIComponent(q.get("activityId")) + "&registration=" + q.get("registration")
    + "&agent=" + encodeURIComponent(q.get("actor"));
  var launch = await (await fetch(state, { headers: headers })).json();
  function send(verb, extra) {
    return fetch(q.get("endpoint") + "statements", {
      method: "POST", headers: headers,
      body: JSON.stringify(Object.assign({
        id: crypto.randomUUID(), actor: JSON.parse(q.get("actor")),
        verb: { id: "http://adlnet.gov/expapi/verbs/" + verb },
        object: { id: q.get("activityId"), objectType: "Activity" },
        context: Object.assign({}, launch.contextTemplate, { registration: q.get("registration") }),
      }, extra || {})),
    });
  }
  await send("initialized");
  say("welcome", "Välkommen.");
  document.getElementById("submit").addEventListener("click", async function () {
    var chosen = document.querySelector("input[name=answer]:checked");
    if (!chosen) { say("result", "Välj ett svar."); return; }
    var right = chosen.value === "7";
    await send("completed");
    await send(right ? "passed" : "failed",
               { result: { score: { scaled: right ? 1 : 0 }, success: right } });
    await send("terminated");
    say("result", right ? "Rätt: sju grunder. Steget är klart."
                        : "Inte rätt. Ladda om sidan för att försöka på nytt.");
  });
})();
