"""The staff import with a 50 000-row HR export: 4 municipalities, 4 administrations each
and 200 units per municipality (created from the paths by the first import).

    .venv/bin/python bench/import_staff.py [--rows 50000] [--no-assignment] [--xlsx]
        [--no-memory] [--only PHASE ...]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/import_staff.py

Phases: a dry run, the real import, a rerun of the same file (everything "unchanged"), a
dry run of it again (everyone known: the usual monthly file), and a full import of one
municipality with 1 % of its people missing (marked as left) and 1 % changed. An active
assignment covers one municipality, so the import also enrols (pass --no-assignment to
leave that out).

Each phase is timed in one pass (wall clock, and this process's CPU time: on a shared
machine the CPU seconds are the figure to compare) and its peak Python memory
(tracemalloc) measured in a second pass on a fresh database, as tracemalloc slows the code
it watches (--no-memory skips that pass). --xlsx feeds the same rows as a workbook. On
SQLite the database is a file (as in production), not the in-memory default of tests.

The dry run is what the admin computes synchronously at upload (and when the mapping
changes) and stores; the real run is a django-q2 task (decision 0011).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from _setup import django_test_database

MUNICIPALITIES = ["Huddinge", "Botkyrka", "Haninge", "Nynäshamn"]
ADMINISTRATIONS = [
    "Socialförvaltningen",
    "Utbildningsförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Miljö- och samhällsbyggnadsförvaltningen",
]
UNITS_PER_ADMINISTRATION = 50  # 200 per municipality
FIRST = ["Anna", "Bo", "Cecilia", "Dan", "Eva", "Fatima", "Gustav", "Hanna", "Ivan", "Jonna"]
LAST = ["Andersson", "Berg", "Ek", "Öst", "Ås", "Lindqvist", "Mohammed", "Nilsson", "Yilmaz"]
TITLES = ["Undersköterska", "Lärare", "Socialsekreterare", "Handläggare", "Bibliotekarie"]
HEADINGS = [
    "Anställningsnummer",
    "Förnamn",
    "Efternamn",
    "E-post",
    "Enhet",
    "Befattning",
    "Chef",
    "Anställningsdatum",
    "Slutdatum",
    "Typ",
]
TODAY = date(2026, 1, 10)


def generate_rows(count: int) -> list[list[str]]:
    rng = random.Random(42)  # noqa: S311 (test data)
    rows = []
    for i in range(count):
        municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        administration = rng.choice(ADMINISTRATIONS)
        unit = f"Enhet {rng.randrange(UNITS_PER_ADMINISTRATION):02d}"
        number = f"{i % len(MUNICIPALITIES) + 1}{i:07d}"
        hired = date(1990, 1, 1) + timedelta(days=rng.randrange(13_000))
        rows.append(
            [
                number,
                rng.choice(FIRST),
                rng.choice(LAST),
                f"p{number}@{municipality.lower()}.se",
                f"{municipality}/{administration}/{unit}",
                rng.choice(TITLES),
                "ja" if rng.random() < 0.05 else "nej",
                hired.isoformat(),
                "",
                "extern" if rng.random() < 0.02 else "personal",
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def phases(rows: list[list[str]], *, xlsx: bool = False):
    """(name, rows, callable) for each phase, in order; each callable returns a report."""
    from wagtail_learning.org.api import find_unit, import_staff

    encode = to_xlsx if xlsx else to_csv
    filename = "hr.xlsx" if xlsx else "hr.csv"
    everything = encode(rows)
    huddinge_rows = [r for r in rows if r[4].startswith("Huddinge/")]
    keep = len(huddinge_rows) - len(huddinge_rows) // 100
    changed = [list(r) for r in huddinge_rows[:keep]]
    for row in changed[::100]:
        row[5] = "Enhetschef"
    full = encode(changed)

    def run(data, **kwargs):
        return lambda: import_staff(data, filename=filename, today=TODAY, **kwargs)

    return [
        ("dry run", len(rows), run(everything, create_units=True, dry_run=True)),
        ("import", len(rows), run(everything, create_units=True, dry_run=False)),
        ("rerun", len(rows), run(everything, create_units=True, dry_run=False)),
        # What the admin computes at upload for the usual monthly file: everyone known.
        ("dry run, all known", len(rows), run(everything, create_units=True, dry_run=True)),
        (
            "full, one municipality",
            len(changed),
            lambda: import_staff(
                full,
                filename=filename,
                today=TODAY,
                scope=find_unit("Huddinge"),
                full=True,
                dry_run=False,
            ),
        ),
    ]


def prepare(with_assignment: bool) -> None:
    """Huddinge's root and an assignment on it (due 30 days after hire), if wanted."""
    if not with_assignment:
        return
    from tests.factories import CoursePageFactory
    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.org.api import get_or_create_unit

    unit, _created = get_or_create_unit("Huddinge")
    Assignment.objects.create(
        course=CoursePageFactory(),
        unit=unit,
        due_mode=Assignment.DueMode.AFTER_HIRE,
        due_days=30,
    )


