"""Packages with several units (decision 0047): every SCO and asset of a SCORM package in
the organisation's order, every AU of a cmi5 course; a table of contents; each unit's CMI
data kept and resumed on its own; the package's result rolled up from its units."""

import importlib
import json

import pytest
from django.apps import apps

from tests.factories import CoursePageFactory, ModulePageFactory, enrolled_learner, route
from tests.packages.builders import (
    cmi5_multi_package,
    scorm12_multi_package,
    scorm12_package,
    scorm2004_multi_package,
)
from tests.packages.conftest import make_package, package_step
from tests.packages.test_cmi5 import _lrs, _statement
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.manifests import read_package
from wagtail_learning.packages.models import PackageAttempt, UnitAttempt

migration = importlib.import_module("wagtail_learning.packages.migrations.0003_attempts_per_unit")


def _read(data: bytes):
    import io

    return read_package(io.BytesIO(data))[0]


def test_every_item_with_a_launchable_resource_is_a_unit_in_document_order():
    package = _read(scorm12_multi_package())

    assert [u["id"] for u in package.units] == ["sco-1", "sco-2", "reading"]
    assert [u["title"] for u in package.units] == ["Del 1", "Del 2", "Läsning"]
    assert [u["kind"] for u in package.units] == ["sco", "sco", "asset"]
    assert [u["depth"] for u in package.units] == [1, 1, 0]  # nested in "Kapitel 1"
    assert package.units[0]["parents"] == ["Kapitel 1"]
    assert package.units[0]["mastery_score"] == 80
    assert (package.units[1]["path"], package.units[1]["query"]) == ("two/index.html", "del=2")
    assert package.units[1]["launch_data"] == "kapitel=2"
    assert package.launch_path == "index.html" and package.choice is True


def test_a_2004_control_mode_without_choice_is_flow_only_and_other_sequencing_is_ignored():
    assert _read(scorm2004_multi_package()).choice is True
    flow = _read(scorm2004_multi_package(choice=False))
    assert flow.choice is False
    assert [u["id"] for u in flow.units] == ["sco-1", "sco-2"]


def test_every_au_of_a_cmi5_course_is_a_unit_blocks_included():
    package = _read(cmi5_multi_package())

    assert [u["id"].rsplit("/", 1)[1] for u in package.units] == ["1", "2", "extra"]
    assert [u["move_on"] for u in package.units] == ["CompletedAndPassed", "Completed",
                                                      "NotApplicable"]  # fmt: skip
    assert package.activity_id == "https://example.org/course/multi"


# --- Playing ------------------------------------------------------------------------------


def _world(data, **step_kwargs):
    package = make_package(data)
    course = CoursePageFactory()
    step = package_step(package, **step_kwargs)
    module = ModulePageFactory(parent=course, steps=[step])
    return package, course, module, step


def _open(client, module, step, unit=None):
    url = route(module, "step", step["id"]) + (f"?del={unit}" if unit else "")
    page = client.get(url)
    assert page.status_code == 200
    return page


def _commit(client, module, step, unit, cmi):
    commit = _open(client, module, step, unit).context["package_player"]["commit"]
    return client.post(commit, json.dumps({"cmi": cmi}), content_type="text/plain")


def _done(learner, module) -> bool:
    return lms.Completion.objects.filter(user=learner, page=module).exists()


DONE_2004 = {"completion_status": "completed", "success_status": "passed", "exit": "normal"}


@pytest.mark.django_db
@pytest.mark.parametrize("order", [["sco-1", "sco-2"], ["sco-2", "sco-1"]])
def test_the_package_completes_when_every_sco_has_in_any_order(client, order):
    _package, course, module, step = _world(scorm2004_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)

    first, second = order
    assert _commit(client, module, step, first, DONE_2004).json()["result"] == "true"
    assert not _done(learner, module)
    attempt = PackageAttempt.objects.get(user=learner)
    assert attempt.completion_status == "incomplete"
    _commit(client, module, step, second, DONE_2004)
    assert _done(learner, module)
    assert PackageAttempt.objects.get(user=learner).completion_status == "completed"


