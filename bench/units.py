"""Certified units: the daily rule evaluation on a large organisation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/units.py
    .venv/bin/python bench/units.py --people 5000                       # SQLite, smaller

Builds a region with four municipalities, each with 4 administrations of 50 units (800
units; a third of them schools), `--people` staff (one in 20 a manager, 2 % in a second
unit, hire dates over 20 years, some in the last months), one course assigned to each
municipality and to the region (recurring yearly), and completions for about 60 % of the
people (some expired, some expiring within 30 days).

Prints, all measured in this run:
- the baseline: HR's compliance matrix of one municipality (compliance.reports), the
  screen HR already opens daily;
- one rule ("80 %", judged on the units of type Enhet) on one municipality (200 units) and
  on the region (800 units): time, queries (the same), and the ratio to the baseline;
- the daily job (compliance.api.evaluate_certification_rules) for 12 rules (per
  municipality: 80 %, one trained person per school, two managers and new hires within 30
  days): the first day (issuing the unit certificates) and a second run the same day (the
  steady state), answered first by the previous approach (bench/_units_previous.py, as
  before issue 21) and then by the current one, on the same data: the job's own queries
  (the render tasks it enqueues are collected, not run: the queue's workers render).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from contextlib import nullcontext
from datetime import date, timedelta

from _setup import django_test_database

MUNICIPALITIES = ["Botkyrka", "Haninge", "Huddinge", "Nynäshamn"]
ADMINISTRATIONS = 4
UNITS_PER_ADMINISTRATION = 50
BATCH = 5000


class StandInRenderer:
    """Unit certificates' PDFs are not what is measured here (bench/certificates_render.py
    measures weasyprint)."""

    def render(self, context):
        from wagtail_learning.certificates.rendering import RenderedPdf

        return RenderedPdf(b"%PDF-1.7\n%stand-in\n", [])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.CERTIFICATES_RENDERER = "__main__.StandInRenderer"
    if connection.vendor == "postgresql":
        # The database named in DATABASE_URL is used (dropped and made again) as is.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
    with django_test_database() as connection:
        run(args, connection)


def timed(fn, repeat: int):
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def count_queries(connection, fn):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, len(queries)


def run(args, connection) -> None:
    from django.utils import timezone

    from tests.factories import hr_user
    from wagtail_learning.compliance.api import CertificationRule, evaluate_rule
    from wagtail_learning.compliance.models import UnitRuleSnapshot
    from wagtail_learning.compliance.reports import get_compliance_matrix
    from wagtail_learning.org.models import Membership

    rng = random.Random(args.seed)
    started = time.perf_counter()
    world = build(args, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}")
    print(
        f"built in {time.perf_counter() - started:.0f} s: {args.people} people, "
        f"{Membership.objects.count()} memberships, {len(world['units'])} units "
        f"({world['schools']} schools), {world['completions']} completions"
    )
    now = timezone.now()
    municipality = world["municipalities"][0]
    hr = hr_user(municipality, username="bench-hr")

    _matrix, baseline = timed(
        lambda: get_compliance_matrix(user=hr, parent=municipality, now=now), args.repeat
    )
    _matrix, matrix_queries = count_queries(
        connection, lambda: get_compliance_matrix(user=hr, parent=municipality, now=now)
    )
    print(
        f"baseline: compliance matrix of {municipality.name} "
        f"({len(_matrix.rows)} rows): {baseline * 1000:.0f} ms, {matrix_queries} queries"
    )

    print("one rule (80 %), judged on the units of type Enhet:")
    figures = {}
    for label, assignment in (
        ("one municipality", world["assignments"][0]),
        ("the region", world["region_assignment"]),
    ):
        rule = CertificationRule.objects.create(
            assignment=assignment, name=f"80 % ({label})", min_share=80, unit_type="Enhet"
        )
        rule = CertificationRule.objects.select_related("assignment__unit").get(pk=rule.pk)
        snapshots, seconds = timed(lambda rule=rule: evaluate_rule(rule, now=now), args.repeat)
        _s, queries = count_queries(connection, lambda rule=rule: evaluate_rule(rule, now=now))
        met = sum(1 for s in snapshots if s.met)
        figures[label] = (len(snapshots), queries)
        print(
            f"  {label:>17}: {len(snapshots):4d} units ({met} met) {seconds * 1000:7.0f} ms, "
            f"{queries} queries, {seconds / baseline:.2f} x baseline, "
            f"{seconds * 1e6 / len(snapshots):.0f} µs per unit"
        )
        rule.delete()
    (small, small_q), (large, large_q) = figures.values()
    print(
        f"  queries for {small} units: {small_q}; for {large} units: {large_q}"
        + (" (the same)" if small_q == large_q else " (DIFFERENT)")
    )
    assert small_q == large_q

    for m, assignment in enumerate(world["assignments"]):
        CertificationRule.objects.create(assignment=assignment, name=f"80 % {m}", min_share=80)
        CertificationRule.objects.create(
            assignment=assignment, name=f"En per skola {m}", min_people=1, unit_type="Skola"
        )
        CertificationRule.objects.create(
            assignment=assignment,
            name=f"Två chefer och nyanställda {m}",
            min_people=2,
            managers_only=True,
            new_hire_days=30,
            new_hires_from=date(2024, 1, 1),
        )
    print("the daily job, 12 rules over the four municipalities:")
    print("  (the job's own queries; the render tasks it enqueues run on the queue's workers)")
    import _units_previous

    from wagtail_learning.certificates import units as current
    from wagtail_learning.certificates.models import UnitCertificate

    previous = job_figures(
        connection, now, baseline, lambda: swapped_hook(_units_previous), _units_previous
    )
    UnitCertificate.objects.all().delete()
    UnitRuleSnapshot.objects.all().delete()
    latest = job_figures(connection, now, baseline, lambda: nullcontext(), current)
    for label, figures in (("previous approach", previous), ("now", latest)):
        first, first_queries, issued, steady, steady_queries, verdicts = figures
        print(
            f"  {label:>17}: first day {first * 1000:7.0f} ms, {first_queries} queries "
            f"({issued} certificates issued, {first_queries / max(issued, 1):.1f} per "
            f"certificate), {first / baseline:.1f} x baseline; same day again "
            f"{steady * 1000:7.0f} ms, {steady_queries} queries for {verdicts} unit verdicts"
        )
    print(f"  {UnitRuleSnapshot.objects.count()} snapshots stored")


def swapped_hook(module):
    """The previous approach answers the evaluation instead of the current one."""
    from contextlib import contextmanager

    from wagtail import hooks

    from wagtail_learning.certificates.units import update_unit_certificates
    from wagtail_learning.compliance.api import UNIT_RULES_EVALUATED

    @contextmanager
    def swapped():
        registered = hooks._hooks[UNIT_RULES_EVALUATED]
        hooks._hooks[UNIT_RULES_EVALUATED] = [
            (module.update_unit_certificates if fn is update_unit_certificates else fn, order)
            for fn, order in registered
        ]
        try:
            yield
        finally:
            hooks._hooks[UNIT_RULES_EVALUATED] = registered

    return swapped()


def job_figures(connection, now, baseline, context, module):
    """The daily job's first day and a second run the same day, with `module` answering
    it: (first s, queries, issued, again s, queries, unit verdicts). The render tasks it
    enqueues are collected, not run (the queue's workers render)."""
    from wagtail_learning.certificates.models import UnitCertificate
    from wagtail_learning.compliance.api import evaluate_certification_rules

    enqueued = []
    original = module._enqueue_render
    module._enqueue_render = enqueued.append
    try:
        with context():
            started = time.perf_counter()
            counts, first_queries = count_queries(
                connection, lambda: evaluate_certification_rules(now=now)
            )
            first = time.perf_counter() - started
            issued = UnitCertificate.objects.count()
            started = time.perf_counter()
            counts, steady_queries = count_queries(
                connection, lambda: evaluate_certification_rules(now=now)
            )
            steady = time.perf_counter() - started
    finally:
        module._enqueue_render = original
    return first, first_queries, issued, steady, steady_queries, counts["units"]


def build(args, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tests.factories import CoursePageFactory, ModulePageFactory, course_index, reading_step
    from wagtail_learning.compliance.models import Assignment
    from wagtail_learning.lms.models import Completion
    from wagtail_learning.org.models import LearnerProfile, Membership, Organisation, root_ids

    now = timezone.now()
    today = timezone.localdate()
    region = Organisation.add_root(name="Södertörn (samverkan)")
    municipalities, units = [], []
    schools = 0
    for name in MUNICIPALITIES:
        region.refresh_from_db()
        municipality = region.add_child(name=f"{name} kommun")
        municipalities.append(municipality)
        for a in range(ADMINISTRATIONS):
            municipality.refresh_from_db()
            administration = municipality.add_child(name=f"{name} förvaltning {a + 1}")
            for u in range(UNITS_PER_ADMINISTRATION):
                administration.refresh_from_db()
                school = u % 3 == 0
                schools += school
                units.append(
                    administration.add_child(
                        name=f"{name} enhet {a + 1}.{u + 1:02d}",
                        unit_type="Skola" if school else "Enhet",
                    )
                )
    course = CoursePageFactory(parent=course_index(), title="Likabehandling", slug="likabehandling")
    ModulePageFactory(parent=course, title="Likabehandling: modul", steps=[reading_step("Del 1")])
    assignments = [
        Assignment.objects.create(
            course=course, unit=m, due_days=60, recurrence_months=12, target_share=80
        )
        for m in municipalities
    ]
    region_assignment = Assignment.objects.create(
        course=course, unit=region, due_days=60, recurrence_months=12, target_share=80
    )

    user_model = get_user_model()
    completions = 0
    roots = root_ids(unit.pk for unit in units)
    first_day = date(2006, 1, 1)
    span = (today - first_day).days
    for start in range(0, args.people, BATCH):
        batch = range(start, min(start + BATCH, args.people))
        users = user_model.objects.bulk_create(
            [
                user_model(username=f"p{i:06d}", first_name="Anna", last_name=f"Person {i}")
                for i in batch
            ]
        )
        profiles, memberships, done = [], [], []
        for i, user in zip(batch, users, strict=True):
            unit = units[i % len(units)]
            places = [unit]
            if rng.random() < 0.02:
                other = rng.choice(units)
                if other.pk != unit.pk and other.path[:8] == unit.path[:8]:
                    places.append(other)
            recent = rng.random() < 0.03
            hire = (
                today - timedelta(days=rng.randrange(120))
                if recent
                else first_day + timedelta(days=rng.randrange(span))
            )
            profiles.append(
                LearnerProfile(
                    user=user,
                    unit=unit,
                    organisation_id=roots[unit.pk],  # bulk_create skips save()
                    employee_number=f"E{i:06d}",
                    is_manager=(i // len(units)) % 20 == 0,
                    hire_date=hire,
                )
            )
            memberships.extend(Membership(user=user, unit=place) for place in places)
            fate = rng.random()
            if fate < 0.6:
                # Within the last 14 months: some expired, some expiring within 30 days.
                when = now - timedelta(days=rng.randrange(1, 425))
                done.append(
                    Completion(
                        user=user,
                        page_id=course.pk,
                        kind=Completion.Kind.COURSE,
                        cycle=1,
                        completed_at=when,
                    )
                )
        LearnerProfile.objects.bulk_create(profiles, batch_size=BATCH)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        Completion.objects.bulk_create(done, batch_size=BATCH)
        completions += len(done)
    return {
        "region": region,
        "municipalities": municipalities,
        "units": units,
        "schools": schools,
        "assignments": assignments,
        "region_assignment": region_assignment,
        "completions": completions,
    }


if __name__ == "__main__":
    main()