def floor(rows: list[list[str]]) -> None:
    """The baseline: what writing the same people costs with no import around it (no
    checks, no matching, no report): the units known, then accounts, profiles and
    memberships bulk-inserted 1 000 at a time and the assignment's enrolments in one go.
    The import's time over this is the ratio printed (the machine is noisy; ratios, not
    seconds, compare across runs)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.lms.models import Enrolment
    from wagtail_learning.org.imports.units import unit_index
    from wagtail_learning.org.models import LearnerProfile, Membership, root_ids

    User = get_user_model()
    units, _scope = unit_index(None)
    roots = root_ids(units.values())
    assignment = Assignment.objects.select_related("unit").first()
    with transaction.atomic():
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            users = User.objects.bulk_create(
                [
                    User(username=f"anst-{r[0]}", first_name=r[1], last_name=r[2], email=r[3])
                    for r in chunk
                ]
            )
            LearnerProfile.objects.bulk_create(
                [
                    LearnerProfile(
                        user=user,
                        unit_id=units[r[4]],
                        organisation_id=roots[units[r[4]]],  # bulk_create skips save()
                        employee_number=r[0],
                        job_title=r[5],
                        is_manager=r[6] == "ja",
                        hire_date=date.fromisoformat(r[7]),
                        kind="external" if r[9] == "extern" else "staff",
                    )
                    for user, r in zip(users, chunk, strict=True)
                ]
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=user, unit_id=units[r[4]])
                    for user, r in zip(users, chunk, strict=True)
                ]
            )
            if assignment is not None:
                Enrolment.objects.bulk_create(
                    [
                        Enrolment(
                            user=user,
                            course_id=assignment.course_id,
                            source=Enrolment.Source.ASSIGNMENT,
                            assignment=assignment,
                        )
                        for user, r in zip(users, chunk, strict=True)
                        if r[4].startswith("Huddinge/") and r[8] == ""
                    ]
                )


def clear_people() -> None:
    from django.contrib.auth import get_user_model

    from wagtail_learning.lms.models import Enrolment
    from wagtail_learning.org.models import LearnerProfile, Membership

    Enrolment.objects.all().delete()
    Membership.objects.all().delete()
    LearnerProfile.objects.all().delete()
    get_user_model().objects.filter(username__startswith="anst-").delete()


def counting_queries(connection):
    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    return counter, connection.execute_wrapper(wrapper)


def clear_database() -> None:
    from django.contrib.auth import get_user_model

    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.lms.models import Enrolment
    from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

    Enrolment.objects.all().delete()
    Assignment.objects.all().delete()
    Membership.objects.all().delete()
    LearnerProfile.objects.all().delete()
    get_user_model().objects.filter(username__startswith="anst-").delete()
    Organisation.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--no-assignment", action="store_true")
    parser.add_argument("--xlsx", action="store_true", help="the export as a workbook")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the baseline (a bare bulk insert)"
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="PHASE", help="run only these phases"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="bench-import-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    else:
        # Not the test suite's database: a test run at the same time must not lose it.
        # Named after the configured database, so benches from two checkouts do not clash.
        connection.settings_dict["TEST"]["NAME"] = (
            f"test_bench_import_staff_{connection.settings_dict['NAME']}"
        )

    started = time.perf_counter()
    rows = generate_rows(args.rows)
    size = len((to_xlsx if args.xlsx else to_csv)(rows))
    print(
        f"generated {len(rows)} rows ({size / 1e6:.1f} MB {'XLSX' if args.xlsx else 'CSV'}) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    with django_test_database() as connection:
        from wagtail_learning.lms.models import Enrolment
        from wagtail_learning.org.models import LearnerProfile, Organisation

        print(f"database: {connection.vendor}" + (" (file)" if tmp else ""))
        results: dict[str, dict] = {}
        for measure_memory in (False,) if args.no_memory else (False, True):
            clear_database()
            prepare(not args.no_assignment)
            for name, count, call in phases(rows, xlsx=args.xlsx):
                if args.only and name not in args.only:
                    continue
                counter, wrapper = counting_queries(connection)
                if measure_memory:
                    tracemalloc.start()
                with wrapper:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    report = call()
                    elapsed = time.perf_counter() - started
                    cpu = time.process_time() - cpu_started
                if measure_memory:
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    results[name]["peak"] = peak
                    continue
                results[name] = {
                    "rows": count,
                    "seconds": elapsed,
                    "cpu": cpu,
                    "peak": None,
                    "queries": counter["n"],
                    "counts": report.counts(),
                }
                if name == "rerun":
                    assert report.counts()["unchanged"] == len(rows), report.counts()
                    assert not (report.created or report.updated or report.left)
            if not measure_memory:
                people = LearnerProfile.objects.count()
                units = Organisation.objects.count()
                enrolments = Enrolment.objects.count()
                if "import" in results and not args.no_floor:
                    # The baseline, on the units the import created, with nobody else there.
                    clear_people()
                    counter, wrapper = counting_queries(connection)
                    with wrapper:
                        started, cpu_started = time.perf_counter(), time.process_time()
                        floor(rows)
                        floor_seconds = time.perf_counter() - started
                        floor_cpu = time.process_time() - cpu_started
                    floor_queries = counter["n"]

        print(f"people {people}, units {units}, enrolments {enrolments}")
        print(
            f"{'phase':24} {'rows':>7} {'seconds':>8} {'CPU s':>7} {'rows/s':>8} {'queries':>8} "
            f"{'peak MB':>8}  counts"
        )
        for name, result in results.items():
            counts = {k: v for k, v in result["counts"].items() if v}
            peak = "-" if result["peak"] is None else f"{result['peak'] / 1e6:.1f}"
            print(
                f"{name:24} {result['rows']:7d} {result['seconds']:8.1f} {result['cpu']:7.1f} "
                f"{result['rows'] / result['seconds']:8.0f} {result['queries']:8d} "
                f"{peak:>8}  {counts}"
            )
        if "import" in results and not args.no_floor:
            result = results["import"]
            print(
                f"{'floor (bulk insert)':24} {len(rows):7d} {floor_seconds:8.1f} {floor_cpu:7.1f} "
                f"{len(rows) / floor_seconds:8.0f} {floor_queries:8d}"
            )
            print(
                f"import / floor: {result['seconds'] / floor_seconds:.2f}x wall clock, "
                f"{result['cpu'] / floor_cpu:.2f}x CPU; queries per 1 000 rows: "
                f"{result['queries'] * 1000 / len(rows):.0f}"
            )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
