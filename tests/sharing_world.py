"""A hand-counted course shared between organisations, on a frozen clock (decision 0020).

    Sundbyberg (owner)   Förskolan Ängen: Sara (done), Sven (nothing), Mira (also in Järfälla)
    Järfälla (shares)    Skolan Berga:    Mira, Jonas, Julia, Jenny
    Väsby (not shared)   Omsorgen Vik:    Vera (an assignment made before the course was shared)

"Minoriteter" has two modules (45 and 30 minutes, then a third with no estimated time),
owned by Sundbyberg and shared with Järfälla. Sundbyberg assigned it to everyone (due in
30 days), Järfälla too (due in 10 days), both on 1 March 2026; now is 16 March 2026, 12:00.

Who did what:
    Sara   started 2 Mar, module 1 on 3 Mar, module 2 on 4 Mar, the course on 4 Mar
    Sven   nothing
    Mira   started 20 Feb, module 1 on 10 Mar, the course on 12 Mar (in both organisations)
    Jonas  started 5 Mar, module 1 on 6 Mar, module 2 and the course on 2 Apr (after March)
    Julia  started 20 Mar (after now; for the March report), nothing done
    Jenny  completed the course on 15 Jan, nothing since
    Vera   completed the course on 5 Mar (Väsby takes no part: in no figure)

Compliance now (16 Mar): Sundbyberg 3 in the audience: 2 compliant (Sara, Mira), 1 not
started (Sven). Järfälla 4: 2 compliant (Mira, Jenny), 2 overdue (Jonas and Julia, due
11 Mar; Jonas's completion comes later). Total: 6 people, 3 compliant (Mira once), 2
overdue.

Programme report for March 2026:
    Sundbyberg  participants Sara, Mira = 2; completed Sara, Mira = 2; 45+30+45 = 120 min
                (2.0 h); first started 2 Mar (Mira started in February); last finished 12 Mar
    Järfälla    participants Mira, Jonas, Julia = 3; completed Mira = 1; 45+45 = 90 min
                (1.5 h); first started 5 Mar; last finished 12 Mar
    Total       Sara, Mira, Jonas, Julia = 4; completed 2; 165 min (2.8 h); 2 Mar; 12 Mar
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    assign_course,
    completed_module,
    course_completed,
    hr_user,
    org_unit,
    reading_step,
    staff_member,
    step_progress,
)
from wagtail_learning.compliance.models import CourseSharing
from wagtail_learning.lms.models import Completion, StepProgress

NOW = timezone.make_aware(datetime(2026, 3, 16, 12, 0))
ASSIGNED_ON = date(2026, 3, 1)


def at(month: int, day: int, year: int = 2026) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def started(user, module, when: datetime, *, completed_at=None):
    row = step_progress(user, module, completed_at=completed_at)
    StepProgress.objects.filter(pk=row.pk).update(started_at=when)
    return row


def build() -> SimpleNamespace:
    course = CoursePageFactory(title="Minoriteter")
    modules = [
        ModulePageFactory(
            parent=course, title=title, estimated_minutes=minutes, steps=[reading_step("Läs")]
        )
        for title, minutes in (("Del 1", 45), ("Del 2", 30), ("Del 3", None))
    ]
    roots = {
        "S": org_unit("Sundbybergs stad"),
        "J": org_unit("Järfälla kommun"),
        "V": org_unit("Upplands Väsby kommun"),
    }
    units = {
        "S": org_unit("Förskolan Ängen", roots["S"]),
        "J": org_unit("Skolan Berga", roots["J"]),
        "V": org_unit("Omsorgen Vik", roots["V"]),
    }
    sharing = CourseSharing.objects.create(course=course, owner=roots["S"])
    sharing.participants.add(roots["J"])

    def person(key, first, **kwargs):
        return staff_member(
            units[key], first_name=first, last_name=f"{first}sson",
            username=first.lower(), **kwargs,
        )  # fmt: skip

    people = SimpleNamespace(
        sara=person("S", "Sara"),
        sven=person("S", "Sven"),
        mira=person("S", "Mira", also_in=[units["J"]]),
        jonas=person("J", "Jonas"),
        julia=person("J", "Julia"),
        jenny=person("J", "Jenny"),
        vera=person("V", "Vera"),
    )
    assign_course(course, roots["S"], today=ASSIGNED_ON, due_days=30)
    assign_course(course, roots["J"], today=ASSIGNED_ON, due_days=10)
    assign_course(course, roots["V"], today=ASSIGNED_ON, due_days=30)  # before sharing

    m1, m2, _m3 = modules
    p = people
    started(p.sara, m1, at(3, 2), completed_at=at(3, 3))
    completed_module(p.sara, m1, when=at(3, 3))
    completed_module(p.sara, m2, when=at(3, 4))
    course_completed(p.sara, course, when=at(3, 4))
    started(p.mira, m1, at(2, 20), completed_at=at(3, 10))
    completed_module(p.mira, m1, when=at(3, 10))
    course_completed(p.mira, course, when=at(3, 12))
    started(p.jonas, m1, at(3, 5), completed_at=at(3, 6))
    completed_module(p.jonas, m1, when=at(3, 6))
    completed_module(p.jonas, m2, when=at(4, 2))
    Completion.objects.create(
        user=p.jonas, page_id=course.pk, kind=Completion.Kind.COURSE, completed_at=at(4, 2)
    )
    started(p.julia, m1, at(3, 20))
    course_completed(p.jenny, course, when=at(1, 15))
    course_completed(p.vera, course, when=at(3, 5))
    started(p.vera, m1, at(3, 5), completed_at=at(3, 5))

    hr = {key: hr_user(roots[key], username=f"hr-{key.lower()}") for key in roots}
    return SimpleNamespace(
        course=course, modules=modules, roots=roots, units=units, sharing=sharing,
        people=people, hr=hr,
    )  # fmt: skip
