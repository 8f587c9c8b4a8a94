"""The demo of external participants (seed 003: Piteå's diversity course for businesses
and associations): the course, open to them, with a recognition rule; an association that
is recognised and listed (its contact person consented), a business not yet (one of two
certified), a business typed in at registration that waits for approval, and the
coordinator who approves organisations and withdraws recognitions.

Idempotent like the rest of seed_demo: everything is looked up by a stable key and left
alone when it exists. Called with one line from seed_demo's handle(), after certificates
are issued (it issues its own and evaluates the register)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail_learning.certificates.services import back_issue_certificates
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.external import api as external
from wagtail_learning.lms.api import Completion, Enrolment, enrol_learner
from wagtail_learning.modules.models import ModulePage
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation

PASSWORD = "demo"  # noqa: S105 - the demo's password for all accounts (demo_content)
DOMAIN = "example.se"

COURSE = {
    "title": "Mångfald i företag och föreningar",
    "slug": "mangfald-i-foretag-och-foreningar",
    "summary": (
        "En introduktion till mångfaldsarbete för företag och föreningar: vad mångfald är, "
        "vad lagen kräver och hur ni kartlägger ert arbete och gör en handlingsplan."
    ),
    "audience": "Företag och föreningar i Piteå",
    "learning_outcomes": (
        "<ul><li>Förklara vad mångfald och diskriminering är</li>"
        "<li>Kartlägga hur er organisation arbetar med mångfald i dag</li>"
        "<li>Ta fram en handlingsplan för det fortsatta arbetet</li></ul>"
    ),
    "estimated_minutes": 30,
    "organiser": "Piteå kommun i samverkan med studieförbund och folkhögskola",
    "modules": [
        {
            "title": "Vad är mångfald?",
            "slug": "vad-ar-mangfald",
            "summary": "Begreppen och lagen, kort.",
            "steps": [
                ("reading", {
                    "title": "Mångfald och diskriminering",
                    "body": (
                        "<p>Mångfald handlar om att ta vara på att människor är olika: i "
                        "ålder, kön, bakgrund, funktionsförmåga och mycket annat. En "
                        "organisation som speglar samhället når fler och fattar bättre "
                        "beslut.</p><p>Diskrimineringslagen förbjuder diskriminering på sju "
                        "grunder och gäller arbetsgivare, och i många fall föreningar som "
                        "erbjuder verksamhet till allmänheten.</p>"
                    ),
                }),
                ("reading", {
                    "title": "Aktiva åtgärder",
                    "body": (
                        "<p>Arbetsgivare ska arbeta förebyggande: undersöka risker, analysera "
                        "orsaker, vidta åtgärder och följa upp. Arbetet ska dokumenteras.</p>"
                    ),
                }),
            ],
        },
        {
            "title": "Kartlägg och planera",
            "slug": "kartlagg-och-planera",
            "summary": "Från nuläge till handlingsplan.",
            "steps": [
                ("reading", {
                    "title": "Så kartlägger ni ert arbete",
                    "body": (
                        "<p>Börja med frågor: vilka söker sig till oss, och vilka gör det "
                        "inte? Vilka syns i vår kommunikation? Vem får ordet på våra möten? "
                        "Svaren blir underlaget för en handlingsplan med mål, åtgärder, "
                        "ansvariga och datum för uppföljning.</p>"
                    ),
                }),
                ("reflection", {
                    "title": "Ert första steg",
                    "prompt": "<p>Vad är det första ni vill ändra, och när följer ni upp det?</p>",
                    "min_length": 20,
                }),
            ],
        },
    ],
}  # fmt: skip

RULE = {"min_certified": 2, "heading": "Organisationer som utbildats i mångfald"}

# name, kind, org number, status, participants (username, first, last, completed days ago
# or None), the contact person's username, consent given.
ORGANISATIONS = [
    {
        "name": "Föreningen Norrsken Piteå",
        "kind": Organisation.Kind.ASSOCIATION,
        "org_number": "802400-1234",
        "status": external.ApprovalStatus.APPROVED,
        "people": [
            ("kontakt", "Karin", "Lundström", 40),
            ("norrsken-2", "Omar", "Haddad", 25),
            ("norrsken-3", "Sanna", "Pekkari", None),
        ],
        "contact": "kontakt",
        "consent": True,
    },
    {
        "name": "Piteå Byggtjänst AB",
        "kind": Organisation.Kind.BUSINESS,
        "org_number": "556700-5678",
        "status": external.ApprovalStatus.APPROVED,
        "people": [
            ("kontakt2", "Johan", "Nilsson", 12),
            ("bygg-2", "Aida", "Karimi", None),
        ],
        "contact": "kontakt2",
        "consent": False,
    },
    {
        "name": "Strömnäs Café",
        "kind": Organisation.Kind.BUSINESS,
        "org_number": "",
        "status": external.ApprovalStatus.PENDING,
        "people": [("cafe-1", "Linnea", "Öberg", None)],
        "contact": None,
        "consent": False,
    },
]

COORDINATOR = {
    "username": "pitea",
    "first_name": "Petra",
    "last_name": "Lindgren",
    "group": "Samordnare externa deltagare",
}
COORDINATOR_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "external.view_externalorganisation",
    "external.change_externalorganisation",
    "external.view_recognition",
    "external.change_recognition",
    "external.add_recognitionrule",
    "external.change_recognitionrule",
    "external.view_recognitionrule",
]

ACCOUNTS = [
    ("pitea", "coordinator in Piteå: approves external organisations, withdraws recognitions"),
    ("kontakt", "contact person of Föreningen Norrsken Piteå (recognised, listed)"),
    ("kontakt2", "contact person of Piteå Byggtjänst AB (not recognised yet)"),
]


def accounts() -> list[tuple[str, str]]:
    """Every account this part of the demo signs in with, and what it shows."""
    described = dict(ACCOUNTS)
    listed = list(ACCOUNTS)
    for spec in ORGANISATIONS:
        for username, *_rest in spec["people"]:
            if username not in described:
                listed.append((username, f"external participant, {spec['name']}"))
    return listed


def seed_external(command, catalogue: CourseIndexPage) -> CoursePage:
    """Build the external-participants demo under `catalogue` with `command`'s helpers."""
    course = _seed_course(command, catalogue)
    rule, created = external.RecognitionRule.objects.get_or_create(course=course, defaults=RULE)
    command.note("recognition rules", str(rule), created=created)
    _seed_coordinator(command)
    for spec in ORGANISATIONS:
        _seed_organisation(command, course, spec)
    back_issue_certificates(page=course, sync=True)
    external.evaluate_recognitions(course_ids=[course.pk])
    for spec in ORGANISATIONS:
        if spec["consent"]:
            organisation = Organisation.objects.get(depth=1, name=spec["name"])
            recognition = external.get_recognition(organisation, course)
            if recognition.consent_at is None:
                contact = get_user_model().objects.get(username=spec["contact"])
                external.give_consent(recognition, user=contact)
    return course


