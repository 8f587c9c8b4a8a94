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


# --- Packages with several units (decision 0047) ----------------------------------------

# SCORM 1.2: a chapter (an item without a resource) holding two SCOs, then an asset.
MANIFEST_12_MULTI = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-12-multi" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="chapter"><title>Kapitel 1</title>
        <item identifier="sco-1" identifierref="res-1"><title>Del 1</title>
          <adlcp:masteryscore>80</adlcp:masteryscore></item>
        <item identifier="sco-2" identifierref="res-2" parameters="?del=2"><title>Del 2</title>
          <adlcp:datafromlms>kapitel=2</adlcp:datafromlms></item>
      </item>
      {extra}
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/></resource>
    <resource identifier="res-2" type="webcontent" adlcp:scormtype="sco" href="two/index.html">
      <file href="two/index.html"/></resource>
    <resource identifier="res-asset" type="webcontent" adlcp:scormtype="asset"
      href="reading.html"><file href="reading.html"/></resource>
    <resource identifier="res-shared" type="webcontent" adlcp:scormtype="asset">
      <file href="style/sco.css"/></resource>
  </resources>
</manifest>
"""

# SCORM 2004: two SCOs; `control` becomes an imsss:sequencing controlMode on the
# organisation (choice="false": flow only), beside sequencing the platform ignores.
MANIFEST_2004_MULTI = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-2004-multi" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>{title}</title>
      <item identifier="sco-1" identifierref="res-1"><title>Del 1</title>
        <imsss:sequencing><imsss:rollupRules objectiveMeasureWeight="1"/>
          <imsss:objectives><imsss:primaryObjective objectiveID="p1"
            satisfiedByMeasure="false"/></imsss:objectives></imsss:sequencing></item>
      <item identifier="sco-2" identifierref="res-2"><title>Del 2</title></item>
      <imsss:sequencing>{control}<imsss:sequencingRules><imsss:preConditionRule>
        <imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>
        <imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
        <adlseq:rollupConsiderations requiredForSatisfied="always"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-1" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/></resource>
    <resource identifier="res-2" type="webcontent" adlcp:scormType="sco" href="two/index.html">
      <file href="two/index.html"/></resource>
  </resources>
</manifest>
"""

CMI5_XML_MULTI = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/course/multi">
    <title><langstring lang="sv">{title}</langstring></title>
    <description><langstring lang="sv">Test</langstring></description>
  </course>
  <au id="https://example.org/au/1" moveOn="CompletedAndPassed" masteryScore="0.8">
    <title><langstring lang="sv">Del 1</langstring></title>
    <description><langstring lang="sv">Del 1</langstring></description>
    <url>au.html</url>
    <launchParameters>avsnitt=1</launchParameters>
  </au>
  <block id="https://example.org/block/1">
    <title><langstring lang="sv">Block</langstring></title>
    <description><langstring lang="sv">Block</langstring></description>
    <au id="https://example.org/au/2" moveOn="Completed">
      <title><langstring lang="sv">Del 2</langstring></title>
      <description><langstring lang="sv">Del 2</langstring></description>
      <url>au.html?del=2</url>
    </au>
    <au id="https://example.org/au/extra" moveOn="{extra_move_on}">
      <title><langstring lang="sv">Extramaterial</langstring></title>
      <description><langstring lang="sv">Frivilligt</langstring></description>
      <url>au.html?del=3</url>
    </au>
  </block>
</courseStructure>
"""


def _second_sco_files() -> dict[str, str]:
    """The same SCO in a folder of its own (the second chapter): its page names its part
    so a test can tell the two apart."""
    page = SCO_HTML.replace("<h1>Testkurs</h1>", "<h1>Testkurs del 2</h1>")
    return {
        "two/index.html": page.replace('href="style/', 'href="../style/').replace(
            'src="scripts/', 'src="../scripts/'
        ),
    }


def scorm12_multi_package(*, title="Likabehandling 1.2 i delar", asset=True) -> bytes:
    extra = (
        '<item identifier="reading" identifierref="res-asset"><title>Läsning</title></item>'
        if asset
        else ""
    )
    return build_zip(
        {
            "imsmanifest.xml": MANIFEST_12_MULTI.format(title=title, extra=extra),
            **sco_files(),
            **_second_sco_files(),
            "reading.html": "<!doctype html><title>Läsning</title><p>Läs detta.</p>",
        }
    )


def scorm2004_multi_package(*, title="Likabehandling 2004 i delar", choice=True) -> bytes:
    control = "" if choice else '<imsss:controlMode choice="false" flow="true"/>'
    return build_zip(
        {
            "imsmanifest.xml": MANIFEST_2004_MULTI.format(title=title, control=control),
            **sco_files(),
            **_second_sco_files(),
        }
    )


def cmi5_multi_package(
    *, title="Likabehandling cmi5 i delar", extra_move_on="NotApplicable"
) -> bytes:
    """Three AUs: one before a block, two in it (the second, "extra", counts for nothing
    unless given a moveOn)."""
    return build_zip(
        {
            "cmi5.xml": CMI5_XML_MULTI.format(title=title, extra_move_on=extra_move_on),
            **sco_files(),
            "au.html": AU_HTML,
            "au.js": AU_JS,
        }
    )
