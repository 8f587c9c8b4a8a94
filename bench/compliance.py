"""The compliance matrix on a large organisation, against a hand-written SQL aggregate; and
the memory of a large streamed people export.

    .venv/bin/python bench/compliance.py --learners 5000 --progress 150000      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/compliance.py

Builds four municipalities (about 5 administrations and 50 units each) under one region
(so one people list can hold everyone), `--learners` people (managers, leavers, external
participants, some in two units), 30 courses with one module of three steps each,
assignments (municipality-wide, per administration, managers only, two recurring) and about
`--progress` rows of enrolments, completions and step progress, in bulk.

Prints: the matrix for one municipality through compliance.reports and through two raw SQL
aggregates (COUNT(DISTINCT ...) over the path prefix; one holding everyone to the course's
shortest recurrence, one to each person's own, as the policy does), their times and both
ratios, whether the figures agree, the query count (and that a tiny municipality takes
the same); the daily snapshot job's time and queries, then the dashboard view (matrix + a
chart per course, its past months read from snapshots back-filled for the last 11 month
ends): time, queries and its ratio to the matrix alone; the matrix over the whole region
(the municipalities as rows) against the same two SQL; the people page of one course in
the municipality as its HR sees it (first, middle and last page of 100: time and
queries); the XLSX people export of that course over the whole region (time to the first
byte, to the first people, to the end; peak traced Python memory); and a streamed CSV
people export of ~10 % and ~100 % of the learners: time and peak traced Python memory.
The figures of issue 13 are repeated on one line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from datetime import date, timedelta

from _setup import django_test_database

MUNICIPALITIES = ["Botkyrka", "Haninge", "Huddinge", "Nynäshamn"]
ADMINISTRATIONS = 5
UNITS_PER_ADMINISTRATION = 10
COURSES = 30
STEPS = 3
BATCH = 5000
# Fates of an enrolment: completed, in progress, not started (shares).
P_COMPLETED, P_IN_PROGRESS = 0.55, 0.15


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--progress", type=int, default=1_500_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        # Its own database, named after DATABASE_URL's (a test run on the same server uses
        # test_<name>; another engineer's bench on the same server uses bench_<their name>).
        name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"{name}_bench_compliance"
    with django_test_database() as connection:
        run(args, connection)


def timed(fn, repeat: int):
    """(result, median seconds) over `repeat` runs after one warm-up."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def run(args, connection) -> None:
    from django.test import Client
    from django.utils import timezone

    from tests.factories import SuperuserFactory, hr_user
    from wagtail_learning.compliance.reports import get_compliance_matrix
    from wagtail_learning.lms.models import Completion, Enrolment, StepProgress
    from wagtail_learning.org.models import Membership

    rng = random.Random(args.seed)
    started = time.perf_counter()
    world = build(args, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a live database has them
    counts = {
        "enrolments": Enrolment.objects.count(),
        "completions": Completion.objects.count(),
        "step progress": StepProgress.objects.count(),
    }
    print(f"database: {connection.vendor}")
    print(
        f"built in {time.perf_counter() - started:.0f} s: {args.learners} learners, "
        f"{Membership.objects.count()} memberships, {len(world['units'])} units, "
        f"{COURSES} courses, {world['assignments']} assignments; "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
        + f" = {sum(counts.values())} progress rows"
    )

    municipality = world["municipalities"][2]
    hr = hr_user(municipality, username="bench-hr")

    # --- The matrix: compliance.reports against raw SQL -----------------------------------------
    matrix, orm_seconds, sql_baselines, matrix_queries = compare_matrix(
        connection, hr, municipality, args.repeat
    )

    # --- The dashboard: the matrix and its charts, past months from stored snapshots ----
    from wagtail_learning.compliance.snapshots import end_of_day, write_compliance_snapshots

    today = timezone.localdate()
    started = time.perf_counter()
    with counted(connection) as queries:
        written = write_compliance_snapshots()
    print(
        f"daily snapshots (the schedule's job): {written['snapshots']} rows for "
        f"{written['units']} units in {time.perf_counter() - started:.1f} s, "
        f"{len(queries)} queries"
    )
    month_end = today.replace(day=1)
    for _ in range(11):
        month_end -= timedelta(days=1)
        write_compliance_snapshots(now=end_of_day(month_end), backfill=True)
        month_end = month_end.replace(day=1)
    client = Client()
    client.force_login(hr)
    client.get("/admin/hr/compliance/")
    with counted(connection) as queries:
        response = client.get("/admin/hr/compliance/")
    assert response.status_code == 200
    charts = response.context["charts"]
    assert all(sum(p is not None for _w, p in c["points"]) > 1 for c in charts)
    view_queries = len(queries)
    response, view_seconds = timed(lambda: client.get("/admin/hr/compliance/"), args.repeat)
    print(
        f"  dashboard view (matrix + {len(charts)} charts over 12 months from snapshots): "
        f"{view_seconds * 1000:.0f} ms, {view_queries} queries; "
        f"ratio dashboard/matrix alone {view_seconds / orm_seconds:.2f}"
    )

    # --- The matrix over the whole region: every municipality a row ------------------------
    region = world["region"]
    region_hr = hr_user(region, username="bench-region-hr")
    _region_matrix, region_seconds, region_baselines, region_queries = compare_matrix(
        connection, region_hr, region, args.repeat
    )

    tiny = tiny_municipality(world)
    tiny_hr = hr_user(tiny, username="bench-tiny-hr")
    with counted(connection) as queries:
        tiny_matrix = get_compliance_matrix(user=tiny_hr, parent=tiny)
    assert len(tiny_matrix.courses) == len(matrix.courses)
    print(
        f"  queries for a tiny municipality ({len(tiny_matrix.rows)} units, "
        f"{Membership.objects.filter(unit__path__startswith=tiny.path).count()} people, "
        f"same {len(tiny_matrix.courses)} courses): {len(queries)}"
        + (" (the same)" if len(queries) == matrix_queries else " (DIFFERENT)")
    )
    assert len(queries) == matrix_queries

    # --- The people page of one course in the municipality, a page at a time -------------
    course = world["common_course"]
    people_url = f"/admin/hr/compliance/unit/{municipality.pk}/course/{course.pk}/"
    hr_client = Client()
    hr_client.force_login(hr)
    first = hr_client.get(people_url)
    assert first.status_code == 200, first.status_code
    people_page = first.context["people_page"]
    print(
        f"people page of {course.title} in {municipality.name}: {people_page.count} people, "
        f"{people_page.num_pages} pages of {people_page.per_page}"
    )
    pages = {}
    for label, number in [
        ("first", 1),
        ("middle", (people_page.num_pages + 1) // 2),
        ("last", people_page.num_pages),
    ]:
        with counted(connection) as queries:
            response = hr_client.get(people_url, {"page": number})
        assert response.status_code == 200
        assert len(response.context["people"]) == (
            people_page.count - (number - 1) * people_page.per_page
            if number == people_page.num_pages
            else people_page.per_page
        )
        _response, seconds = timed(
            lambda number=number: hr_client.get(people_url, {"page": number}), args.repeat
        )
        pages[label] = (seconds, len(queries))
        print(
            f"  {label:>6} page ({number:4d}): {seconds * 1000:6.1f} ms, {len(queries)} queries, "
            f"{len(response.content) / 1e3:.0f} kB of HTML"
        )

    # --- The XLSX people export of one course over the whole region: first byte, total ----
    superuser = SuperuserFactory()
    admin = Client()
    admin.force_login(superuser)
    region, course = world["region"], world["common_course"]
    url = f"/admin/hr/compliance/unit/{region.pk}/course/{course.pk}/"
    consume_bytes(admin.get(url, {"export": "xlsx"}))  # warm-up
    xlsx = timed_stream(lambda: admin.get(url, {"export": "xlsx"}))
    audience_rows = people_rows(superuser, region, course)
    tracemalloc.start()
    consume_bytes(admin.get(url, {"export": "xlsx"}))
    _current, xlsx_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"people export (XLSX, streamed) of {course.title} for the whole region: "
        f"{audience_rows} rows, {xlsx['size'] / 1e6:.1f} MB"
    )
    print(
        f"  first byte after {xlsx['first'] * 1000:.0f} ms (the title rows and header), "
        f"first people after {xlsx['rows'] * 1000:.0f} ms, whole file in {xlsx['total']:.2f} s; "
        f"peak traced memory {xlsx_peak / 1e6:.1f} MB"
    )

    page_ms = "/".join(f"{pages[k][0] * 1000:.0f}" for k in ("first", "middle", "last"))
    print(
        f"issue 13: matrix/SQL {orm_seconds / sql_baselines['sql']:.2f} "
        f"(per-person SQL {orm_seconds / sql_baselines['person sql']:.2f}; "
        f"{matrix_queries} queries); "
        f"dashboard/matrix {view_seconds / orm_seconds:.2f} ({view_queries} queries); "
        f"region matrix/SQL {region_seconds / region_baselines['sql']:.2f} "
        f"(per-person SQL {region_seconds / region_baselines['person sql']:.2f}; "
        f"{region_queries} queries); "
        f"people page first/middle/last {page_ms} ms ({pages['first'][1]} queries); "
        f"XLSX of {audience_rows} rows: first byte {xlsx['first'] * 1000:.0f} ms, "
        f"first people {xlsx['rows'] * 1000:.0f} ms, total {xlsx['total']:.1f} s"
    )

    # --- A streamed people export --------------------------------------------------------
    cut = world["tenth_hired_from"]
    print("people export (CSV, streamed) of one course for the whole region:")
    for label, query in [("~10 %", {"hired_from": cut.isoformat()}), ("all", {})]:
        query = {**query, "export": "csv"}
        started = time.perf_counter()
        rows, size = consume(admin.get(url, query))
        seconds = time.perf_counter() - started
        tracemalloc.start()
        consume(admin.get(url, query))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  {label:>5}: {rows:6d} rows, {size / 1e6:5.1f} MB in {seconds:5.2f} s; "
            f"peak traced memory {peak / 1e6:6.1f} MB"
        )