def _seed_course(command, catalogue) -> CoursePage:
    from home.management.commands.seed_demo import step_block

    course = command.child_page(catalogue, COURSE["slug"], CoursePage)
    if course is not None:
        command.note("pages", course.title, created=False)
    else:
        course = command.publish_new(
            catalogue,
            CoursePage(
                title=COURSE["title"],
                slug=COURSE["slug"],
                summary=COURSE["summary"],
                audience=COURSE["audience"],
                learning_outcomes=COURSE["learning_outcomes"],
                estimated_minutes=COURSE["estimated_minutes"],
                organiser=COURSE["organiser"],
                enrolment_mode=CoursePage.EnrolmentMode.OPEN,
                open_to_external=True,
            ),
        )
    previous = None
    for level, spec in enumerate(COURSE["modules"], start=1):
        module = command.child_page(course, spec["slug"], ModulePage)
        if module is not None:
            command.note("pages", module.title, created=False)
        else:
            key = f"{COURSE['slug']}/{spec['slug']}"
            module = ModulePage(
                title=spec["title"],
                slug=spec["slug"],
                level=level,
                summary=spec["summary"],
                estimated_minutes=15,
                steps=[
                    step_block(key, number, kind, value, {}, {})
                    for number, (kind, value) in enumerate(spec["steps"])
                ],
            )
            module.prerequisites.set([previous] if previous else [])
            command.publish_new(course, module)
        previous = module
    return course


def _seed_coordinator(command) -> None:
    group = command.seed_group(COORDINATOR["group"], COORDINATOR_PERMISSIONS)
    username = COORDINATOR["username"]
    user = _account(
        command, username, COORDINATOR["first_name"], COORDINATOR["last_name"],
        f"{username}@pitea.{DOMAIN}",
    )  # fmt: skip
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)


def _account(command, username: str, first_name: str, last_name: str, email: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    created = user is None
    if created:
        user = user_model(
            username=username, first_name=first_name, last_name=last_name, email=email
        )
        user.set_password(PASSWORD)
        user.save()
    command.note("users", username, created=created)
    return user


def _seed_organisation(command, course: CoursePage, spec: dict) -> None:
    organisation = Organisation.objects.filter(depth=1, name=spec["name"]).first()
    created = organisation is None
    if created:
        organisation = Organisation.add_root(name=spec["name"], kind=spec["kind"])
    command.note("organisations", spec["name"], created=created)
    record, _new = external.ExternalOrganisation.objects.get_or_create(
        organisation=organisation,
        defaults={"org_number": spec["org_number"], "status": spec["status"]},
    )
    domain = spec["name"].split()[-1].lower().replace("å", "a") + "." + DOMAIN
    for username, first, last, completed_days_ago in spec["people"]:
        user = _account(command, username, first, last, f"{username}@{domain}")
        LearnerProfile.objects.get_or_create(
            user=user, defaults={"unit": organisation, "kind": LearnerProfile.Kind.EXTERNAL}
        )
        Membership.objects.get_or_create(user=user, unit=organisation)
        enrolment, new_enrolment = enrol_learner(user, course=course)
        if new_enrolment and completed_days_ago is not None:
            completed_at = timezone.now() - timedelta(days=completed_days_ago)
            Completion.objects.get_or_create(
                user=user,
                page_id=course.pk,
                cycle=enrolment.cycle,
                defaults={"kind": Completion.Kind.COURSE, "completed_at": completed_at},
            )
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.completed_at = completed_at
            enrolment.save(update_fields=["status", "completed_at"])
    if spec["contact"] and record.contact_person_id is None:
        external.set_contact_person(
            organisation, get_user_model().objects.get(username=spec["contact"])
        )