@pytest.mark.django_db
def test_passed_needs_every_judged_sco_passed_and_the_score_is_their_mean(client):
    _package, course, module, step = _world(scorm2004_multi_package(), completes_on="passed")
    learner = enrolled_learner(course)
    client.force_login(learner)

    _commit(client, module, step, "sco-2", {**DONE_2004, "score": {"scaled": "0.6"}})
    attempt = PackageAttempt.objects.get(user=learner)
    assert attempt.success_status == "unknown"  # SCO 1 not played: no result yet
    assert attempt.score is None
    _commit(client, module, step, "sco-1", {**DONE_2004, "success_status": "failed",
                                            "score": {"scaled": "0.4"}})  # fmt: skip
    attempt.refresh_from_db()
    assert (attempt.success_status, attempt.score) == ("failed", 50)
    assert not _done(learner, module)
    _commit(client, module, step, "sco-1", {**DONE_2004, "score": {"scaled": "1"}})
    attempt.refresh_from_db()
    assert (attempt.success_status, attempt.score) == ("passed", 80)
    assert _done(learner, module)


@pytest.mark.django_db
def test_an_asset_counts_as_completed_once_opened(client):
    _package, course, module, step = _world(scorm12_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)
    for unit in ("sco-1", "sco-2"):
        _commit(client, module, step, unit, {"core": {"lesson_status": "completed"}})
    assert not _done(learner, module)

    page = _open(client, module, step, "reading")
    assert page.context["package_player"]["launch"].endswith("/fil/reading.html")
    assert _done(learner, module)


@pytest.mark.django_db
def test_each_sco_resumes_where_it_stopped_and_the_step_reopens_on_the_last_one(client):
    _package, course, module, step = _world(scorm12_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)
    for unit, where in (("sco-1", "sida-4"), ("sco-2", "sida-9")):
        core = {"lesson_status": "incomplete", "lesson_location": where, "exit": "suspend",
                "total_time": "0000:02:00"}  # fmt: skip
        _commit(client, module, step, unit, {"core": core, "suspend_data": f"data-{unit}"})

    one = _open(client, module, step, "sco-1").context["package_player"]
    assert one["cmi"]["core"]["lesson_location"] == "sida-4"
    assert one["cmi"]["suspend_data"] == "data-sco-1"
    assert one["cmi"]["core"]["entry"] == "resume"
    assert one["cmi"]["student_data"]["mastery_score"] == "80"
    two = _open(client, module, step, "sco-2").context
    assert two["package_player"]["cmi"]["core"]["lesson_location"] == "sida-9"
    assert two["package_player"]["cmi"]["launch_data"] == "kapitel=2"
    assert two["package_player"]["launch"].endswith("/fil/two/index.html?del=2")

    again = _open(client, module, step)  # no part asked for: the last one visited
    assert again.context["package_player"]["unit"] == "sco-2"
    assert PackageAttempt.objects.get(user=learner).total_seconds == 240
    html = again.content.decode()
    assert 'aria-current="step">Del 2</a>' in html
    assert "(Ej påbörjad)" in html or "(Not started)" in html  # the asset


@pytest.mark.django_db
def test_commits_for_two_scos_in_either_order_both_land(client):
    _package, course, module, step = _world(scorm2004_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)
    urls = {
        unit: _open(client, module, step, unit).context["package_player"]["commit"]
        for unit in ("sco-1", "sco-2")
    }
    # The beacons of two pages (SCO 1 left for SCO 2) arrive in the other order.
    for unit in ("sco-2", "sco-1"):
        body = json.dumps({"cmi": {"location": f"at-{unit}", "exit": "suspend"}})
        assert client.post(urls[unit], body, content_type="text/plain").status_code == 200
    stored = dict(UnitAttempt.objects.values_list("unit_id", "cmi__location"))
    assert stored == {"sco-1": "at-sco-1", "sco-2": "at-sco-2"}


