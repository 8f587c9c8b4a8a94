"""Courses owned by one organisation and shared with others (decision 0020).

- Who may assign a course: its owner and participating organisations (all of them when
  it is open to all); a course nobody owns is the platform's own and anyone's to assign
  (`may_assign`, `check_may_assign`). The engine refuses the rest (`create_assignment`).
- What the owner sees of the others: figures per participating organisation, counts and
  shares without a name (`get_shared_course_figures`), and the funder's programme report
  for a period (`get_programme_report`). Names stay behind the wall: a coordinator sees
  their own people through the ordinary reports, which `org.api.scope_queryset` and the
  reporting scope limit.

A person placed in units of several organisations counts once in each organisation whose
assignments cover them, and once in a total; a completion counts for every organisation
whose audience the person is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from wagtail_learning.lms.api import AccessDenied, Completion, StepProgress
from wagtail_learning.org.api import Membership, Organisation, get_scope_units

from .disclosure import Withheld, withhold_small_groups
from .models import Assignment, CourseSharing
from .policy import audience_q, recurrence_for, status_rules

__all__ = [
    "NotParticipating",
    "OrganisationFigures",
    "PeriodTooShort",
    "ProgrammeReport",
    "ProgrammeRow",
    "SharedCourseFigures",
    "check_may_assign",
    "get_owned_courses",
    "get_programme_report",
    "get_shared_course_figures",
    "may_assign",
    "participating_roots",
    "shortest_period_start",
]

STEPLEN = Organisation.steplen


class NotParticipating(Exception):
    """The unit's organisation does not take part in the course."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Who takes part ---------------------------------------------------------------------


def _sharing(course_id: int) -> CourseSharing | None:
    return CourseSharing.objects.select_related("owner").filter(course_id=course_id).first()


def participating_roots(sharing: CourseSharing) -> list[Organisation]:
    """The organisations that take part in a shared course: the owner first, then the
    participants by name. For a course open to all: the owner and every organisation that
    has assigned it (the others may, but have no figures)."""
    if sharing.open_to_all:
        paths = {
            path[:STEPLEN]
            for path in Assignment.objects.filter(course_id=sharing.course_id).values_list(
                "unit__path", flat=True
            )
        }
        others = Organisation.objects.filter(depth=1, path__in=paths)
    else:
        others = sharing.participants.filter(depth=1)
    rest = sorted((o for o in others if o.pk != sharing.owner_id), key=lambda o: o.name)
    return [sharing.owner, *rest]


def may_assign(course_id: int, unit: Organisation) -> bool:
    """May the organisation `unit` belongs to assign this course?"""
    sharing = _sharing(course_id)
    if sharing is None or sharing.open_to_all:
        return True
    root_path = unit.path[:STEPLEN]
    if sharing.owner.path == root_path:
        return True
    return sharing.participants.filter(path=root_path).exists()


def check_may_assign(course_id: int, unit: Organisation) -> None:
    """Raise NotParticipating, with a message for the form, when the organisation `unit`
    belongs to does not take part in the course."""
    if may_assign(course_id, unit):
        return
    sharing = _sharing(course_id)
    course = Page.objects.filter(pk=course_id).values_list("title", flat=True).first()
    raise NotParticipating(
        _(
            "%(organisation)s does not take part in “%(course)s”. The course belongs to "
            "%(owner)s, who decides which organisations it is shared with."
        )
        % {"organisation": unit.top.name, "course": course, "owner": sharing.owner.name}
    )


def _owner_roots(user) -> list[Organisation]:
    """The organisations whose coordinator `user` is: a reporting scope on the root."""
    return [unit for unit in get_scope_units(user) if unit.depth == 1]


def get_owned_courses(user, *, roots: list[Organisation] | None = None) -> QuerySet[CourseSharing]:
    """The shared courses whose owner `user` coordinates (superusers: every one).
    `roots`: the user's `_owner_roots`, when the caller has them."""
    found = CourseSharing.objects.select_related("course", "owner").order_by("course__title")
    if user.is_superuser:
        return found
    return found.filter(owner__in=_owner_roots(user) if roots is None else roots)