def consume(response) -> tuple[int, int]:
    """(rows, bytes) of a streamed CSV, read chunk by chunk as a client would."""
    assert response.status_code == 200, response.status_code
    assert response.streaming
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size


class counted:
    """The statements run inside, counted as they execute (CaptureQueriesContext reads
    the connection's query log, which every request clears on starting)."""

    def __init__(self, connection):
        self.connection, self.count = connection, 0

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def consume_bytes(response) -> int:
    assert response.status_code == 200, response.status_code
    assert response.streaming
    return sum(len(chunk) for chunk in response.streaming_content)


def timed_stream(request) -> dict:
    """Seconds from the request to its first chunk, to the second one (the first that
    holds rows: the first is the file's head, title rows and header), and to the last;
    and the size. As a client reads a streamed response."""
    started = time.perf_counter()
    response = request()
    assert response.status_code == 200, response.status_code
    assert response.streaming
    chunks = iter(response.streaming_content)
    size = len(next(chunks))
    first = time.perf_counter() - started
    size += len(next(chunks))
    rows = time.perf_counter() - started
    for chunk in chunks:
        size += len(chunk)
    return {"first": first, "rows": rows, "total": time.perf_counter() - started, "size": size}


def people_rows(user, unit, course) -> int:
    """How many people the export of `course` under `unit` lists, for the printed figure."""
    from wagtail_learning.compliance.reports import get_unit_people_page

    return get_unit_people_page(user=user, unit=unit, course_id=course.pk).count


