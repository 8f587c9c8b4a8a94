"""Certified units: certification rules evaluated per unit into dated snapshots.

A rule (CertificationRule) belongs to an assignment and judges every unit in the
assignment's subtree (or only the units of a type). A unit's audience is the assignment's
audience placed in the unit or below it, counted once per person however many of its
units they are in; who is compliant is compliance/policy.py's one status rule, under the
person's own recurrence. All conditions given must hold:

- a share of the audience compliant (at least `min_share` %);
- at least `min_people` compliant people (or compliant managers, `managers_only`);
- every new hire (hired on or after `new_hires_from`) whose window of `new_hire_days`
  after the hire date has passed is compliant. A late completion that has since been made
  counts: the rule judges the unit as it is today.

Evaluation is set-based: per rule, one grouped query per depth of the tree where the
judged units lie (never a query per unit or person), then one upsert of the day's
snapshots. `at_risk` marks units that meet a rule today but would not if the completions
expiring within WARNING_DAYS had expired already.

Compliance announces UNIT_RULES_EVALUATED (a Wagtail hook) after each rule's snapshots of
a day are written; certificates issues and lapses unit certificates from it (it sits
above compliance: decision 0004).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.models import Page

from wagtail_learning.org.api import Membership, Organisation, get_scope_units

from .models import Assignment, CertificationRule, UnitRuleSnapshot
from .policy import audience_q, recurrence_for, status_rules
from .vocabulary import ComplianceStatus

__all__ = [
    "UNIT_RULES_EVALUATED",
    "WARNING_DAYS",
    "Figures",
    "Verdict",
    "describe_missing",
    "evaluate_certification_rules",
    "evaluate_rule",
    "get_rule_states",
    "get_unit_rule_history",
    "judge",
]

STEPLEN = Organisation.steplen
UNIT_RULES_EVALUATED = "compliance_unit_rules_evaluated"
WARNING_DAYS = 30  # "about to lapse": compliance that keeps the unit certified ends this soon

# The structured "what is missing" entries of a snapshot, one per unmet condition.
MISSING_SHARE = "share"  # {"people": n, "share": 62.5, "target": 80}
MISSING_PEOPLE = "people"  # {"people": n, "managers": bool, "have": k}
MISSING_NEW_HIRES = "new_hires"  # {"people": n, "days": 30}
MISSING_AUDIENCE = "no_audience"  # {}: nobody to judge


@dataclass(frozen=True)
class Figures:
    """A unit's counts for one rule."""

    audience: int = 0
    compliant: int = 0
    compliant_managers: int = 0
    late_new_hires: int = 0


@dataclass(frozen=True)
class Verdict:
    met: bool
    missing: list[dict]


def judge(rule: CertificationRule, figures: Figures) -> Verdict:
    """Does a unit with these figures meet the rule, and what is missing? Pure."""
    missing: list[dict] = []
    if figures.audience == 0:
        missing.append({"kind": MISSING_AUDIENCE})
    if rule.min_share:
        needed = math.ceil(rule.min_share * figures.audience / 100)
        if figures.audience and figures.compliant < needed:
            missing.append(
                {
                    "kind": MISSING_SHARE,
                    "people": needed - figures.compliant,
                    "share": round(100 * figures.compliant / figures.audience, 1),
                    "target": rule.min_share,
                }
            )
    if rule.min_people:
        have = figures.compliant_managers if rule.managers_only else figures.compliant
        if have < rule.min_people:
            missing.append(
                {
                    "kind": MISSING_PEOPLE,
                    "people": rule.min_people - have,
                    "managers": rule.managers_only,
                    "have": have,
                }
            )
    if rule.new_hire_days and figures.late_new_hires:
        missing.append(
            {
                "kind": MISSING_NEW_HIRES,
                "people": figures.late_new_hires,
                "days": rule.new_hire_days,
            }
        )
    return Verdict(met=not missing, missing=missing)


def _number(value: float) -> str:
    """60.0 as "60", 33.3 as "33,3" in Swedish."""
    return localize(int(value) if float(value).is_integer() else value)