@pytest.mark.django_db
def test_a_commit_for_a_unit_the_package_does_not_have_is_a_400_and_stores_nothing(client):
    _package, course, module, step = _world(scorm2004_multi_package())
    client.force_login(enrolled_learner(course))
    commit = _open(client, module, step).context["package_player"]["commit"]

    bad = commit.replace("del=sco-1", "del=sco-9")
    response = client.post(bad, json.dumps({"cmi": DONE_2004}), content_type="text/plain")
    assert response.status_code == 400
    assert "sco-9" in response.json()["detail"]
    assert not UnitAttempt.objects.exists()


@pytest.mark.django_db
def test_flow_only_opens_the_next_sco_once_the_current_one_is_finished(client):
    _package, course, module, step = _world(scorm2004_multi_package(choice=False))
    client.force_login(enrolled_learner(course))

    refused = _open(client, module, step, "sco-2")
    assert refused.context["package_player"]["unit"] == "sco-1"
    assert refused.context["package_refused_unit"] is True
    assert refused.context["package_next"] is None
    assert refused.context["package_flow_waits"]["unit"]["id"] == "sco-2"
    _commit(client, module, step, "sco-1", DONE_2004)
    opened = _open(client, module, step, "sco-2")
    assert opened.context["package_player"]["unit"] == "sco-2"
    assert opened.context["package_previous"]["unit"]["id"] == "sco-1"


@pytest.mark.django_db
def test_choice_lets_the_learner_open_any_sco(client):
    _package, course, module, step = _world(scorm2004_multi_package())
    client.force_login(enrolled_learner(course))
    page = _open(client, module, step, "sco-2")
    assert page.context["package_player"]["unit"] == "sco-2"
    assert page.context["package_next"] is None
    assert page.context["package_previous"]["unit"]["id"] == "sco-1"


# --- cmi5 ---------------------------------------------------------------------------------


def _launch_au(client, module, step, au=None) -> dict:
    from urllib.parse import parse_qs, urlsplit

    launch = _open(client, module, step, au).context["package_player"]["launch"]
    params = {key: values[0] for key, values in parse_qs(urlsplit(launch).query).items()}
    params["path"] = urlsplit(launch).path
    params["token"] = client.post(params["fetch"].split("testserver", 1)[1]).json()["auth-token"]
    return params


@pytest.mark.django_db
def test_a_cmi5_course_is_satisfied_when_every_au_that_counts_is(client):
    _package, course, module, step = _world(cmi5_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)

    one = _launch_au(client, module, step, "https://example.org/au/1")
    assert one["activityId"] == "https://example.org/au/1"
    data = _lrs(client, one, "activities/state", one["token"], "get", stateId="LMS.LaunchData")
    assert data.json()["returnURL"].endswith(
        route(module, "step", step["id"]) + "?del=https%3A%2F%2Fexample.org%2Fau%2F1"
    )
    for verb in ("initialized", "completed"):
        _lrs(client, one, "statements", one["token"], body=_statement(one, verb))
    passed = _statement(one, "passed", result={"score": {"scaled": 0.9}})
    _lrs(client, one, "statements", one["token"], body=passed)
    assert not _done(learner, module)  # AU 2 is still to do; "extra" does not count

    two = _launch_au(client, module, step, "https://example.org/au/2")
    assert two["registration"] == one["registration"]  # one registration, a session each
    assert two["fetch"] != one["fetch"]
    attempt = PackageAttempt.objects.get(user=learner)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in attempt.cmi.get("statements", [])]
    assert verbs == ["launched", "abandoned", "launched"]  # AU 1 never sent "terminated"
    _lrs(client, two, "statements", two["token"], body=_statement(two, "completed"))
    assert _done(learner, module)
    attempt.refresh_from_db()
    satisfied = attempt.cmi["statements"][-1]
    assert satisfied["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/satisfied"
    assert satisfied["object"]["id"] == "https://example.org/course/multi"
    assert satisfied["context"]["registration"] == one["registration"]
    statuses = {r.unit_id.rsplit("/", 1)[1]: r.completion_status for r in attempt.units.all()}
    assert statuses == {"1": "completed", "2": "completed"}

    three = _launch_au(client, module, step)  # back to the step: the AU last played
    assert three["activityId"] == "https://example.org/au/2"
    attempt.refresh_from_db()
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in attempt.cmi["statements"]]
    assert verbs == ["launched", "abandoned", "launched", "satisfied", "satisfied",  # block, course
                     "abandoned", "launched"]  # AU 2 did not terminate either  # fmt: skip


