"""The demo's shared course: the minorities lecture series, owned by Sundbyberg and shared
with Järfälla, Upplands Väsby and Upplands-Bro (seed 004), each with a few units, staff
with some progress and a coordinator of its own (decision 0020).

Idempotent like the rest of seed_demo: everything is looked up by a stable key
(organisation and unit name, username, group name, the course's slug) and created only
when missing; progress is recorded once, when an assignment is created.

Huddinge and Botkyrka, which assigned the series before it had an owner, take part too,
so the rest of the demo keeps working.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import GroupPagePermission

from home.management import demo_content as content
from wagtail_learning.compliance.api import Assignment, CourseSharing, apply_assignment
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms.api import Completion, Enrolment, StepProgress
from wagtail_learning.org.api import Membership, Organisation

COURSE_SLUG = "nationella-minoriteter"
OWNER = "Sundbybergs stad"
EARLIER_PARTICIPANTS = ("Huddinge kommun", "Botkyrka kommun")

# name, units by administration, coordinator account, first employee number, email domain
ORGANISATIONS = [
    {
        "name": OWNER,
        "units": {
            "Förskoleförvaltningen": ["Förskolan Ängen", "Förskolan Hallonbergen"],
            "Äldreförvaltningen": ["Hemtjänst Centrala"],
        },
        "coordinator": ("hr-sundbyberg", "Heli", "Kivimäki"),
        "first_number": 3001,
        "email_domain": "sundbyberg.example.se",
    },
    {
        "name": "Järfälla kommun",
        "units": {
            "Barn- och ungdomsförvaltningen": ["Skolan Berga", "Förskolan Jakobsberg"],
        },
        "coordinator": ("hr-jarfalla", "Johanna", "Lindqvist"),
        "first_number": 4001,
        "email_domain": "jarfalla.example.se",
    },
    {
        "name": "Upplands Väsby kommun",
        "units": {"Vård- och omsorgsförvaltningen": ["Äldreboende Vik", "Hemtjänst Väsby"]},
        "coordinator": ("hr-vasby", "Vilma", "Öberg"),
        "first_number": 5001,
        "email_domain": "vasby.example.se",
    },
    {
        "name": "Upplands-Bro kommun",
        "units": {"Utbildningsförvaltningen": ["Skolan Kungsängen"]},
        "coordinator": ("hr-upplands-bro", "Bruno", "Sjöberg"),
        "first_number": 6001,
        "email_domain": "upplands-bro.example.se",
    },
]
STAFF_PER_UNIT = 3
OWNER_EDITORS = f"Redaktörer {OWNER}"
OWNER_EDITOR = ("editor-sundbyberg", "Sanna", "Redaktör")
COORDINATOR_EXTRA_PERMISSIONS = ["compliance.add_assignment"]
# The owner's editors edit the series' lectures and quizzes too (the ones Sundbyberg owns;
# others' they may only reuse, decision 0035).
OWNER_EDITOR_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "modules.add_lecture",
    "modules.change_lecture",
    "modules.delete_lecture",
    "modules.add_quiz",
    "modules.change_quiz",
    "modules.delete_quiz",
    "modules.publish_quiz",
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def accounts() -> list[tuple[str, str]]:
    """Every account this part of the demo signs in with, and what it shows."""
    listed = [
        (spec["coordinator"][0], f"coordinator for {spec['name']}: its own staff only")
        for spec in ORGANISATIONS
    ]
    listed[0] = (listed[0][0], f"coordinator for {OWNER}, owner of the minorities series")
    listed.append((OWNER_EDITOR[0], f"editor of {OWNER}: edits the minorities series only"))
    return listed


def seed_shared_course(command) -> None:
    """Build the shared minorities series; `command` is seed_demo's (its bookkeeping and
    its municipality builder)."""
    from home.management.commands.seed_demo import HR_MODEL_PERMISSIONS, get_permissions

    course = CoursePage.objects.get(slug=COURSE_SLUG)
    roots = {}
    for index, spec in enumerate(ORGANISATIONS):
        group_name = f"HR {spec['name']}"
        command.seed_group(group_name, HR_MODEL_PERMISSIONS + COORDINATOR_EXTRA_PERMISSIONS)
        root, _units = command.seed_municipality(
            spec["name"],
            spec["units"],
            staff_per_unit=STAFF_PER_UNIT,
            first_number=spec["first_number"],
            email_domain=spec["email_domain"],
            hr_group=group_name,
            name_offset=20 + 7 * index,
        )
        roots[spec["name"]] = root
        _account(command, *spec["coordinator"], group=group_name)

    # Roots are kept sorted by name: adding one renumbers the paths of those after it, so
    # read them again before their paths are used.
    roots = {name: Organisation.objects.get(pk=root.pk) for name, root in roots.items()}
    owner = roots[OWNER]
    sharing, created = CourseSharing.objects.get_or_create(course=course, defaults={"owner": owner})
    command.note("sharing", course.title, created=created)
    participants = [roots[spec["name"]] for spec in ORGANISATIONS[1:]]
    participants += list(Organisation.get_root_nodes().filter(name__in=EARLIER_PARTICIPANTS))
    present = set(sharing.participants.values_list("pk", flat=True))
    sharing.participants.add(*[root for root in participants if root.pk not in present])

    # The owner's editors author the series: page permissions on it, and the lectures and
    # quizzes their organisation owns (an editorial group of Sundbyberg's).
    editors = command.seed_group(OWNER_EDITORS, OWNER_EDITOR_PERMISSIONS)
    command.seed_editorial_group(editors, owner)
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=editors, page=course, permission=get_permissions([f"wagtailcore.{codename}"])[0]
        )
    _account(command, *OWNER_EDITOR, group=OWNER_EDITORS)

    # Someone in a network: a Järfälla teacher also placed at Upplands-Bro's school.
    teacher = get_user_model().objects.get(username="anst-4001")
    school = Organisation.objects.get(name="Skolan Kungsängen")
    Membership.objects.get_or_create(user=teacher, unit=school)

    for root in roots.values():
        assignment, created = Assignment.objects.get_or_create(
            course=course,
            unit=root,
            audience=Assignment.Audience.ALL,
            defaults={
                "due_mode": Assignment.DueMode.AFTER_ASSIGNMENT,
                "due_days": 60,
                "target_share": 80,
            },
        )
        command.note("assignments", str(assignment), created=created)
        if created:
            apply_assignment(assignment)
            _progress(assignment, course)


def _account(command, username: str, first_name: str, last_name: str, *, group: str) -> None:
    from django.contrib.auth.models import Group

    user = get_user_model().objects.filter(username=username).first()
    created = user is None
    if created:
        user = get_user_model()(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@{content.EMAIL_DOMAIN}",
        )
        user.set_password(content.DEMO_PASSWORD)
        user.save()
    group = Group.objects.get(name=group)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    command.note("users", username, created=created)


def _progress(assignment: Assignment, course: CoursePage) -> None:
    """A third of the audience finished (every module, then the course), a third started
    the first module, a third has not begun."""
    modules = list(course.get_lms_modules())
    first_step = modules[0].get_lms_steps()[0]
    enrolments = Enrolment.objects.filter(assignment=assignment).order_by("user__username")
    for index, enrolment in enumerate(enrolments):
        user = enrolment.user
        if index % 3 == 2:
            continue
        progress, _created = StepProgress.objects.get_or_create(
            user=user,
            module_id=modules[0].pk,
            step_id=first_step.step_id,
            cycle=enrolment.cycle,
            defaults={"kind": first_step.kind},
        )
        if index % 3 == 1:
            continue
        finished = timezone.now() - timedelta(minutes=index)
        # Begun before finished (the row's start is stamped when it is made: now).
        StepProgress.objects.filter(pk=progress.pk).update(
            started_at=finished - timedelta(days=1), completed_at=finished
        )
        for module in modules:
            Completion.objects.get_or_create(
                user=user,
                page_id=module.pk,
                cycle=enrolment.cycle,
                defaults={"kind": Completion.Kind.MODULE, "completed_at": finished},
            )
        Completion.objects.get_or_create(
            user=user,
            page_id=course.pk,
            cycle=enrolment.cycle,
            defaults={"kind": Completion.Kind.COURSE, "completed_at": finished},
        )
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_at = finished
        enrolment.save(update_fields=["status", "completed_at"])