def describe_missing(missing: list[dict]) -> list[str]:
    """A snapshot's missing entries in words, e.g. "2 more managers", "no trained person",
    "3 new hires outside 30 days"."""
    words = []
    for entry in missing:
        kind, n = entry.get("kind"), entry.get("people")  # "no_audience" counts none
        if kind == MISSING_AUDIENCE:
            words.append(_("nobody in the audience"))
        elif kind == MISSING_PEOPLE and entry.get("managers"):
            if not entry.get("have") and n == 1:
                words.append(_("no trained manager"))
            else:
                words.append(ngettext("%(n)d more manager", "%(n)d more managers", n) % {"n": n})
        elif kind == MISSING_PEOPLE:
            if not entry.get("have") and n == 1:
                words.append(_("no trained person"))
            else:
                words.append(
                    ngettext("%(n)d more trained person", "%(n)d more trained people", n) % {"n": n}
                )
        elif kind == MISSING_SHARE:
            words.append(
                ngettext(
                    "%(n)d more trained person for %(target)d %% (now %(share)s %%)",
                    "%(n)d more trained people for %(target)d %% (now %(share)s %%)",
                    n,
                )
                % {"n": n, "target": entry["target"], "share": _number(entry["share"])}
            )
        elif kind == MISSING_NEW_HIRES:
            words.append(
                ngettext(
                    "%(n)d new hire outside %(days)d days",
                    "%(n)d new hires outside %(days)d days",
                    n,
                )
                % {"n": n, "days": entry["days"]}
            )
    return words


# --- Evaluation ----------------------------------------------------------------------------


def _judged_units(rule: CertificationRule) -> list[Organisation]:
    units = Organisation.objects.filter(path__startswith=rule.assignment.unit.path)
    if rule.unit_type.strip():
        units = units.filter(unit_type__iexact=rule.unit_type.strip())
    return list(units.order_by("path"))


def _aggregates(rule: CertificationRule, course: Page, now: datetime, today: date) -> dict:
    assignments = Assignment.objects.filter(course_id=course.pk, active=True).select_related("unit")
    recurrence = recurrence_for(assignments, today=today)
    compliant = status_rules(course=course, recurrence=recurrence, now=now).condition(
        ComplianceStatus.COMPLIANT
    )
    # Compliant now and still so when the warning period is over: nothing of theirs expires.
    lasting = compliant & recurrence.valid_q(course.pk, now + timedelta(days=WARNING_DAYS))
    manager = Q(user__learner_profile__is_manager=True)
    figures = {
        "audience": Count("user", distinct=True),
        "compliant": Count("user", distinct=True, filter=compliant),
        "compliant_managers": Count("user", distinct=True, filter=compliant & manager),
        "lasting": Count("user", distinct=True, filter=lasting),
        "lasting_managers": Count("user", distinct=True, filter=lasting & manager),
    }
    if rule.new_hire_days:
        since = rule.new_hires_from or timezone.localdate(rule.created_at)
        # Outside the window: hired more than N days ago (on day N they are still inside).
        late = Q(
            user__learner_profile__hire_date__gte=since,
            user__learner_profile__hire_date__lt=today - timedelta(days=rule.new_hire_days),
        )
        figures["late_new_hires"] = Count("user", distinct=True, filter=late & ~compliant)
    return figures