CMI5_EXT = "https://w3id.org/xapi/cmi5/context/extensions/"


def _lms_statements(learner, verb: str) -> list[dict]:
    attempt = PackageAttempt.objects.get(user=learner)
    return [s for s in attempt.cmi.get("statements", []) if s["verb"]["id"].endswith("/" + verb)]


@pytest.mark.django_db
def test_a_cmi5_launch_records_one_launched_statement_with_the_launch_context(client):
    _package, course, module, step = _world(cmi5_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)

    one = _launch_au(client, module, step, "https://example.org/au/1")

    [launched] = _lms_statements(learner, "launched")
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert launched["actor"] == json.loads(one["actor"])
    assert launched["object"]["id"] == "https://example.org/au/1"
    context = launched["context"]
    assert context["registration"] == one["registration"]
    assert {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"} in context[
        "contextActivities"]["category"]  # fmt: skip
    extensions = context["extensions"]
    data = _lrs(client, one, "activities/state", one["token"], "get", stateId="LMS.LaunchData")
    session = data.json()["contextTemplate"]["extensions"][CMI5_EXT + "sessionid"]
    assert extensions[CMI5_EXT + "sessionid"] == session  # the AU's own session
    assert extensions[CMI5_EXT + "launchmode"] == "Normal"
    assert extensions[CMI5_EXT + "launchurl"] == "http://testserver" + one["path"]
    assert extensions[CMI5_EXT + "moveon"] == "CompletedAndPassed"
    assert extensions[CMI5_EXT + "publisherid"] == "https://example.org/au/1"
    assert extensions[CMI5_EXT + "launchparameters"] == "avsnitt=1"
    assert extensions[CMI5_EXT + "masteryscore"] == 0.8
    assert one["fetch"] not in json.dumps(launched)  # the one-time secret stays out
    assert data.json()["launchParameters"] == "avsnitt=1"


@pytest.mark.django_db
def test_two_cmi5_launches_record_two_launched_statements_with_their_own_sessions(client):
    _package, course, module, step = _world(cmi5_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)

    _launch_au(client, module, step, "https://example.org/au/2")
    _launch_au(client, module, step, "https://example.org/au/2")

    launched = _lms_statements(learner, "launched")
    assert len(launched) == 2
    sessions = {s["context"]["extensions"][CMI5_EXT + "sessionid"] for s in launched}
    assert len(sessions) == 2
    assert launched[0]["context"]["extensions"][CMI5_EXT + "launchurl"].endswith(
        "/au.html?del=2")  # fmt: skip
    assert CMI5_EXT + "launchparameters" not in launched[0]["context"]["extensions"]


