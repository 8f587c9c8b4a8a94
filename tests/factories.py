"""Factories for the page tree, the learning content behind steps, and users.

Pages are built with `parent=`, as in Wagtail's own `wagtail_factories`:

    home = HomePageFactory()                      # under the tree root, and the site's root
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=home))
    lecture = LectureFactory()
    CaptionTrackFactory(lecture=lecture)
    module = ModulePageFactory(parent=course, steps=[lecture_step(lecture), reading_step()])
    step_id = module.steps[0].id                  # or the `id` of the dict lecture_step returned
    learner = enrolled_learner(course)            # may open the course's modules
    client.get(route(module, "video", step_id))

Left out, `parent` falls back to what a single-site test wants: a CourseIndexPage goes under
the site's HomePage, a CoursePage under the first CourseIndexPage, and a ModulePage into a new
CoursePage. Each level is created only when missing, so `ModulePageFactory()` alone gives a
reachable module.

Step and question helpers return StreamField items in Wagtail's raw JSON form with explicit
ids, so a test knows the step id (and choice ids) before the page is saved.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail.test.utils.wagtail_factories import PageFactory

from home.models import HomePage
from wagtail_learning.compliance import api as compliance
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.modules.models import (
    Lecture,
    LectureCaptionTrack,
    LectureChapter,
    ModulePage,
    Quiz,
)

DEFAULT_PASSWORD = "correct horse battery staple"

# Not a playable video: the file views never look inside, and known bytes let range tests
# check exactly which slice came back.
VIDEO_BYTES = bytes(range(256)) * 8  # 2048 bytes

CAPTIONS_SV = """WEBVTT

1
00:00:00.000 --> 00:00:04.000
Välkommen till föreläsningen om mänskliga rättigheter.

2
00:00:04.500 --> 00:00:09.000
Vi börjar med diskrimineringslagens sju grunder.
"""


def new_id() -> str:
    return str(uuid.uuid4())


# --- The tree's fixed points ------------------------------------------------------------
# After a transactional test the database is flushed, migration data included; these
# recreate what the migrations would have left so factories work in either kind of test.


def tree_root() -> Page:
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(language_code="sv")
        root = Page.add_root(title="Root", slug="root")
    return root


def root_collection() -> Collection:
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def make_site_root(page: Page) -> Site:
    """Point the default Site at `page`, creating the Site if the database has none."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=page,
            is_default_site=True,
            site_name="Lärplattformen",
        )
    site.root_page = page
    site.save()
    return site


def site_home() -> HomePage:
    """The HomePage the default Site serves, created (with the Site) when missing."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        home = HomePage.objects.filter(pk=site.root_page_id).first()
        if home is not None:
            return home
    return HomePageFactory()


def course_index() -> CourseIndexPage:
    home = site_home()
    return CourseIndexPage.objects.child_of(home).first() or CourseIndexPageFactory(parent=home)


# --- Users ---------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.se")
    first_name = "Lena"
    last_name = factory.Sequence(lambda n: f"Larsson {n}")
    password = factory.django.Password(DEFAULT_PASSWORD)
    date_joined = factory.LazyFunction(timezone.now)

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


def enrol(user, course) -> None:
    """Enrol `user` in `course` the way an administrator would (open or assigned course)."""
    lms.enrol_learner(user, course=course, source=Enrolment.Source.ADMIN)


def enrolled_learner(course, **kwargs):
    """A learner enrolled in `course`: who may open its (unlocked) modules."""
    user = UserFactory(**kwargs)
    enrol(user, course)
    return user


# --- Pages ---------------------------------------------------------------------------------


class HomePageFactory(PageFactory):
    """A HomePage under the tree root, made the default Site's root page."""

    title = "Start"
    slug = factory.Sequence(lambda n: f"start-{n}")
    parent = factory.LazyFunction(tree_root)

    class Meta:
        model = HomePage
        skip_postgeneration_save = True

    @factory.post_generation
    def site(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            make_site_root(obj)


class CourseIndexPageFactory(PageFactory):
    title = "Kurser"
    slug = "kurser"
    intro = "<p>Alla kurser.</p>"
    parent = factory.LazyFunction(site_home)

    class Meta:
        model = CourseIndexPage


class CoursePageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"Kurs {n}")
    summary = "En kurs om likabehandling."
    audience = "Alla medarbetare"
    parent = factory.LazyFunction(course_index)

    class Meta:
        model = CoursePage