def compare_matrix(connection, user, parent, repeat: int):
    """The matrix of `parent` through compliance.reports against two hand-written SQL
    aggregates: RAW_SQL (one recurrence per course: the floor, but not the policy where
    recurrences differ) and PERSON_SQL (each person's own recurrence: the same figures).
    Prints the times, both ratios, the queries and whether the cells agree. Returns
    (matrix, seconds, {"sql": seconds, "person sql": seconds}, queries)."""
    from wagtail_learning.compliance.reports import get_compliance_matrix

    with counted(connection) as queries:
        get_compliance_matrix(user=user, parent=parent)
    matrix, seconds = timed(lambda: get_compliance_matrix(user=user, parent=parent), repeat)
    ours = matrix_figures(matrix)
    audience = matrix.total.cells
    print(
        f"matrix of {parent.name}: {len(matrix.rows)} rows x {len(matrix.courses)} courses, "
        f"audience {sum(c.audience for c in audience.values())} person-courses, "
        f"{sum(c.compliant for c in audience.values())} compliant"
    )
    print(
        f"  compliance.reports.get_compliance_matrix  {seconds * 1000:8.1f} ms  "
        f"{len(queries)} queries"
    )
    baselines = {}
    for key, label, per_person in [
        ("sql", "hand-written SQL, one recurrence per course", False),
        ("person sql", "hand-written SQL, each person's recurrence", True),
    ]:
        raw, baselines[key] = timed(
            lambda per_person=per_person: raw_matrix(connection, parent, per_person=per_person),
            repeat,
        )
        differ = {k for k in ours.keys() | raw.keys() if ours.get(k) != raw.get(k)}
        print(
            f"  {label:<44} {baselines[key] * 1000:8.1f} ms  1 query; "
            f"ratio ORM/SQL {seconds / baselines[key]:.2f}; "
            + (
                f"figures agree: {len(ours)} cells"
                if not differ
                # RAW_SQL holds everyone to the course's shortest recurrence; the
                # reports hold each person to the shortest of those covering them.
                else f"{len(differ)} of {len(ours)} cells differ"
                + ("" if per_person else " (the one recurrence per course)")
            )
        )
    return matrix, seconds, baselines, len(queries)


