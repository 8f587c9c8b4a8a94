"""Small packages written here, not downloaded: a SCO of plain HTML and JavaScript that
calls the runtime's API as real authoring tools do (find the API in a parent window,
initialise, read and write the data model, commit, finish)."""

from __future__ import annotations

import io
import zipfile

SCO_JS = r"""
(function () {
  "use strict";
  function find(name) {
    var w = window;
    for (var i = 0; i < 10 && w; i++) {
      if (w[name]) return w[name];
      if (w.parent === w) break;
      w = w.parent;
    }
    return null;
  }
  var v12 = Boolean(find("API"));
  var api = v12 ? find("API") : find("API_1484_11");
  var call = {
    init: function () { return v12 ? api.LMSInitialize("") : api.Initialize(""); },
    get: function (k) { return v12 ? api.LMSGetValue(k) : api.GetValue(k); },
    set: function (k, v) { return v12 ? api.LMSSetValue(k, v) : api.SetValue(k, v); },
    commit: function () { return v12 ? api.LMSCommit("") : api.Commit(""); },
    finish: function () { return v12 ? api.LMSFinish("") : api.Terminate(""); },
    error: function () { return v12 ? api.LMSGetLastError() : api.GetLastError(); },
  };
  var el = {
    location: v12 ? "cmi.core.lesson_location" : "cmi.location",
    entry: v12 ? "cmi.core.entry" : "cmi.entry",
    exit: v12 ? "cmi.core.exit" : "cmi.exit",
    name: v12 ? "cmi.core.student_name" : "cmi.learner_name",
    id: v12 ? "cmi.core.student_id" : "cmi.learner_id",
    raw: v12 ? "cmi.core.score.raw" : "cmi.score.raw",
  };
  function show(id, text) { document.getElementById(id).textContent = text; }
  show("init", String(call.init()));
  show("entry", call.get(el.entry));
  show("name", call.get(el.name));
  show("location", call.get(el.location) || "start");
  show("suspend-length", String(call.get("cmi.suspend_data").length));
  document.getElementById("answer").addEventListener("click", function () {
    var value = document.getElementById("reply").value;
    call.set(el.location, "question-2");
    call.set("cmi.suspend_data", "answer=" + value + ";" + new Array(6001).join("x"));
    call.set(el.raw, value === "4" ? "90" : "10");
    if (!v12) {
      call.set("cmi.score.min", "0");
      call.set("cmi.score.max", "100");
      call.set("cmi.score.scaled", value === "4" ? "0.9" : "0.1");
      call.set("cmi.completion_status", "incomplete");
    } else {
      call.set("cmi.core.lesson_status", "incomplete");
    }
    call.set(el.exit, "suspend");
    show("noted", "noted");  // not committed: closing the tab must not lose it
  });
  document.getElementById("save").addEventListener("click", function () {
    show("committed", String(call.commit()));
  });
  document.getElementById("read-only").addEventListener("click", function () {
    show("read-only-result", call.set(el.id, "someone-else") + " " + call.error());
  });
  document.getElementById("pass").addEventListener("click", function () {
    if (v12) {
      call.set("cmi.core.lesson_status", "passed");
      call.set(el.exit, "");
    } else {
      call.set("cmi.completion_status", "completed");
      call.set("cmi.success_status", "passed");
      call.set(el.exit, "normal");
    }
    show("finished", String(call.finish()));
  });
})();
"""

SCO_HTML = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Testkurs</title>
<link rel="stylesheet" href="style/sco.css"></head>
<body>
<h1>Testkurs</h1>
<p>Initialise: <span id="init"></span> · entry: <span id="entry"></span></p>
<p>Learner: <span id="name"></span> · location: <span id="location"></span>
 · suspend_data: <span id="suspend-length"></span></p>