class ModulePageFactory(PageFactory):
    """A module; pass `steps=[lecture_step(...), ...]` and `prerequisites=[module, ...]`."""

    title = factory.Sequence(lambda n: f"Modul {n}")
    summary = "Vad modulen handlar om."
    level = 1
    estimated_minutes = 30
    steps = factory.LazyFunction(list)
    parent = factory.SubFactory(CoursePageFactory)

    class Meta:
        model = ModulePage
        skip_postgeneration_save = True

    @factory.post_generation
    def prerequisites(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.prerequisites.set(extracted)
            obj.save()


# --- Learning content ----------------------------------------------------------------------


class LectureFactory(factory.django.DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Föreläsning {n}")
    description = "En inspelad föreläsning."
    video = factory.django.FileField(filename="lecture.webm", data=VIDEO_BYTES)
    duration = timedelta(minutes=12, seconds=30)
    speakers = "Aisha Berg"
    organiser = "Kommunens HR"
    recorded_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    class Meta:
        model = Lecture


class LectureChapterFactory(factory.django.DjangoModelFactory):
    lecture = factory.SubFactory(LectureFactory)
    start = timedelta(seconds=0)
    title = factory.Sequence(lambda n: f"Kapitel {n}")
    sort_order = factory.Sequence(int)

    class Meta:
        model = LectureChapter


class CaptionTrackFactory(factory.django.DjangoModelFactory):
    lecture = factory.SubFactory(LectureFactory)
    language = "sv"
    kind = "captions"
    file = factory.django.FileField(filename="captions-sv.vtt", data=CAPTIONS_SV.encode())
    is_default = True
    sort_order = factory.Sequence(int)

    class Meta:
        model = LectureCaptionTrack


class DocumentFactory(factory.django.DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Handbok {n}")
    file = factory.django.FileField(filename="handbok.pdf", data=b"%PDF-1.4\n% not a real pdf\n")
    collection = factory.LazyFunction(root_collection)

    class Meta:
        model = get_document_model()


# --- Quiz questions (raw StreamField items) ---------------------------------------------


def choice(text: str, *, correct: bool = False, feedback: str = "") -> dict:
    return {
        "type": "item",
        "id": new_id(),
        "value": {"text": text, "correct": correct, "feedback": feedback},
    }


def single_choice(
    question: str = "Hur många diskrimineringsgrunder har lagen?",
    choices: list[dict] | None = None,
    *,
    explanation: str = "",
    points: int = 1,
) -> dict:
    choices = choices or [
        choice("Fem", feedback="Det är fler än så."),
        choice("Sju", correct=True, feedback="Rätt, sju grunder."),
    ]
    return {
        "type": "single_choice",
        "id": new_id(),
        "value": {
            "question": question,
            "choices": choices,
            "explanation": explanation,
            "points": points,
        },
    }


def multiple_choice(
    question: str = "Vilka är nationella minoriteter?",
    choices: list[dict] | None = None,
    *,
    explanation: str = "",
    points: int = 1,
) -> dict:
    item = single_choice(
        question,
        choices
        or [
            choice("Samer", correct=True),
            choice("Tornedalingar", correct=True),
            choice("Skåningar", feedback="Inte en nationell minoritet."),
        ],
        explanation=explanation,
        points=points,
    )
    item["type"] = "multiple_choice"
    return item


def true_false(
    statement: str = "Sverige har fem nationella minoriteter.",
    *,
    correct_answer: str = "true",
    feedback_true: str = "",
    feedback_false: str = "",
    explanation: str = "",
    points: int = 1,
) -> dict:
    return {
        "type": "true_false",
        "id": new_id(),
        "value": {
            "question": statement,
            "correct_answer": correct_answer,
            "feedback_true": feedback_true,
            "feedback_false": feedback_false,
            "explanation": explanation,
            "points": points,
        },
    }


class QuizFactory(factory.django.DjangoModelFactory):
    """A quiz with a published revision, as editors leave it after pressing Publish."""

    title = factory.Sequence(lambda n: f"Kunskapstest {n}")
    description = "Testa det du har lärt dig."
    questions = factory.LazyFunction(lambda: [single_choice(), true_false()])
    pass_mark = 80
    shuffle_questions = False
    shuffle_choices = False

    class Meta:
        model = Quiz

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        quiz = super()._create(model_class, *args, **kwargs)
        quiz.save_revision().publish()
        quiz.refresh_from_db()
        return quiz


# --- Module steps (raw StreamField items) --------------------------------------------------


def lecture_step(lecture: Lecture, *, required_share: int = 90, required: bool = True) -> dict:
    return {
        "type": "lecture",
        "id": new_id(),
        "value": {"lecture": lecture.pk, "required_share": required_share, "required": required},
    }


def reading_step(
    title: str = "Läs om lagen",
    body: str = "<p>Diskrimineringslagen skyddar mot diskriminering.</p>",
    *,
    required: bool = True,
) -> dict:
    return {
        "type": "reading",
        "id": new_id(),
        "value": {"title": title, "body": body, "required": required},
    }


def document_step(
    document, *, title: str = "Handboken", description: str = "", required: bool = True
) -> dict:
    return {
        "type": "document",
        "id": new_id(),
        "value": {
            "title": title,
            "document": document.pk,
            "description": description,
            "required": required,
        },
    }


def quiz_step(quiz: Quiz, *, pass_required: bool = True, required: bool = True) -> dict:
    return {
        "type": "quiz",
        "id": new_id(),
        "value": {"quiz": quiz.pk, "pass_required": pass_required, "required": required},
    }


def reflection_step(
    title: str = "Reflektera",
    prompt: str = "<p>Vad tar du med dig?</p>",
    *,
    min_length: int = 50,
    required: bool = True,
) -> dict:
    return {
        "type": "reflection",
        "id": new_id(),
        "value": {"title": title, "prompt": prompt, "min_length": min_length, "required": required},
    }


def route(module: ModulePage, name: str, *args) -> str:
    """The URL of one of a module's sub-routes ("step", "video", "captions", "document")."""
    return module.url + module.reverse_subpage(name, args=list(args))


def lecture_with_captions(**kwargs) -> Lecture:
    """A lecture with a Swedish caption track and two chapters, as most lecture tests want."""
    lecture = LectureFactory(**kwargs)
    CaptionTrackFactory(lecture=lecture)
    LectureChapterFactory(lecture=lecture, start=timedelta(0), title="Inledning")
    LectureChapterFactory(lecture=lecture, start=timedelta(seconds=65), title="Lagens grunder")
    return lecture


# --- Engine test helpers -------------------------------------------------------------------


def editor_of(page, **kwargs):
    """A non-superuser who may edit `page` and the pages below it, through a Wagtail group
    with "change" permission on it (not enrolled in anything)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    user = UserFactory(**kwargs)
    group = Group.objects.create(name=f"Redaktörer {user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=page, permission_type="change")
    user.groups.add(group)
    return user


def completed_module(user, module, *, when=None):
    """Record that `user` completed `module` (a prerequisite met), without its steps."""
    from wagtail_learning.lms.models import Completion

    return Completion.objects.create(
        user=user,
        page_id=module.pk,
        kind=Completion.Kind.MODULE,
        completed_at=when or timezone.now(),
    )


def quiz_attempt_for(user, module, step_id: str):
    """An open attempt of the quiz in `module`'s step, created directly (no access check),
    drawing every question in pool order: for tests that need an attempt a learner could
    not have started."""
    from wagtail_learning.lms.models import QuizAttempt

    quiz = module.get_lms_quiz(step_id)
    rules = quiz.get_lms_quiz_rules()
    return QuizAttempt.objects.create(
        user=user,
        module_id=module.pk,
        step_id=step_id,
        quiz_id=quiz.pk,
        revision=quiz.get_lms_revision(),
        number=QuizAttempt.objects.filter(user=user, module_id=module.pk, step_id=step_id).count()
        + 1,
        question_ids=[q.question_id for q in rules.questions],
        choice_order={q.question_id: [c.choice_id for c in q.choices] for q in rules.questions},
    )


def in_english(client):
    """Render pages in English (the source language) for `client`, so a test can read the
    messages whether or not the Swedish catalogue translates them yet."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def api_post(client, name: str, payload, **kwargs):
    """POST `payload` (a dict, or a str/bytes body sent as is) as JSON to the named
    /api/v1/ endpoint, e.g. api_post(client, "record_heartbeat", {...})."""
    import json

    from django.urls import reverse

    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(
        reverse(f"api-v1:{name}", kwargs=kwargs or None),
        data=body,
        content_type="application/json",
    )


# --- Certificates --------------------------------------------------------------------------


class CertificateDesignFactory(factory.django.DjangoModelFactory):
    """A certificate design; `revision=True` also saves a revision (as the snippet editor
    does), so issued certificates pin it."""

    name = factory.Sequence(lambda n: f"Intygsmall {n}")
    heading = "Intyg"
    body = "<p>{learner_name} har genomfört {title} den {completion_date}.</p>"
    organisation = "Exempel kommun"
    language = "sv"

    class Meta:
        model = "certificates.CertificateDesign"
        skip_postgeneration_save = True

    @factory.post_generation
    def revision(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.save_revision()


def _new_certificate_code() -> str:
    from wagtail_learning.certificates.codes import new_code

    return new_code()


class CertificateFactory(factory.django.DjangoModelFactory):
    """An issued certificate as a bare record: pending and without a PDF unless told (for
    pages that only read the record; the real path is issue_certificate + the task)."""

    user = factory.SubFactory(UserFactory)
    code = factory.LazyFunction(_new_certificate_code)
    kind = "course"
    learner_name = factory.LazyAttribute(lambda certificate: certificate.user.get_full_name())
    title = factory.Sequence(lambda n: f"Kurs {n}")
    completed_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = "certificates.Certificate"


# --- People --------------------------------------------------------------------------------


def learner_profile(user, *, unit=None, **fields):
    """`user`'s LearnerProfile, created when missing, with `fields` set; with `unit`, that is
    their unit and they are a member of it."""
    from wagtail_learning.org.models import LearnerProfile, Membership

    if unit is not None:
        fields["unit"] = unit
        Membership.objects.get_or_create(user=user, unit=unit)
    profile, _created = LearnerProfile.objects.update_or_create(user=user, defaults=fields)
    return profile


# --- Staff import ------------------------------------------------------------------------


def unit_at(path: str):
    """The organisation unit at 'Huddinge/Socialförvaltningen/Enhet A', created with any
    missing levels."""
    from wagtail_learning.org.api import get_or_create_unit

    return get_or_create_unit(path)[0]


def employee(unit, employee_number: str, **fields):
    """A person the HR import manages: user `anst-<number>`, a staff profile in `unit`
    (and a membership of it). `first_name`/`last_name`/`email` go to the user, the rest
    to the profile."""
    user_fields = {k: fields.pop(k) for k in ("first_name", "last_name", "email") if k in fields}
    user = UserFactory(username=f"anst-{employee_number}".lower(), **user_fields)
    learner_profile(user, unit=unit, employee_number=employee_number, **fields)
    return user


def staff_importer(*units, via_group: bool = False, permission: bool = True, **kwargs):
    """An admin user who may import staff into `units` (a ReportingScope each, on the user
    or, with `via_group`, on a group of theirs); `permission=False` leaves out
    org.import_staff (admin access only)."""
    from django.contrib.auth.models import Group, Permission

    from wagtail_learning.org.models import ReportingScope

    user = UserFactory(**kwargs)
    codenames = ["access_admin"] + (["import_staff"] if permission else [])
    perms = Permission.objects.filter(codename__in=codenames)
    if via_group:
        group = Group.objects.create(name=f"HR {user.username}")
        group.permissions.add(*perms)
        user.groups.add(group)
        for unit in units:
            ReportingScope.objects.create(group=group, unit=unit)
    else:
        user.user_permissions.add(*perms)
        for unit in units:
            ReportingScope.objects.create(user=user, unit=unit)
    return user


HR_HEADINGS = [
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


def hr_row(
    number: str,
    first: str = "Anna",
    last: str = "Andersson",
    *,
    email: str | None = None,
    unit: str = "Huddinge/Socialförvaltningen/Enhet A",
    title: str = "Handläggare",
    manager: str = "nej",
    hired="2020-01-15",
    left="",
    kind: str = "personal",
) -> list:
    """One row of an HR export in HR_HEADINGS' order (dates may be strings or dates)."""
    if email is None:
        email = f"{number.lower()}@huddinge.se"
    return [number, first, last, email, unit, title, manager, hired, left, kind]


def hr_export(
    rows: list[list],
    *,
    fmt: str = "csv",
    headings: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> tuple[bytes, str]:
    """(file bytes, file name) of an HR export: CSV (`delimiter`, `encoding`) or XLSX
    (date values become real date cells)."""
    import csv
    import io

    headings = HR_HEADINGS if headings is None else headings
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "personal.xlsx"
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(["" if c is None else str(c) for c in row] for row in rows)
    return text.getvalue().encode(encoding), "personal.csv"


# --- Organisation, people and assignments (HR reports) -------------------------------------


def org_unit(name: str, parent=None):
    """A unit of the organisation tree; a new root (a municipality) without `parent`.

    Siblings are kept sorted by name, so adding one can renumber the paths of siblings
    already in memory: create siblings in name order, or refresh_from_db() them after."""
    from wagtail_learning.org.models import Organisation

    if parent is None:
        return Organisation.add_root(name=name)
    parent.refresh_from_db()  # treebeard reads the parent's numchild from the instance
    return parent.add_child(name=name)


def staff_member(
    unit,
    *,
    also_in=(),
    is_manager: bool = False,
    hire_date=None,
    leave_date=None,
    external: bool = False,
    job_title: str = "",
    employee_number: str | None = None,
    **user_kwargs,
):
    """A person with a learner profile whose primary unit is `unit`, a member of it and of
    the units in `also_in` (someone placed in several units)."""
    from wagtail_learning.org.models import LearnerProfile, Membership

    user = UserFactory(**user_kwargs)
    LearnerProfile.objects.create(
        user=user,
        unit=unit,
        is_manager=is_manager,
        hire_date=hire_date,
        leave_date=leave_date,
        kind=LearnerProfile.Kind.EXTERNAL if external else LearnerProfile.Kind.STAFF,
        job_title=job_title or ("Chef" if is_manager else "Medarbetare"),
        employee_number=employee_number,
    )
    for place in (unit, *also_in):
        Membership.objects.create(user=user, unit=place)
    return user


def hr_user(*units, via_group: bool = True, **user_kwargs):
    """An HR user: admin access and compliance.view_compliance, with a reporting scope on `units`,
    given through a group of their own (or on the user with via_group=False)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from wagtail_learning.org.models import ReportingScope

    user = UserFactory(**user_kwargs)
    permissions = list(
        Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(content_type__app_label="compliance", codename="view_compliance")
        )
    )
    if via_group:
        group = Group.objects.create(name=f"HR {user.username}")
        group.permissions.add(*permissions)
        user.groups.add(group)
        for unit in units:
            ReportingScope.objects.create(group=group, unit=unit)
    else:
        user.user_permissions.add(*permissions)
        for unit in units:
            ReportingScope.objects.create(user=user, unit=unit)
    return user


def assign_course(course, unit, *, today=None, **kwargs):
    """An active assignment of `course` to `unit` and everything below it (everyone, due 30
    days after assignment, unless told), applied as on `today`: the enrolments exist."""
    from wagtail_learning.compliance.models import Assignment

    fields = {
        "audience": Assignment.Audience.ALL,
        "due_mode": Assignment.DueMode.AFTER_ASSIGNMENT,
        "due_days": 30,
        **kwargs,
    }
    assignment = Assignment.objects.create(course=course, unit=unit, **fields)
    compliance.apply_assignment(assignment, today=today)
    return assignment


def course_completed(user, course, *, when, cycle: int | None = None):
    """`user` completed `course` at `when`: the course Completion, and the enrolment (made
    as a self-enrolment when missing) marked completed when it is the enrolment's cycle."""
    from wagtail_learning.lms.models import Completion

    enrolment, _created = Enrolment.objects.get_or_create(user=user, course_id=course.pk)
    cycle = cycle or enrolment.cycle
    completion = Completion.objects.create(
        user=user, page_id=course.pk, kind=Completion.Kind.COURSE, cycle=cycle, completed_at=when
    )
    if cycle == enrolment.cycle:
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_at = when
        enrolment.save(update_fields=["status", "completed_at"])
    return completion


def step_progress(user, module, *, index: int = 0, cycle: int = 1, completed_at=None):
    """A progress row for the module's `index`-th step in `cycle`: started, and completed
    when `completed_at` is given."""
    from wagtail_learning.lms.models import StepProgress

    spec = module.get_lms_steps()[index]
    return StepProgress.objects.create(
        user=user,
        module_id=module.pk,
        step_id=spec.step_id,
        kind=spec.kind,
        cycle=cycle,
        completed_at=completed_at,
    )


class OneModuleCourse:
    """A course with one module: a reading, a reflection and a one-question quiz, and a way
    to take a learner through it (with the engine's own calls)."""

    def __init__(self):
        self.right = choice("Sju", correct=True)
        self.wrong = choice("Fem")
        self.question = single_choice("Hur många diskrimineringsgrunder?", [self.wrong, self.right])
        quiz = QuizFactory(title="Kunskapstest", questions=[self.question])
        self.reading = reading_step("Läs lagen")
        self.reflection = reflection_step("Din arbetsplats", min_length=5)
        self.quiz = quiz_step(quiz)
        self.course = CoursePageFactory(title="Likabehandling i praktiken")
        self.module = ModulePageFactory(
            parent=self.course,
            title="Grundmodul",
            steps=[self.reading, self.reflection, self.quiz],
        )

    def take(self, user, *, reflection: str, correct: bool) -> None:
        """`user` works through the module: reads, reflects, takes the quiz once."""
        enrol(user, self.course)
        module = type(self.module).objects.get(pk=self.module.pk)
        lms.complete_step(user, module=module, step_id=self.reading["id"])
        lms.save_reflection(user, module=module, step_id=self.reflection["id"], answer=reflection)
        attempt = lms.start_quiz_attempt(user, module=module, step_id=self.quiz["id"])
        chosen = self.right if correct else self.wrong
        lms.submit_quiz_attempt(
            user,
            module=module,
            attempt_id=attempt.pk,
            answers={self.question["id"]: [chosen["id"]]},
        )