def evaluate_rule(
    rule: CertificationRule, *, now: datetime | None = None, course: Page | None = None
) -> list[UnitRuleSnapshot]:
    """Judge every unit the rule covers as of `now` and store the day's snapshots (the
    day's earlier ones are replaced). Atomic. Returns the snapshots."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    course = course or Page.objects.get(pk=rule.assignment.course_id)
    units = _judged_units(rule)
    by_path = {unit.path: unit for unit in units}
    members = Membership.objects.filter(
        Q(unit__path__startswith=rule.assignment.unit.path),
        audience_q([rule.assignment], today=today),
    )
    aggregates = _aggregates(rule, course, now, today)
    counted: dict[int, dict] = {}
    for depth in sorted({unit.depth for unit in units}):
        grouped = (
            members.filter(unit__depth__gte=depth)
            .annotate(row=Substr("unit__path", 1, depth * STEPLEN))
            .values("row")
            .annotate(**aggregates)
        )
        for values in grouped:
            unit = by_path.get(values.pop("row"))
            if unit is not None and unit.depth == depth:
                counted[unit.pk] = values
    nobody = dict.fromkeys(aggregates, 0)  # a unit without anyone in the audience
    snapshots = []
    for unit in units:
        values = counted.get(unit.pk, nobody)
        figures = Figures(
            audience=values["audience"],
            compliant=values["compliant"],
            compliant_managers=values["compliant_managers"],
            # Counted only under a rule with a new-hire window.
            late_new_hires=values.get("late_new_hires", 0),
        )
        verdict = judge(rule, figures)
        later = Figures(
            audience=figures.audience,
            compliant=values["lasting"],
            compliant_managers=values["lasting_managers"],
            late_new_hires=figures.late_new_hires,
        )
        snapshots.append(
            UnitRuleSnapshot(
                rule=rule,
                unit=unit,
                date=today,
                met=verdict.met,
                at_risk=verdict.met and not judge(rule, later).met,
                audience=figures.audience,
                compliant=figures.compliant,
                compliant_managers=figures.compliant_managers,
                late_new_hires=figures.late_new_hires,
                missing=verdict.missing,
                evaluated_at=now,
            )
        )
    with transaction.atomic():
        if snapshots:
            UnitRuleSnapshot.objects.bulk_create(
                snapshots,
                update_conflicts=True,
                unique_fields=["rule", "unit", "date"],
                update_fields=[
                    "met",
                    "at_risk",
                    "audience",
                    "compliant",
                    "compliant_managers",
                    "late_new_hires",
                    "missing",
                    "evaluated_at",
                ],
            )
        for fn in hooks.get_hooks(UNIT_RULES_EVALUATED):
            fn(rule=rule, day=today, now=now)
    return snapshots


def evaluate_certification_rules(*, now: datetime | None = None) -> dict[str, int]:
    """The daily job: every active rule of an active assignment, judged as of `now`.
    Idempotent (a second run the same day replaces the day's snapshots)."""
    now = now or timezone.now()
    rules = list(
        CertificationRule.objects.filter(active=True, assignment__active=True).select_related(
            "assignment__unit"
        )
    )
    courses = Page.objects.in_bulk({rule.assignment.course_id for rule in rules})
    counts = {"rules": 0, "units": 0, "met": 0}
    for rule in rules:
        course = courses.get(rule.assignment.course_id)
        if course is None:
            continue
        snapshots = evaluate_rule(rule, now=now, course=course)
        counts["rules"] += 1
        counts["units"] += len(snapshots)
        counts["met"] += sum(1 for s in snapshots if s.met)
    return counts


# --- Reading the snapshots -----------------------------------------------------------------


def _scoped_snapshots(user) -> QuerySet[UnitRuleSnapshot]:
    from wagtail_learning.org.api import scope_queryset

    return scope_queryset(user, UnitRuleSnapshot.objects.all())


def get_rule_states(
    *, user, on: date, units: list[Organisation] | None = None
) -> list[UnitRuleSnapshot]:
    """Each rule's latest snapshot of each unit on or before `on` (the unit's state that
    day, as last evaluated), for the units given or all in the user's scope. One query."""
    snapshots = _scoped_snapshots(user).filter(date__lte=on)
    if units is not None:
        snapshots = snapshots.filter(unit__in=units)
    latest = UnitRuleSnapshot.objects.filter(
        rule=OuterRef("rule"), unit=OuterRef("unit"), date__lte=on
    ).order_by("-date")
    return list(
        snapshots.filter(date=Subquery(latest.values("date")[:1]))
        .select_related("rule", "unit")
        .order_by("unit__path", "rule__name", "rule_id")
    )


def get_unit_rule_history(*, user, unit: Organisation, days: int = 90, until: date | None = None):
    """A unit's snapshots of the last `days` days, newest first. Raises LookupError when the
    unit is outside the user's scope."""
    if not any(unit.path.startswith(top.path) for top in get_scope_units(user)):
        raise LookupError("unit out of scope")
    until = until or timezone.localdate()
    return list(
        _scoped_snapshots(user)
        .filter(unit=unit, date__lte=until, date__gt=until - timedelta(days=days))
        .select_related("rule")
        .order_by("-date", "rule__name", "rule_id")
    )