<label for="reply">2 + 2 =</label> <input id="reply">
<button id="answer" type="button">Answer</button> <span id="noted"></span>
<button id="save" type="button">Save</button> <span id="committed"></span>
<button id="pass" type="button">Pass</button> <span id="finished"></span>
<button id="read-only" type="button">Write read-only</button> <span id="read-only-result"></span>
<script src="scripts/sco.js"></script>
</body></html>
"""

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="item" identifierref="res"><title>{title}</title>
        <adlcp:masteryscore>80</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="{launch}">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="item" identifierref="res"><title>{title}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res" type="webcontent" adlcp:scormType="sco" href="{launch}">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""

CMI5_XML = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/course/test">
    <title><langstring lang="sv">{title}</langstring></title>
    <description><langstring lang="sv">Test</langstring></description>
  </course>
  <au id="https://example.org/au/1" moveOn="CompletedAndPassed" masteryScore="0.8">
    <title><langstring lang="sv">Del 1</langstring></title>
    <description><langstring lang="sv">Del 1</langstring></description>
    <url>{launch}</url>
  </au>
</courseStructure>
"""


# A cmi5 AU's side, by hand (as a test; content would use a cmi5 library): the launch
# parameters, the one-time token, LMS.LaunchData, then statements to the LRS endpoint.
AU_JS = r"""
(async function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var show = function (id, text) { document.getElementById(id).textContent = text; };
  var token = (await (await fetch(q.get("fetch"), { method: "POST" })).json())["auth-token"];
  var headers = { "Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3",
                  "Content-Type": "application/json" };
  var state = q.get("endpoint") + "activities/state?stateId=LMS.LaunchData&activityId="
    + encodeURIComponent(q.get("activityId")) + "&registration=" + q.get("registration")
    + "&agent=" + encodeURIComponent(q.get("actor"));
  var launch = await (await fetch(state, { headers: headers })).json();
  show("move-on", launch.moveOn);
  function send(verb, extra) {
    var statement = Object.assign({
      id: crypto.randomUUID(), actor: JSON.parse(q.get("actor")),
      verb: { id: "http://adlnet.gov/expapi/verbs/" + verb },
      object: { id: q.get("activityId"), objectType: "Activity" },
      context: Object.assign({}, launch.contextTemplate, { registration: q.get("registration") }),
    }, extra || {});
    return fetch(q.get("endpoint") + "statements", {
      method: "POST", headers: headers, body: JSON.stringify(statement) });
  }
  await send("initialized");
  show("ready", "ready");
  document.getElementById("pass").addEventListener("click", async function () {
    await send("completed");
    var answer = await send("passed", { result: { score: { scaled: 0.9 }, success: true } });
    await send("terminated");
    show("finished", String(answer.status));
  });
})();
"""

AU_HTML = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>AU</title></head>
<body><h1>cmi5 AU</h1>
<p>moveOn: <span id="move-on"></span> · <span id="ready"></span></p>
<button id="pass" type="button">Pass</button> <span id="finished"></span>
<script src="au.js"></script></body></html>
"""


def build_zip(files: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def sco_files() -> dict[str, str]:
    return {
        "index.html": SCO_HTML,
        "scripts/sco.js": SCO_JS,
        "style/sco.css": "body { font-family: sans-serif; }",
    }


def scorm12_package(*, title="Likabehandling 1.2", version="1.2", launch="index.html") -> bytes:
    manifest = MANIFEST_12.format(title=title, version=version, launch=launch)
    return build_zip({"imsmanifest.xml": manifest, **sco_files()})


def scorm2004_package(
    *, title="Likabehandling 2004", version="2004 4th Edition", launch="index.html"
) -> bytes:
    manifest = MANIFEST_2004.format(title=title, version=version, launch=launch)
    return build_zip({"imsmanifest.xml": manifest, **sco_files()})


def cmi5_package(*, title="Likabehandling cmi5", launch="index.html") -> bytes:
    return build_zip(
        {
            "cmi5.xml": CMI5_XML.format(title=title, launch=launch),
            **sco_files(),
            "au.html": AU_HTML,
            "au.js": AU_JS,
        }
    )