@pytest.mark.django_db
@pytest.mark.parametrize("order", [["2", "extra"], ["extra", "2"]])
def test_a_cmi5_block_is_satisfied_once_when_its_aus_are_in_either_order(client, order):
    _package, course, module, step = _world(cmi5_multi_package(extra_move_on="Completed"))
    learner = enrolled_learner(course)
    client.force_login(learner)
    block = "https://example.org/block/1"

    def block_satisfied():
        return [s for s in _lms_statements(learner, "satisfied") if s["object"]["id"] == block]

    first, second = (_launch_au(client, module, step, f"https://example.org/au/{au}")
                     for au in order)  # fmt: skip
    _lrs(client, first, "statements", first["token"], body=_statement(first, "completed"))
    assert block_satisfied() == []  # one of its two AUs
    _lrs(client, second, "statements", second["token"], body=_statement(second, "completed"))
    [satisfied] = block_satisfied()
    assert satisfied["context"]["registration"] == first["registration"]
    assert (
        satisfied["context"]["extensions"][CMI5_EXT + "sessionid"]
        == (
            _lms_statements(learner, "launched")[-1]["context"]["extensions"][
                CMI5_EXT + "sessionid"
            ]
        )
    )
    assert not _done(learner, module)  # AU 1, outside the block, is still to do

    _lrs(client, second, "statements", second["token"], body=_statement(second, "completed"))
    _lrs(client, first, "statements", first["token"], body=_statement(first, "completed"))
    assert len(block_satisfied()) == 1  # repeat commits record nothing more


def test_each_cmi5_au_keeps_the_blocks_it_is_in():
    package = _read(cmi5_multi_package())
    assert [au["blocks"] for au in package.aus] == [
        [], ["https://example.org/block/1"], ["https://example.org/block/1"]]  # fmt: skip


# --- The migration ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_makes_an_attempts_data_its_first_units_and_back(client):
    package, course, module, step = _world(scorm12_package())
    learner = enrolled_learner(course)
    cmi = {"core": {"lesson_location": "q2", "exit": "suspend"}, "suspend_data": "x" * 5000}
    attempt = PackageAttempt.objects.create(
        user=learner, module=module, step_id=step["id"], package=package, cmi=cmi,
        completion_status="incomplete", success_status="unknown", score=40,
        total_seconds=90, commits=3,
    )  # fmt: skip
    type(package).objects.filter(pk=package.pk).update(units=[])  # as before 0002

    migration.units_for_packages(apps, None)

    package.refresh_from_db()
    assert [u["id"] for u in package.units] == ["1"]
    assert package.units[0]["path"] == "index.html"
    unit = UnitAttempt.objects.get(attempt=attempt)
    assert (unit.unit_id, unit.cmi, unit.score, unit.total_seconds, unit.commits) == (
        "1", cmi, 40, 90, 3)  # fmt: skip
    attempt.refresh_from_db()
    assert attempt.cmi == {} and attempt.current_unit == "1"
    migration.units_for_packages(apps, None)  # twice: nothing more
    assert UnitAttempt.objects.count() == 1

    client.force_login(learner)  # and the learner resumes where they were
    state = _open(client, module, step).context["package_player"]
    assert state["cmi"]["core"]["lesson_location"] == "q2"
    assert state["cmi"]["suspend_data"] == "x" * 5000

    migration.attempts_whole_again(apps, None)
    attempt.refresh_from_db()
    assert attempt.cmi == cmi


@pytest.mark.django_db
def test_each_units_data_is_in_the_persons_record_not_in_hrs_and_anonymising_empties_it(client):
    from wagtail_learning.compliance import api as compliance
    from wagtail_learning.packages.privacy import personal_data

    _package, course, module, step = _world(scorm2004_multi_package())
    learner = enrolled_learner(course)
    client.force_login(learner)
    _commit(client, module, step, "sco-2", {"location": "x", "suspend_data": "mitt svar"})

    own = compliance.get_training_record(learner)["packages"][0]
    assert own["units"][0]["data"]["suspend_data"] == "mitt svar"
    for_hr = compliance.serialise_training_record(compliance.get_training_record_for_hr(learner))
    assert "mitt svar" not in for_hr

    rule = personal_data()["packages.packageattempt.user"]
    rule.run(rows=PackageAttempt.objects.filter(user=learner), user=learner, former=[], label="")
    unit = UnitAttempt.objects.get()
    assert unit.cmi == {} and unit.unit_id == "sco-2"  # the row (its results) stays