def _owned(user, course_id: int) -> tuple[CourseSharing, set[int]]:
    """The course's sharing, for its owner's coordinators (else AccessDenied), and the
    organisations whose figures `user` reads unwithheld: the owner (whose report it is)
    and any other organisation they coordinate as a whole (decision 0034)."""
    roots = [] if user.is_superuser else _owner_roots(user)
    sharing = get_owned_courses(user, roots=roots).filter(course_id=course_id).first()
    if sharing is None:
        raise AccessDenied("Only the coordinators of the course's owner see these figures.")
    return sharing, {sharing.owner_id, *(root.pk for root in roots)}


# --- What the owner sees: figures per organisation -----------------------------------------


@dataclass
class OrganisationFigures:
    """One organisation's figures for a shared course: counts and shares, never a name."""

    organisation: Organisation | None  # None: the total
    is_owner: bool = False
    audience: int | Withheld = 0
    compliant: int | Withheld = 0
    overdue: int | Withheld = 0
    in_progress: int | Withheld = 0
    # Set when the figures are withheld (decision 0034): each of them is this mark.
    withheld: Withheld | None = None

    FIGURES = ("audience", "compliant", "overdue", "in_progress")

    @property
    def share(self) -> float | Withheld | None:
        if self.withheld:
            return self.withheld
        return 100 * self.compliant / self.audience if self.audience else None

    @property
    def remaining(self) -> int | Withheld:
        """Not started, or expired."""
        if self.withheld:
            return self.withheld
        return max(self.audience - self.compliant - self.overdue - self.in_progress, 0)


def _first_withheld(rows, total) -> Withheld | None:
    return next((row.withheld for row in [*rows, total] if row.withheld), None)


@dataclass
class SharedCourseFigures:
    sharing: CourseSharing
    rows: list[OrganisationFigures]
    total: OrganisationFigures

    @property
    def withheld(self) -> Withheld | None:
        """A withheld figure's mark, when any is withheld (for the page's explanation)."""
        return _first_withheld(self.rows, self.total)


def _assignments_within(course_id: int, roots: list[Organisation]) -> list[Assignment]:
    paths = {root.path for root in roots}
    return [
        assignment
        for assignment in Assignment.objects.filter(course_id=course_id, active=True)
        .select_related("unit")
        .order_by("pk")
        if assignment.unit.path[:STEPLEN] in paths
    ]


def get_shared_course_figures(
    *, user, course_id: int, now: datetime | None = None
) -> SharedCourseFigures:
    """For the owner's coordinators: per participating organisation, its audience for the
    course (the people its own assignments cover) and how many are compliant, overdue and
    in progress; a total that counts each person once. Figures of another organisation
    than the reader's own are withheld for groups of fewer than k people, and so is what
    would give them back (`withhold_small_groups`). Raises AccessDenied for anyone but
    the owner's coordinators. A fixed number of queries, whatever the number of people
    and organisations (a few more when a group is withheld). Reads only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sharing, own = _owned(user, course_id)
    roots = participating_roots(sharing)
    assignments = _assignments_within(course_id, roots)
    course = Page(pk=course_id, path=sharing.course.path)
    rows = {root.path: OrganisationFigures(root, is_owner=root == sharing.owner) for root in roots}
    total = OrganisationFigures(None)
    if assignments:
        counts = status_rules(
            course=course, recurrence=recurrence_for(assignments, today=today), now=now
        ).counts()
        members = Membership.objects.filter(audience_q(assignments, today=today))
        grouped = (
            members.annotate(org=Substr("unit__path", 1, STEPLEN)).values("org").annotate(**counts)
        )
        for values in grouped:
            row = rows.get(values.pop("org"))
            if row is not None:
                for name, value in values.items():
                    setattr(row, name, value)
        for name, value in members.aggregate(**counts).items():
            setattr(total, name, value)

        def total_of(shown: list[OrganisationFigures]) -> OrganisationFigures:
            area = Q(pk__in=[])
            for row in shown:
                area |= Q(unit__path__startswith=row.organisation.path)
            return OrganisationFigures(None, **members.filter(area).aggregate(**counts))

        withhold_small_groups(
            list(rows.values()),
            total,
            own=own,
            size="audience",
            figures=OrganisationFigures.FIGURES,
            total_of=total_of,
        )
    return SharedCourseFigures(sharing=sharing, rows=list(rows.values()), total=total)


# --- The funder's report ---------------------------------------------------------------------


@dataclass
class ProgrammeRow:
    """One organisation's participation in the period; no names."""

    organisation: Organisation | None  # None: the total
    participants: int | Withheld = 0
    completions: int | Withheld = 0
    minutes: int | Withheld = 0
    first_activity: datetime | Withheld | None = None
    last_activity: datetime | Withheld | None = None
    # Set when the figures are withheld (decision 0034): each of them is this mark.
    withheld: Withheld | None = None

    FIGURES = ("participants", "completions", "minutes", "first_activity", "last_activity")

    @property
    def hours(self) -> float | Withheld:
        """In tenths, half up (2.25 h is 2.3, as a funder's spreadsheet rounds)."""
        if self.withheld:
            return self.withheld
        exact = Decimal(self.minutes) / 60
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class ProgrammeReport:
    sharing: CourseSharing
    start: date
    end: date
    rows: list[ProgrammeRow]
    total: ProgrammeRow
    modules_without_time: list[str] = field(default_factory=list)
    course_minutes: int = 0  # the course's whole time: what each completion credits, once

    @property
    def definitions(self) -> tuple:
        return DEFINITIONS

    @property
    def withheld(self) -> Withheld | None:
        """A withheld figure's mark, when any is withheld (for the page's explanation)."""
        return _first_withheld(self.rows, self.total)


