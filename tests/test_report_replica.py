"""Report pages and exports read from the replica; everything else from the primary
(issue 26, decision 0049).

The test settings have a "replica" alias that mirrors the test database (Django's TEST
MIRROR: a second connection to the same database) and the router installed, with
LMS_REPORTS_DATABASE empty. These tests set it to "replica" and watch which connection each
request's statements go to. They commit (transaction=True): the replica connection sees
only what is committed, as a real replica does.
"""

from __future__ import annotations

import re

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import sharing_world
from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    SuperuserFactory,
    api_post,
    choice,
    enrol,
    lecture_step,
    quiz_step,
    single_choice,
)
from wagtail_learning.lms import replica
from wagtail_learning.org.api import Organisation

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

# Every report page and export: what a lagging copy may answer (seconds old). A view added
# to the reports is wrapped in reads_from_replica where its URL is registered, and named here.
REPORT_URLS = {
    "hr_compliance",
    "hr_unit_people",
    "hr_person",
    "hr_forecast",
    "hr_forecast_people",
    "hr_certification",
    "hr_unit_certification",
    "hr_shared_courses",
    "hr_shared_course",
    "hr_programme_report",
    "insight_lecture_retention",
    "insight_quiz_item_analysis",
}
# Tables that decide who may read what: read on the primary even inside a report.
PRIMARY_TABLES = re.compile(
    r"^(auth_(permission|group|user_groups|user_user_permissions)|django_session|axes_"
    r"|lms_reportingscope|org_editorialgroup)"
)
TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def marked_views(resolver=None, prefix=""):
    """(URL name, pattern) of every view wrapped in reads_from_replica, from the resolver."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from marked_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "reads_from_replica", False):
            yield entry.name, prefix + str(entry.pattern)


def all_url_names(resolver=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_url_names(entry)
        elif entry.name:
            yield entry.name


def tables(queries) -> set[str]:
    return {
        t
        for q in queries
        for t in TABLE.findall(q["sql"])
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    }


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def world(db):
    w = sharing_world.build()
    quiz = QuizFactory(questions=[single_choice("Hur många?", [choice("Sju", correct=True)])])
    w.lecture = LectureFactory()
    w.quiz = quiz
    w.watch_course = CoursePageFactory(title="Titta")
    w.watch_module = ModulePageFactory(
        parent=w.watch_course, steps=[lecture_step(w.lecture), quiz_step(quiz)]
    )
    w.admin = SuperuserFactory()
    return w


def report_requests(w):
    """(URL name, who, URL, query) for each report URL, and for the exports."""
    course, unit = w.course.pk, w.units["S"].pk
    hr = w.hr["S"]
    march = {"start": "2026-03-01", "end": "2026-03-31"}
    return [
        ("hr_compliance", hr, reverse("hr_compliance"), {}),
        ("hr_compliance", hr, reverse("hr_compliance"), {"export": "csv"}),
        ("hr_unit_people", hr, reverse("hr_unit_people", args=[unit, course]), {}),
        ("hr_unit_people", hr, reverse("hr_unit_people", args=[unit, course]), {"export": "xlsx"}),
        ("hr_person", hr, reverse("hr_person", args=[w.people.sara.pk]), {}),
        ("hr_forecast", hr, reverse("hr_forecast"), {}),
        ("hr_forecast_people", hr, reverse("hr_forecast_people", args=[unit, course]), {}),
        ("hr_certification", hr, reverse("hr_certification"), {}),
        ("hr_unit_certification", hr, reverse("hr_unit_certification", args=[unit]), {}),
        ("hr_shared_courses", hr, reverse("hr_shared_courses"), {}),
        ("hr_shared_course", hr, reverse("hr_shared_course", args=[course]), {}),
        ("hr_programme_report", hr, reverse("hr_programme_report", args=[course]), march),
        (
            "hr_programme_report",
            hr,
            reverse("hr_programme_report", args=[course]),
            {**march, "export": "csv"},
        ),
        (
            "insight_lecture_retention",
            w.admin,
            reverse("insight_lecture_retention", args=[w.lecture.pk]),
            {},
        ),
        (
            "insight_quiz_item_analysis",
            w.admin,
            reverse("insight_quiz_item_analysis", args=[w.quiz.pk]),
            {},
        ),
    ]


def get_all(client, url, query):
    """GET `url` and read the whole body (an export is streamed: its rows are read
    while it is sent)."""
    response = client.get(url, query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_report_urls_are_the_marked_views_and_no_others():
    """From the URL resolver: exactly the report pages read from the replica. No learner
    page, no API, no HR page that writes (assignments, the staff import) is marked."""
    marked = dict(marked_views())
    assert set(marked) == REPORT_URLS
    names = set(all_url_names())
    for name in ("hr_assignments", "hr_import", "hr_import_preview", "training_record"):
        assert name in names and name not in marked
    assert all(not pattern.startswith("api/") for pattern in marked.values())


def test_each_report_reads_from_the_replica_and_writes_its_audit_entry_to_the_primary(
    world, client, settings
):
    settings.LMS_REPORTS_DATABASE = "replica"
    requests = report_requests(world)
    assert {name for name, *_ in requests} == REPORT_URLS  # every marked URL is requested
    for name, who, url, query in requests:
        client.force_login(who)
        primary = []  # (reading the report now?, statement) on the primary

        def watch(execute, sql, params, many, context, primary=primary):
            primary.append((replica.in_report_reads(), sql))
            return execute(sql, params, many, context)

        with (
            connections["default"].execute_wrapper(watch),
            CaptureQueriesContext(connections["replica"]) as copy,
        ):
            response, body = get_all(client, url, query)
        assert response.status_code == 200, (name, query, body[:300])
        assert not replica.in_report_reads(), name  # ended with the response
        assert tables(copy.captured_queries), (name, query)
        # While the report is read (the middleware and Wagtail's admin check run before):
        # only who may read what and the writes on the primary.
        during = [sql for reading, sql in primary if reading]
        misplaced = [
            sql[:200]
            for sql in during
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
            and not PRIMARY_TABLES.match(TABLE.search(sql).group(1))
        ]
        assert not misplaced, (name, query, misplaced)
        assert not writes(copy.captured_queries), name
        if "export" in query:
            # Who exported what: written on the primary, after the reads began.
            logged = [sql for _reading, sql in primary if sql.startswith("INSERT")]
            assert any("wagtailcore_modellogentry" in sql for sql in logged), (name, logged)


def test_the_compliance_matrix_shows_the_replicas_figures(world, client, settings):
    """The page is the same page read from the copy: the hand-counted figures."""
    settings.LMS_REPORTS_DATABASE = "replica"
    client.force_login(world.hr["S"])
    with CaptureQueriesContext(connections["replica"]) as copy:
        body = client.get(reverse("hr_compliance")).content.decode()
    assert "Förskolan Ängen" in body
    # The matrix's one grouped statement (raw SQL) runs on the replica too.
    assert any("UNION ALL" in q["sql"] for q in copy.captured_queries)


def test_without_a_replica_every_report_reads_the_primary(world, client, settings):
    settings.LMS_REPORTS_DATABASE = ""
    for name, who, url, query in report_requests(world):
        client.force_login(who)
        with CaptureQueriesContext(connections["replica"]) as copy:
            response, _body = get_all(client, url, query)
        assert response.status_code == 200, name
        assert copy.captured_queries == [], name


def test_learners_and_hr_writes_never_touch_the_replica(world, client, settings):
    """The heartbeat, a learner's own record, HR assigning a course: all on the primary,
    also right after a report was read in the same thread."""
    settings.LMS_REPORTS_DATABASE = "replica"
    client.force_login(world.hr["S"])
    get_all(client, reverse("hr_compliance"), {})  # a report first
    learner = world.people.sven
    module = world.watch_module
    enrol(learner, world.watch_course)
    with CaptureQueriesContext(connections["replica"]) as copy:
        client.force_login(learner)
        assert client.get(reverse("learning:training_record")).status_code == 200
        beat = api_post(
            client,
            "record_heartbeat",
            {
                "module_id": module.pk,
                "step_id": module.steps[0].id,
                "session_id": "tab-one-0001",
                "seq": 1,
                "ranges": [[0, 2]],
                "position": 2,
            },
        )
        client.force_login(world.hr["S"])
        assigned = client.post(
            reverse("hr_assignments"),
            {"course": world.course.pk, "unit": world.units["S"].pk},
        )
    assert beat.status_code == 200, beat.content
    assert assigned.status_code in (200, 302, 400)
    assert copy.captured_queries == []


def test_the_router_sends_reads_in_a_transaction_and_every_write_to_the_primary(world, settings):
    settings.LMS_REPORTS_DATABASE = "replica"
    router = replica.ReplicaRouter()
    token = replica._REPORT_READS.set(True)
    try:
        assert router.db_for_read(Organisation) == "replica"
        # Who may read what: never from a copy that may lag.
        from django.contrib.auth.models import Permission

        assert router.db_for_read(Permission) == "default"
        unit = Organisation.objects.get(pk=world.units["S"].pk)
        assert unit._state.db == "replica"
        assert router.db_for_write(Organisation, instance=unit) == "default"
        with transaction.atomic():
            assert router.db_for_read(Organisation) == "default"
        unit.name = "Förskolan Ängen (ny)"
        unit.save(update_fields=["name"])  # to the primary, though read from the copy
    finally:
        replica._REPORT_READS.reset(token)
    assert router.db_for_read(Organisation) == "default"
    assert Organisation.objects.get(pk=unit.pk).name == "Förskolan Ängen (ny)"
    settings.LMS_REPORTS_DATABASE = ""
    assert router.db_for_read(Organisation) is None
    assert router.db_for_write(Organisation) is None