# --- Building the organisation -------------------------------------------------------------


def build(args, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from tests.factories import CoursePageFactory, ModulePageFactory, course_index, reading_step
    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.org.models import LearnerProfile, Membership, Organisation, root_ids

    today = timezone.localdate()
    region = Organisation.add_root(name="Södertörn (samverkan)")
    municipalities, administrations, units = [], [], []
    for name in MUNICIPALITIES:
        region.refresh_from_db()
        municipality = region.add_child(name=f"{name} kommun")
        municipalities.append(municipality)
        for a in range(ADMINISTRATIONS):
            municipality.refresh_from_db()
            administration = municipality.add_child(name=f"{name} förvaltning {a + 1}")
            administrations.append(administration)
            for u in range(UNITS_PER_ADMINISTRATION):
                administration.refresh_from_db()
                units.append(administration.add_child(name=f"{name} enhet {a + 1}.{u + 1:02d}"))
    for node in [region, *municipalities, *administrations, *units]:
        node.refresh_from_db()

    index = course_index()
    courses, modules = [], []
    for c in range(COURSES):
        course = CoursePageFactory(parent=index, title=f"Kurs {c + 1:02d}", slug=f"kurs-{c + 1}")
        module = ModulePageFactory(
            parent=course,
            title=f"Kurs {c + 1:02d}: modul",
            steps=[reading_step(f"Del {s + 1}") for s in range(STEPS)],
        )
        courses.append(course)
        modules.append((module.pk, [spec.step_id for spec in module.get_lms_steps()]))

    # Per municipality: W courses for everyone (course 0 in all four, recurring yearly; the
    # second one every two years), one for managers, one per administration (staff only in
    # odd ones). W is chosen so the rows come to about --progress.
    rows_per_enrolment = 1 + P_COMPLETED * (2 + STEPS) + P_IN_PROGRESS * 1.5
    per_person = args.progress / (args.learners * rows_per_enrolment)
    wide = max(2, min(COURSES - ADMINISTRATIONS - 1, round(per_person - 1.05)))
    assignments = []
    for m, municipality in enumerate(municipalities):
        base = m * 7
        wide_courses = [0] + [(base + 1 + k) % (COURSES - 1) + 1 for k in range(wide - 1)]
        managers_course = (base + wide) % (COURSES - 1) + 1
        while managers_course in wide_courses:
            managers_course = managers_course % (COURSES - 1) + 1
        for k, c in enumerate(wide_courses):
            recurrence = 12 if k == 0 else 24 if k == 1 else None
            assignments.append((c, municipality, "all", recurrence))
        assignments.append((managers_course, municipality, "managers", None))
        taken = {*wide_courses, managers_course}
        free = [c for c in range(1, COURSES) if c not in taken]
        own = administrations[m * ADMINISTRATIONS : (m + 1) * ADMINISTRATIONS]
        for a, administration in enumerate(own):
            assignments.append(
                (free[a % len(free)], administration, "staff" if a % 2 else "all", None)
            )
    for c, unit, audience, recurrence in assignments:
        Assignment.objects.create(
            course=courses[c],
            unit=unit,
            audience=audience,
            due_days=60,
            recurrence_months=recurrence,
            target_share=80,
        )
    covering: dict[int, list] = {}
    for unit in units:
        covering[unit.pk] = [
            (c, audience, recurrence)
            for c, where, audience, recurrence in assignments
            if unit.path.startswith(where.path)
        ]

    # People: one in 25 a manager, 2 % have left, 1 % external, 2 % in a second unit.
    user_model = get_user_model()
    password = make_password("bench")
    people = []  # (user id, units, is_manager, left, external, hire_date)
    roots = root_ids(unit.pk for unit in units)
    first_day = date(2000, 1, 1)
    span = (today - first_day).days
    for start in range(0, args.learners, BATCH):
        batch = range(start, min(start + BATCH, args.learners))
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"p{i:06d}",
                    first_name=rng.choice(["Anna", "Bo", "Cilla", "David", "Eva", "Farid"]),
                    last_name=f"Person {i}",
                    password=password,
                )
                for i in batch
            ]
        )
        profiles, memberships = [], []
        for i, user in zip(batch, users, strict=True):
            unit = units[i % len(units)]
            places = [unit]
            if rng.random() < 0.02:
                other = rng.choice(units)
                if other.path[:8] == unit.path[:8] and other.pk != unit.pk:  # same municipality
                    places.append(other)
            is_manager = (i // len(units)) % 25 == 0
            left = rng.random() < 0.02
            external = rng.random() < 0.01
            hire = first_day + timedelta(days=rng.randrange(span))
            profiles.append(
                LearnerProfile(
                    user=user,
                    unit=unit,
                    organisation_id=roots[unit.pk],  # bulk_create skips save()
                    employee_number=f"E{i:06d}",
                    job_title="Chef" if is_manager else "Medarbetare",
                    is_manager=is_manager,
                    hire_date=hire,
                    leave_date=today - timedelta(days=30) if left else None,
                    kind=LearnerProfile.Kind.EXTERNAL if external else LearnerProfile.Kind.STAFF,
                )
            )
            memberships.extend(Membership(user=user, unit=place) for place in places)
            people.append((user.pk, places, is_manager, external))
        LearnerProfile.objects.bulk_create(profiles, batch_size=BATCH)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

    write_progress(rng, people, covering, courses, modules)
    hires = sorted(LearnerProfile.objects.values_list("hire_date", flat=True))
    return {
        "region": region,
        "municipalities": municipalities,
        "units": units,
        "assignments": len(assignments),
        "courses": courses,
        "common_course": courses[0],
        "tenth_hired_from": hires[int(len(hires) * 0.9)],
        "assignment_plan": assignments,
    }


def write_progress(rng, people, covering, courses, modules) -> None:
    """Enrolments for every assignment that covers a person (as apply_assignment would
    make them; leavers were enrolled before they left), and for each a fate: completed
    (some long enough ago to have expired, half of those renewed), in progress, or not
    started; some past their due date."""
    from django.utils import timezone

    from wagtail_learning.lms.models import Completion, Enrolment, StepProgress

    now = timezone.now()
    enrolments, completions, steps = [], [], []

    def flush(force: bool = False) -> None:
        for model, rows in (
            (Enrolment, enrolments),
            (Completion, completions),
            (StepProgress, steps),
        ):
            if rows and (force or len(rows) >= BATCH * 4):
                model.objects.bulk_create(rows, batch_size=BATCH)
                rows.clear()

    for user_id, places, is_manager, external in people:
        if external:
            continue
        wanted: dict[int, int | None] = {}
        for place in places:
            for c, audience, recurrence in covering[place.pk]:
                if audience == "all" or (audience == "managers") == is_manager:
                    wanted[c] = recurrence
        for c, recurrence in wanted.items():
            course_id = courses[c].pk
            module_id, step_ids = modules[c]
            roll = rng.random()
            due = now + timedelta(days=rng.randrange(-60, 90))
            if roll < P_COMPLETED:
                done = now - timedelta(days=rng.randrange(1, 900))
                completions.append(
                    Completion(user_id=user_id, page_id=module_id, kind="module", completed_at=done)
                )
                completions.append(
                    Completion(user_id=user_id, page_id=course_id, kind="course", completed_at=done)
                )
                steps.extend(
                    StepProgress(
                        user_id=user_id,
                        module_id=module_id,
                        step_id=s,
                        kind="reading",
                        completed_at=done,
                    )
                    for s in step_ids
                )
                expired = recurrence and done < now - timedelta(days=30 * recurrence)
                if expired and rng.random() < 0.5:
                    # Renewed: cycle 2 is under way or not started yet.
                    if rng.random() < 0.3:
                        steps.append(
                            StepProgress(
                                user_id=user_id,
                                module_id=module_id,
                                step_id=step_ids[0],
                                kind="reading",
                                cycle=2,
                                completed_at=now,
                            )
                        )
                    enrolments.append(
                        Enrolment(
                            user_id=user_id,
                            course_id=course_id,
                            source="assignment",
                            status="active",
                            due_at=due,
                            cycle=2,
                        )
                    )
                else:
                    enrolments.append(
                        Enrolment(
                            user_id=user_id,
                            course_id=course_id,
                            source="assignment",
                            status="completed",
                            due_at=done,
                            completed_at=done,
                        )
                    )
            else:
                if roll < P_COMPLETED + P_IN_PROGRESS:
                    for s in step_ids[: rng.randrange(1, STEPS)]:
                        steps.append(
                            StepProgress(
                                user_id=user_id,
                                module_id=module_id,
                                step_id=s,
                                kind="reading",
                                completed_at=now - timedelta(days=2),
                            )
                        )
                enrolments.append(
                    Enrolment(
                        user_id=user_id,
                        course_id=course_id,
                        source="assignment",
                        status="active",
                        due_at=due,
                    )
                )
        flush()
    flush(force=True)


def tiny_municipality(world):
    """A municipality of 3 units and 12 people with the same courses assigned as the big
    one: the matrix must take as many queries."""
    from tests.factories import UserFactory
    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.org.models import LearnerProfile, Membership

    region = world["region"]
    region.refresh_from_db()
    tiny = region.add_child(name="Liten kommun")
    units = []
    for u in range(3):
        tiny.refresh_from_db()
        units.append(tiny.add_child(name=f"Liten enhet {u + 1}"))
    big = world["municipalities"][2]
    for assignment in Assignment.objects.filter(unit__path__startswith=big.path):
        Assignment.objects.create(
            course_id=assignment.course_id,
            unit=tiny,
            audience=assignment.audience,
            due_days=60,
            recurrence_months=assignment.recurrence_months,
        )
    for i in range(12):
        user = UserFactory(username=f"tiny{i}")
        LearnerProfile.objects.create(user=user, unit=units[i % 3], is_manager=i % 4 == 0)
        Membership.objects.create(user=user, unit=units[i % 3])
    tiny.refresh_from_db()
    return tiny


# --- The same figures in one hand-written query --------------------------------------------


def matrix_figures(matrix) -> dict:
    """{(row path, course id): (audience, compliant, overdue, in progress)} without zeros;
    the total under the row path ''."""
    figures = {}
    for row in [*matrix.rows, matrix.total]:
        key = "" if row is matrix.total else row.unit.path
        for course_id, cell in row.cells.items():
            if cell.audience:
                figures[key, course_id] = (
                    cell.audience,
                    cell.compliant,
                    cell.overdue,
                    cell.in_progress,
                )
    return figures


RAW_SQL = """
WITH cutoffs(course_id, cutoff) AS (VALUES {cutoffs}),
audience AS (
    SELECT SUBSTR(o.path, 1, %(rowlen)s) AS row_path, a.course_id, m.user_id
    FROM lms_membership m
    JOIN lms_organization o ON o.id = m.unit_id
    JOIN lms_learnerprofile p ON p.user_id = m.user_id
    JOIN lms_assignment a ON a.active
    JOIN lms_organization au ON au.id = a.unit_id AND o.path LIKE au.path || '%%'
    WHERE o.path LIKE %(scope)s
      AND p.kind = 'staff'
      AND (p.leave_date IS NULL OR p.leave_date > %(today)s)
      AND (a.audience = 'all'
           OR (a.audience = 'managers' AND p.is_manager)
           OR (a.audience = 'staff' AND NOT p.is_manager))
      AND (a.hired_after IS NULL OR p.hire_date > a.hired_after)
),
marked AS (
    SELECT a.row_path, a.course_id, a.user_id,
        EXISTS (
            SELECT 1 FROM lms_completion c JOIN cutoffs k ON k.course_id = c.page_id
            WHERE c.user_id = a.user_id AND c.page_id = a.course_id AND c.kind = 'course'
              AND c.completed_at <= %(now)s AND c.completed_at > k.cutoff
        ) AS done,
        EXISTS (
            SELECT 1 FROM lms_enrollment e
            WHERE e.user_id = a.user_id AND e.course_id = a.course_id
              AND e.status = 'active' AND e.due_at < %(now)s
        ) AS late,
        EXISTS (
            SELECT 1 FROM lms_enrollment e
            JOIN wagtailcore_page cp ON cp.id = e.course_id
            JOIN lms_stepprogress s ON s.user_id = e.user_id AND s.cycle = e.cycle
            JOIN wagtailcore_page mp ON mp.id = s.module_id AND mp.path LIKE cp.path || '%%'
            WHERE e.user_id = a.user_id AND e.course_id = a.course_id AND e.status = 'active'
        ) AS busy
    FROM audience a
)
SELECT row_path, course_id,
       COUNT(DISTINCT user_id),
       COUNT(DISTINCT CASE WHEN done THEN user_id END),
       COUNT(DISTINCT CASE WHEN NOT done AND late THEN user_id END),
       COUNT(DISTINCT CASE WHEN NOT done AND NOT late AND busy THEN user_id END)
FROM marked GROUP BY row_path, course_id
UNION ALL
SELECT '', course_id,
       COUNT(DISTINCT user_id),
       COUNT(DISTINCT CASE WHEN done THEN user_id END),
       COUNT(DISTINCT CASE WHEN NOT done AND late THEN user_id END),
       COUNT(DISTINCT CASE WHEN NOT done AND NOT late AND busy THEN user_id END)
FROM marked GROUP BY course_id
"""


# The same figures with each person held to their own recurrence, as the policy holds them
# (compliance.policy.Recurrence): the shortest among the active assignments of the course
# that cover any of their places, anywhere; none repeating: never expires (months 0).
# Written separately from the policy, so that the comparison is like for like and the
# cells can be checked against it.
PERSON_SQL = (
    RAW_SQL.replace(
        "cutoffs(course_id, cutoff) AS (VALUES {cutoffs})",
        "cutoffs(months, cutoff) AS (VALUES {cutoffs})",
    )
    .replace(
        "),\nmarked AS (",
        """),
covering AS (
    SELECT m.user_id, a.course_id, COALESCE(MIN(NULLIF(a.recurrence_months, 0)), 0) AS months
    FROM lms_membership m
    JOIN lms_organization o ON o.id = m.unit_id
    JOIN lms_learnerprofile p ON p.user_id = m.user_id
    JOIN lms_assignment a ON a.active
    JOIN lms_organization au ON au.id = a.unit_id AND o.path LIKE au.path || '%%'
    WHERE m.user_id IN (SELECT user_id FROM audience)
      AND (a.audience = 'all'
           OR (a.audience = 'managers' AND p.is_manager)
           OR (a.audience = 'staff' AND NOT p.is_manager))
      AND (a.hired_after IS NULL OR p.hire_date > a.hired_after)
    GROUP BY m.user_id, a.course_id
),
marked AS (""",
    )
    .replace(
        """            SELECT 1 FROM lms_completion c JOIN cutoffs k ON k.course_id = c.page_id
            WHERE c.user_id""",
        """            SELECT 1 FROM lms_completion c
            JOIN covering r ON r.user_id = c.user_id AND r.course_id = c.page_id
            JOIN cutoffs k ON k.months = r.months
            WHERE c.user_id""",
    )
)
assert PERSON_SQL.count("covering") == 2 and "cutoffs(months" in PERSON_SQL


def raw_matrix(connection, parent, *, per_person: bool = False) -> dict:
    """The matrix of `parent`'s children in one query. The expiry cut-off per course (the
    shortest recurrence of the assignments above or inside `parent`) is worked out here;
    `per_person`: PERSON_SQL, with a cut-off per recurrence and each person's own."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from wagtail_learning.compliance.models import Assignment

    now = timezone.now()
    months: dict[int, list[int]] = {}
    for assignment in Assignment.objects.filter(active=True).select_related("unit"):
        path = assignment.unit.path
        if parent.path.startswith(path) or path.startswith(parent.path):
            months.setdefault(assignment.course_id, [])
            if assignment.recurrence_months:
                months[assignment.course_id].append(assignment.recurrence_months)
    recurrences = {course_id: min(m, default=None) for course_id, m in months.items()}
    ops = connection.ops
    params: dict = {
        "rowlen": (parent.depth + 1) * 4,
        "scope": parent.path + "%",
        "today": ops.adapt_datefield_value(timezone.localdate(now)),
        "now": ops.adapt_datetimefield_value(now),
    }
    if per_person:
        every = Assignment.objects.filter(active=True).values_list("recurrence_months", flat=True)
        keys = sorted({0, *(m or 0 for m in every)})
        sql, head = PERSON_SQL, "cutoffs(months, cutoff)"
    else:
        keys, sql, head = sorted(recurrences), RAW_SQL, "cutoffs(course_id, cutoff)"
    values = []
    for i, key in enumerate(keys):
        recurrence = key if per_person else recurrences[key]
        cutoff = now - relativedelta(months=recurrence) if recurrence else now.replace(year=1900)
        params[f"c{i}"] = key
        params[f"k{i}"] = ops.adapt_datetimefield_value(cutoff)
        values.append(f"(%(c{i})s, %(k{i})s)")
    sql = sql.replace("{cutoffs}", ", ".join(values))
    if connection.vendor == "postgresql":
        # VALUES with parameters has no types: say what the columns are.
        sql = sql.replace(
            f"{head} AS (VALUES",
            f"{head} AS (SELECT v.c::int, v.k::timestamptz FROM (VALUES",  # noqa: S608 (a constant)
        ).replace("),\naudience AS", ") AS v(c, k)),\naudience AS", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures = {}
    for row_path, course_id, *numbers in rows:
        if numbers[0]:
            figures[row_path, course_id] = tuple(numbers)
    return figures


if __name__ == "__main__":
    main()