class PeriodTooShort(ValueError):
    """A programme report's period is shorter than a month (decision 0034)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# A month, for the period rule: as long as the shortest month, so every calendar month
# (February too) is a period, and a period is one by its length, wherever it starts.
MONTH_DAYS = 28


def shortest_period_start(end: date) -> date:
    """The latest first day of a period of at least a month that ends on `end`."""
    return end - timedelta(days=MONTH_DAYS - 1)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValueError("The period ends before it starts.")
    if (end - start).days + 1 < MONTH_DAYS:
        raise PeriodTooShort(
            _(
                "Choose a period of at least a month (%(days)d days; from %(start)s, to "
                "%(end)s or later): other organisations' figures for a shorter time could "
                "point out single people."
            )
            % {
                "days": MONTH_DAYS,
                "start": start.isoformat(),
                "end": (start + timedelta(days=MONTH_DAYS - 1)).isoformat(),
            }
        )


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    first = timezone.make_aware(datetime.combine(start, time.min))
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return first, last


# The report's definitions, stated on the page and in the export (one wording for both,
# and docs/decisions/0034 holds the same). Every figure comes from the same records: a
# person's learning activity on the course in the period (a step started or finished, a
# module or the course completed).
DEFINITIONS = (
    gettext_lazy(
        "Participants: people of the organisation with learning activity on the course in "
        "the period (a step started or finished, a module or the course completed)."
    ),
    gettext_lazy("Completed: participants who completed the course in the period."),
    gettext_lazy(
        "Training hours: the estimated time of each module completed in the period; a "
        "course completed in the period also credits the modules the person has no "
        "completion of in that round (a completion recorded by hand or imported), so "
        "every completion counts the course's whole time, once."
    ),
    gettext_lazy(
        "First and last activity: the earliest and the latest learning activity of the "
        "participants in the period, so the first is never after the last."
    ),
    gettext_lazy("A person placed in two organisations counts in both and once in the total."),
)


def get_programme_report(*, user, course_id: int, start: date, end: date) -> ProgrammeReport:
    """The joint programme report for the funder, for the days `start` to `end` (both
    included), per participating organisation; the figures as DEFINITIONS states them:

    - participants: people of the organisation (a membership in its tree) with learning
      activity on the course in the period: a step of it started or finished, one of its
      modules or the course completed;
    - completions: participants who completed the course in the period;
    - training hours: each module completed in the period credits its estimated time
      (modules without one count nothing and are listed); a course completion in the
      period credits the modules the person has no completion of in the same cycle (it
      was recorded by hand, imported, or made when a module was optional). So a
      completion always carries the course's whole time, once over all periods, and
      progress left halfway still counts what was done (decision 0020);
    - first / last activity: the earliest and the latest of those same activity records,
      so the first is never after the last.

    A person in two organisations counts in both rows and once in the total. Figures of
    another organisation than the reader's own are withheld for groups of fewer than k
    participants, and so is what would give them back (`withhold_small_groups`).

    Raises AccessDenied for anyone but the owner's coordinators, ValueError for a period
    that ends before it starts, PeriodTooShort (a ValueError with a message for the
    reader) for one shorter than a month: a day's figures could single out a person.
    One query per organisation, plus a few. Reads only."""
    _check_period(start, end)
    sharing, own = _owned(user, course_id)
    roots = participating_roots(sharing)
    course = sharing.course.specific
    modules = list(course.get_lms_modules()) if hasattr(course, "get_lms_modules") else []
    minutes = {module.pk: getattr(module, "estimated_minutes", None) or 0 for module in modules}
    module_ids = list(minutes)
    first, last = _period(start, end)

    steps = StepProgress.objects.filter(user=OuterRef("pk"), module_id__in=module_ids)
    started = steps.filter(started_at__gte=first, started_at__lt=last)
    finished_step = steps.filter(completed_at__gte=first, completed_at__lt=last)
    done = Completion.objects.filter(
        user=OuterRef("pk"),
        page_id__in=[course_id, *module_ids],
        completed_at__gte=first,
        completed_at__lt=last,
    )
    course_done = done.filter(page_id=course_id, kind=Completion.Kind.COURSE)

    credited = Case(
        *(When(page_id=pk, then=Value(value)) for pk, value in minutes.items() if value),
        default=Value(0),
        output_field=IntegerField(),
    )
    module_done = done.filter(page_id__in=module_ids, kind=Completion.Kind.MODULE)
    # For a course completion: its cycle's modules credited by their own completions (at
    # any time); the rest of the course's time is credited by the course completion.
    credited_in_cycle = (
        Completion.objects.filter(
            user=OuterRef("user"),
            cycle=OuterRef("cycle"),
            page_id__in=module_ids,
            kind=Completion.Kind.MODULE,
        )
        .values("user")
        .annotate(m=Sum(credited))
        .values("m")
    )
    whole = sum(minutes.values())
    rest = (
        course_done.annotate(_rest=Value(whole) - Coalesce(Subquery(credited_in_cycle), Value(0)))
        .values("user")
        .annotate(m=Sum("_rest"))
        .values("m")
    )

    def edge(records, field: str, fn):
        return Subquery(records.values("user").annotate(t=fn(field)).values("t"))

    sources = {
        "start": (started, "started_at"),
        "step": (finished_step, "completed_at"),
        "done": (done, "completed_at"),
    }
    annotations = {
        "_completed": Exists(course_done),
        "_minutes": Coalesce(
            Subquery(
                module_done.values("user").annotate(m=Sum(credited)).values("m"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        + Coalesce(Subquery(rest, output_field=IntegerField()), Value(0)),
    }
    for name, (records, column) in sources.items():
        annotations[f"_first_{name}"] = edge(records, column, Min)
        annotations[f"_last_{name}"] = edge(records, column, Max)
    active = Q()
    for name in sources:
        active |= Q(**{f"_first_{name}__isnull": False})
    people = get_user_model().objects.annotate(**annotations).filter(active)
    figures = {
        "participants": Count("pk"),
        "completions": Count("pk", filter=Q(_completed=True)),
        "minutes": Sum("_minutes"),
    }
    for name in sources:
        figures[f"first_{name}"] = Min(f"_first_{name}")
        figures[f"last_{name}"] = Max(f"_last_{name}")

    def row(organisation, paths) -> ProgrammeRow:
        area = Q(pk__in=[])
        for path in paths:
            area |= Q(unit__path__startswith=path)
        values = people.filter(pk__in=Membership.objects.filter(area).values("user")).aggregate(
            **figures
        )
        firsts = [values.pop(f"first_{name}") for name in sources]
        lasts = [values.pop(f"last_{name}") for name in sources]
        return ProgrammeRow(
            organisation,
            participants=values["participants"],
            completions=values["completions"],
            minutes=values["minutes"] or 0,
            first_activity=min((t for t in firsts if t is not None), default=None),
            last_activity=max((t for t in lasts if t is not None), default=None),
        )

    rows = [row(root, [root.path]) for root in roots]
    total = row(None, [root.path for root in roots])
    withhold_small_groups(
        rows,
        total,
        own=own,
        size="participants",
        figures=ProgrammeRow.FIGURES,
        total_of=lambda shown: row(None, [r.organisation.path for r in shown]),
    )
    return ProgrammeReport(
        sharing=sharing,
        start=start,
        end=end,
        rows=rows,
        total=total,
        modules_without_time=[m.title for m in modules if not minutes[m.pk]],
        course_minutes=whole,
    )
