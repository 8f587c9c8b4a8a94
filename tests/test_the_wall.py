"""The wall between organisations, proved by walking every URL the site has.

Two municipalities, A and B, each with units, staff, progress, quiz attempts, completions,
certificates (with a PDF), reminders and audit entries (an export, an import, a revoke),
and an HR user of their own. Every person, unit and HR user carries a marker in their
username, email and (people) employee number; the first person of each municipality and
the units and HR users in their name too. The second people of A and B are namesakes (the
same first and last name, as the demo has in different municipalities on purpose): a name
cannot tell them apart, so a person is also known by what identifies them, their
certificates' codes and the links and form fields that carry their user id (a page that
showed B's HR A's namesake would show one of those).

Every URL pattern of the resolver (the admin's included ones too, and the pages with their
sub-routes) is filled with example arguments drawn from these fixtures and requested with
GET as each role; listings are also exported as CSV and XLSX. Then:

- no response is a 5xx, for anyone (the superuser's walk runs after certificates were
  revoked and re-rendered: the NoReverseMatch 500s of site history and usage pages);
- no response to HR of B shows a marker of A or anything else that identifies one of A's
  people, and the other way round (HTML, JSON, CSV, XLSX unzipped, PDF bytes);
- anonymous visitors, the editor and the learner see no one's marker, except the
  learner their own (and their unit).

The course is owned by A and shared with B (decision 0020): both assign it to their own
people; A's coordinator also reads B's figures for it, in counts only (the organisations'
own names carry no marker: a participant's name is what the owner is meant to see), and
B's coordinator is refused those pages.

A URL added later is walked without anyone listing it here. The few patterns that cannot be
built or requested are in SKIPPED, each with its reason; the walk must cover at least
MIN_URLS URLs, so it cannot silently shrink.
"""

from __future__ import annotations

import io
import itertools
import re
import time
import zipfile
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.log_actions import log
from wagtail.models import Page

from tests.evaluations.helpers import answer as answer_evaluation
from tests.evaluations.helpers import make_evaluation
from tests.events.helpers import make_event
from tests.factories import (
    CertificateDesignFactory,
    CertificateFactory,
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    QuizFactory,
    SuperuserFactory,
    UserFactory,
    assign_course,
    course_completed,
    document_step,
    editor_of,
    enrol,
    lecture_step,
    lecture_with_captions,
    org_unit,
    quiz_step,
    reading_step,
    reflection_step,
    staff_member,
)
from wagtail_learning.certificates.models import Certificate, UnitCertificate
from wagtail_learning.certificates.services import rerender_certificate, revoke_certificate
from wagtail_learning.compliance.api import evaluate_certification_rules
from wagtail_learning.compliance.models import CertificationRule, CourseSharing, Reminder
from wagtail_learning.events import api as events
from wagtail_learning.external.models import ExternalRegistration, Recognition, RecognitionRule
from wagtail_learning.external.services import (
    evaluate_recognitions,
    give_consent,
    set_contact_person,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.models import Organisation, ReportingScope
from wagtail_learning.xapi.models import LrsConnection, StatementOutbox

pytestmark = pytest.mark.django_db

# Markers: people (two per municipality), their units, their HR officer.
A_PEOPLE = ("Xq7Aone", "Xq7Atwo")
B_PEOPLE = ("Zk3Bone", "Zk3Btwo")
# The second person of A and of B have the same name, without a marker in it.
NAMESAKES = (A_PEOPLE[1], B_PEOPLE[1])
NAMESAKE_NAME = ("Kim", "Lindqvist")
A_UNIT, B_UNIT = "Uq7Aunit", "Uk3Bunit"
A_HR, B_HR = "Hq7Ahr", "Hk3Bhr"
A_MARKERS = (*A_PEOPLE, A_UNIT, A_HR)
B_MARKERS = (*B_PEOPLE, B_UNIT, B_HR)
# An external association C (issue 10): its participants, the first its contact person. Its
# name is public (the recognition register), so it carries no marker.
C_PEOPLE = ("Ex5Cone", "Ex5Ctwo")
C_MARKERS = C_PEOPLE
EVERY_MARKER = A_MARKERS + B_MARKERS + C_MARKERS

# What each role may see; the superuser may see everything.
ALLOWED = {
    "anonymous": (),
    "learner": (A_PEOPLE[0], A_UNIT),  # their own name and unit
    "hr_a": A_MARKERS,
    "hr_b": B_MARKERS,
    "editor": (),
    "contact_c": C_MARKERS,  # the contact person sees their own organisation's people only
}

# Patterns not requested, by route (as the walk prints it), with the reason.
SKIPPED = {
    "admin/failwhale/": "Wagtail's deliberate error view: raises to test the 500 page",
}
# URL names whose answer may show a name to anyone, by design.
PUBLIC_BY_DESIGN = {
    "certificates:verify_code": (
        "public verification: whoever holds the code (10 random characters, throttled) "
        "sees the name printed on the certificate"
    ),
}
MIN_URLS = 300  # distinct URLs per role; the walk printed 400+ when this was written
HR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("compliance", "view_compliance"),
    ("compliance", "add_assignment"),
    ("org", "import_staff"),
    ("certificates", "view_certificate"),
    ("certificates", "change_certificate"),
    ("compliance", "view_certificationrule"),
    ("compliance", "add_certificationrule"),
    ("compliance", "change_certificationrule"),
    ("xapi", "view_statementoutbox"),
    ("xapi", "view_lrsconnection"),
    ("xapi", "change_lrsconnection"),
]


def hr_officer(unit, marker: str):
    user = UserFactory(
        username=f"hr-{marker.lower()}", first_name="Hanna", last_name=f"HR {marker}",
        email=f"{marker.lower()}@hr.example.se",
    )  # fmt: skip
    group = Group.objects.create(name=f"HR {unit.name}")
    query = Q()
    for app_label, codename in HR_PERMISSIONS:
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(query))
    user.groups.add(group)
    ReportingScope.objects.create(group=group, unit=unit)
    return user


def person(unit, marker: str):
    if marker in NAMESAKES:
        first_name, last_name = NAMESAKE_NAME
    else:
        first_name, last_name = f"Markör {marker}", f"Person-{marker}"
    return staff_member(
        unit,
        username=f"anst-{marker.lower()}",
        first_name=first_name,
        last_name=last_name,
        email=f"{marker.lower()}@kommun.example.se",
        employee_number=f"nr-{marker.lower()}",
    )


def pdf_for(certificate) -> ContentFile:
    """What a certificate's PDF shows: the name and the code (the code tells namesakes apart)."""
    text = f"% Intyg för {certificate.learner_name}, kod {certificate.code}"
    return ContentFile(f"%PDF-1.4\n{text}\n%%EOF\n".encode())


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    quiz = QuizFactory(title="Kunskapstest")
    lecture = lecture_with_captions(title="Föreläsning")
    document = DocumentFactory(title="Handbok")
    steps = SimpleNamespace(
        reading=reading_step("Läs lagen"),
        reflection=reflection_step("Din arbetsplats", min_length=5),
        quiz=quiz_step(quiz),
        lecture=lecture_step(lecture),
        document=document_step(document),
    )
    design = CertificateDesignFactory(revision=True)
    course = CoursePageFactory(title="Likabehandling", certificate_design=design)
    course.save_revision()
    module = ModulePageFactory(parent=course, title="Grundmodul", steps=list(vars(steps).values()))
    module = type(module).objects.get(pk=module.pk)

    roots = {"A": org_unit("Kommun A"), "B": org_unit("Kommun B")}
    # Each municipality sends statements to an LRS that is down: the outbox fills with
    # statements about its people, failing, listed for its coordinator (docs/xapi.md).
    for root in roots.values():
        connection = LrsConnection(
            organisation=root, enabled=True, endpoint="http://127.0.0.1:9/xAPI/", key="k",
            home_page="https://kommun.example.se",
        )  # fmt: skip
        connection.secret = "s"
        connection.save()
    sharing = CourseSharing.objects.create(course=course, owner=roots["A"])
    sharing.participants.add(roots["B"])
    units = {
        key: org_unit(f"Enhet {key} {marker}", roots[key])
        for key, marker in (("A", A_UNIT), ("B", B_UNIT))
    }
    people = {
        marker: person(units[key], marker)
        for key, markers in (("A", A_PEOPLE), ("B", B_PEOPLE))
        for marker in markers
    }
    hr = {"A": hr_officer(roots["A"], A_HR), "B": hr_officer(roots["B"], B_HR)}
    # Renewed every month: everyone's completion (made now) lapses within the forecast's
    # 60 and 90 days, so HR's forecast lists people by name (issue 24).
    assignments = {
        key: assign_course(course, roots[key], recurrence_months=1) for key in ("A", "B")
    }

    certificates, attempts = {}, {}
    for marker, user in people.items():
        enrol(user, course)
        lms.complete_step(user, module=module, step_id=steps.reading["id"])
        lms.save_reflection(
            user, module=module, step_id=steps.reflection["id"], answer=f"Reflektion {marker}"
        )
        attempts[marker] = lms.start_quiz_attempt(user, module=module, step_id=steps.quiz["id"])
        completion = course_completed(user, course, when=timezone.now())
        certificate = CertificateFactory(
            user=user, page_id=course.pk, completion=completion, design=design,
            design_revision=design.latest_revision, title=course.title,
            learner_name=user.get_full_name(), status="ready", rendered_at=timezone.now(),
        )  # fmt: skip
        certificate.pdf.save(f"{certificate.code}.pdf", pdf_for(certificate))
        certificates[marker] = certificate
        Reminder.objects.create(
            user=user,
            enrolment=Enrolment.objects.get(user=user, course_id=course.pk),
            kind=Reminder.Kind.DUE_SOON,
            key="1",
            sent_at=timezone.now(),
        )

    # An event of the course with people of both municipalities registered and marked.
    event = make_event(parent=course, title="Nätverksträff", seats=10)
    for user in people.values():
        events.register(user, event=event)
        held = event.sessions.get()
        events.mark_attendance(user, session=held, attended=True, now=held.start)

    # External association C: two participants (registered through the emailed link), the
    # first its contact person; both certified; the course open to them with a register.
    course.open_to_external = True
    course.save_revision().publish()
    RecognitionRule.objects.create(course=course, min_certified=2)
    root_c = Organisation.add_root(name="Föreningen C", kind=Organisation.Kind.ASSOCIATION)
    for marker in C_PEOPLE:
        user = staff_member(
            root_c, external=True, username=f"ext-{marker.lower()}",
            first_name=f"Markör {marker}", last_name=f"Person-{marker}",
            email=f"{marker.lower()}@forening.example.se",
        )  # fmt: skip
        ExternalRegistration.objects.create(
            user=user, organisation=root_c, course=course, nonce="n", verified_at=timezone.now()
        )
        enrol(user, course)
        lms.complete_step(user, module=module, step_id=steps.reading["id"])
        completion = course_completed(user, course, when=timezone.now())
        people[marker] = user
        certificates[marker] = CertificateFactory(
            user=user, page_id=course.pk, completion=completion, title=course.title,
            learner_name=user.get_full_name(),
        )  # fmt: skip
    contact_c = people[C_PEOPLE[0]]
    set_contact_person(root_c, contact_c)
    evaluate_recognitions()
    recognition = Recognition.objects.get(organisation=root_c)
    give_consent(recognition, user=contact_c)

    superuser = SuperuserFactory(first_name="Sara", last_name="Superuser")
    # Audit entries in each municipality: an export and an import by its HR, a revoke and
    # a re-render (after which Wagtail's site history and usage pages answered 500).
    for key, markers in (("A", A_PEOPLE), ("B", B_PEOPLE)):
        log(roots[key], "lms.export", user=hr[key], data={"what": "compliance matrix"})
        log(units[key], "lms.import_staff", user=hr[key], data={"created": 2})
        revoke_certificate(certificates[markers[1]], user=hr[key], reason="Fel kurs")
        rerender_certificate(certificates[markers[0]], user=superuser)

    # Certified units: a rule named after each municipality's unit, evaluated once everyone
    # has completed, so each unit has snapshots and a unit certificate (with a PDF).
    for key, marker in (("A", A_UNIT), ("B", B_UNIT)):
        CertificationRule.objects.create(
            assignment=assignments[key], name=f"Regel {marker}", min_people=1
        )
    with django_capture_on_commit_callbacks(execute=True):
        evaluate_certification_rules()
    assert UnitCertificate.objects.filter(pdf__gt="").count() == 4

    # An evaluation of the course (owned by A), offered to and answered by A's and B's people.
    evaluation = make_evaluation(course, owner=roots["A"])
    for marker in (*A_PEOPLE, *B_PEOPLE):
        answer_evaluation(evaluation, people[marker], text=f"Svar från {marker}")

    for root in roots.values():  # what the people did waits in their municipality's outbox
        assert StatementOutbox.objects.filter(connection__organisation=root).exists()

    return SimpleNamespace(
        course=course, module=module, steps=steps, quiz=quiz, lecture=lecture,
        evaluation=evaluation,
        document=document, design=design, roots=roots, units=units, people=people, hr=hr,
        certificates=certificates, attempts=attempts, superuser=superuser,
        learner=people[A_PEOPLE[0]], editor=editor_of(course, first_name="Erik"), event=event,
        contact_c=contact_c, recognition=recognition, root_c=root_c,
    )  # fmt: skip


# --- Walking the resolver ------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


def iter_patterns(patterns, prefix=(), namespaces=()):
    """(segments, pattern, full name) of every URL pattern, through all include()s."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from iter_patterns(entry.url_patterns, (*prefix, entry.pattern), spaces)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield (*prefix, entry.pattern), entry, name


def template_of(segments) -> str | None:
    """'/admin/certificates/inspect/{pk}/' from the patterns, or None when a segment has
    unnamed regex groups (those get explicit examples)."""
    parts = []
    for segment in segments:
        text = str(segment)
        if isinstance(segment, RoutePattern):
            parts.append(_ROUTE_PARAM.sub(r"{\1}", text))
            continue
        assert isinstance(segment, RegexPattern), segment
        text = _NAMED_GROUP.sub(r"{\1}", text.removeprefix("^").removesuffix("$"))
        if re.search(r"[()\[\]*+?|]", text):
            return None
        parts.append(text.replace("\\", ""))
    return "/" + "".join(parts)


def model_of(pattern):
    callback = pattern.callback
    kwargs = getattr(callback, "view_initkwargs", {}) or {}
    model = kwargs.get("model") or getattr(getattr(callback, "view_class", None), "model", None)
    return model if isinstance(model, type) else None


APP_MODEL_PAIRS = [
    ("courses", "coursepage"),
    ("certificates", "certificate"),
    ("certificates", "certificatedesign"),
    ("compliance", "retentionsettings"),
    ("auth", "user"),
]


class Examples:
    """Example arguments for URL parameters, drawn from the world."""

    def __init__(self, w):
        people = list(w.people.values())
        certificates = list(w.certificates.values())
        pages = [w.course.pk, w.module.pk, w.event.pk]
        revisions = [
            w.course.latest_revision_id,
            w.quiz.latest_revision_id,
            w.design.latest_revision_id,
        ]
        self.by_model = {
            "certificates.Certificate": [c.pk for c in certificates],
            "auth.User": [p.pk for p in people] + [w.hr["A"].pk],
            "auth.Group": list(Group.objects.values_list("pk", flat=True)[:3]),
            "xapi.LrsConnection": list(LrsConnection.objects.values_list("pk", flat=True)),
            "xapi.StatementOutbox": [
                StatementOutbox.objects.filter(connection__organisation=root).first().pk
                for root in w.roots.values()
            ],
        }
        self.by_name = {
            "page_id": pages, "parent_page_id": pages, "page_to_move_id": pages,
            "page_pk": pages, "destination_id": [w.course.get_parent().pk],
            "user_id": [p.pk for p in people], "unit_id": [u.pk for u in (
                *w.roots.values(), *w.units.values())],
            "course_id": [w.course.pk],
            "code": [c.code for c in certificates] + [w.recognition.code] + list(
                UnitCertificate.objects.values_list("code", flat=True)),
            "recognition_id": [w.recognition.pk], "decision": ["approve"],
            "revision_id": revisions, "revision_id_a": ["earliest"],
            "revision_id_b": ["latest"], "document_id": [w.document.pk],
            "doc_id": [w.document.pk], "attempt_id": [a.pk for a in w.attempts.values()],
            "step_id": [block.id for block in w.module.steps],
            "track_id": list(w.lecture.caption_tracks.values_list("pk", flat=True)),
            "filter_spec": ["original"], "action": ["delete"], "action_name": ["delete"],
            "token": ["x"], "uidb64": ["x"], "fmt": ["csv", "xlsx"],
            "session_id": list(w.event.sessions.values_list("pk", flat=True)),
            "evaluation_id": [w.evaluation.pk],
            "participant_id": list(w.evaluation.participants.values_list("pk", flat=True)),
        }  # fmt: skip

    def for_model(self, model) -> list:
        if model._meta.label in self.by_model:
            return self.by_model[model._meta.label]
        if issubclass(model, Page):
            return [self.by_name["page_id"][0]]
        return list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:2]) or [1]

    def fill(self, template: str, pattern) -> list[str]:
        names = re.findall(r"{(\w+)}", template)
        if not names:
            return [template]
        model = model_of(pattern)
        choices = []
        pair = [n for n in names if n.endswith(("app_label", "app_name", "model_name"))]
        for name in names:
            if name in pair:
                continue
            if name in {"pk", "object_id"} and model is not None:
                choices.append((name, self.for_model(model)))
            else:
                choices.append((name, self.by_name.get(name, [1])))
        urls = []
        pairs = APP_MODEL_PAIRS if pair else [None]
        for app_model, values in itertools.product(
            pairs, itertools.product(*(values for _name, values in choices))
        ):
            filled = dict(zip([name for name, _values in choices], values, strict=True))
            if app_model:
                app_names = [n for n in pair if not n.endswith("model_name")]
                model_names = [n for n in pair if n.endswith("model_name")]
                filled |= {n: app_model[0] for n in app_names}
                filled |= {n: app_model[1] for n in model_names}
            urls.append(template.format(**filled))
        return urls[:16]


def page_urls(w) -> list[str]:
    urls = [page.url for page in Page.objects.filter(depth__gt=1).specific() if page.url]
    for name, args in [
        ("step", [w.steps.reading["id"]]),
        ("step", [w.steps.quiz["id"]]),
        ("video", [w.steps.lecture["id"]]),
        ("captions", [w.steps.lecture["id"], w.lecture.caption_tracks.get().pk]),
        ("document", [w.steps.document["id"]]),
    ]:
        urls.append(w.module.url + w.module.reverse_subpage(name, args=args))
    return urls


def build_urls(w) -> tuple[list[tuple[str, str, bool]], int]:
    """(url, url name, is a listing to export) for every pattern, and how many patterns."""
    examples = Examples(w)
    urls, count = [], 0
    for segments, pattern, name in iter_patterns(get_resolver().url_patterns):
        count += 1
        route = "".join(str(s) for s in segments)
        if route in SKIPPED:
            continue
        template = template_of(segments)
        view_class = getattr(pattern.callback, "view_class", None)
        exports = bool(view_class and issubclass(view_class, SpreadsheetExportMixin))
        if template is None:
            continue  # unnamed groups: the examples below
        urls += [(url, name, exports) for url in examples.fill(template, pattern)]
    # Patterns with unnamed groups: Wagtail's page serving, its document URL, the admin's
    # catch-all 404.
    urls += [(url, "wagtail_serve", False) for url in page_urls(w)]
    urls.append((w.document.url, "wagtaildocs_serve", False))
    urls.append(("/admin/no-such-page/", "", False))
    return list(dict.fromkeys(urls)), count


# --- Telling people apart -----------------------------------------------------------------

# Form fields that carry a person's user id: the event participants' attendance choices.
PERSON_ID_FIELDS = ("att-{}-",)


def person_link_templates() -> list[str]:
    """Every route whose only argument is a person (a user id), as a template with `{}` for
    the id: '/admin/hr/person/{}/', Wagtail's user pages. A link built from one names that
    person whatever their name."""
    user_model = get_user_model()
    templates = []
    for segments, pattern, _name in iter_patterns(get_resolver().url_patterns):
        template = template_of(segments)
        names = re.findall(r"{(\w+)}", template or "")
        if len(names) != 1:
            continue
        by_name = names[0] == "user_id"
        by_model = names[0] in {"pk", "object_id"} and model_of(pattern) is user_model
        if by_name or by_model:
            templates.append(template.replace(f"{{{names[0]}}}", "{}"))
    return templates


def identifiers(w) -> dict[str, re.Pattern]:
    """For each marker, what shows that its person (or unit, or HR user) is on a page: the
    marker (in their username, email, employee number, and name unless a namesake), and
    for people their certificates' codes and the links and fields with their user id."""
    templates = person_link_templates()
    assert any("/hr/person/" in t for t in templates), templates
    found = {}
    for marker in EVERY_MARKER:
        parts = [re.escape(marker.lower())]
        user = w.people.get(marker)
        if user is not None:
            codes = Certificate.objects.filter(user=user).values_list("code", flat=True)
            parts += [re.escape(code.lower()) for code in codes]
            parts += [
                re.escape(template.format(user.pk).lower()) + r"(?![0-9])"
                for template in (*templates, *PERSON_ID_FIELDS)
            ]
        found[marker] = re.compile("|".join(parts))
    return found


# --- Reading responses ---------------------------------------------------------------------


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:2] == b"PK":  # XLSX: the text lives in the zipped XML
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", errors="replace").lower()


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def test_the_wall_holds_on_every_url_for_every_role(world, settings):
    # Every group of evaluation answers shown (free text too), so the walk would see a
    # person's words on the wrong side of the wall.
    settings.LMS_EVALUATION_MIN_ANSWERS = 1
    roles = {
        "anonymous": None,
        "learner": world.learner,
        "hr_a": world.hr["A"],
        "hr_b": world.hr["B"],
        "editor": world.editor,
        "contact_c": world.contact_c,
        "superuser": world.superuser,
    }
    urls, pattern_count = build_urls(world)
    known_by = identifiers(world)
    failures: list[str] = []
    statuses: dict[tuple[str, str], set[int]] = {}
    requests = 0
    started = time.monotonic()
    for role, user in roles.items():
        cache.clear()  # the verification page's throttle
        client = client_for(user)
        forbidden = [m for m in EVERY_MARKER if m not in ALLOWED.get(role, EVERY_MARKER)]
        queue = [(url, name, exports) for url, name, exports in urls]
        while queue:
            url, name, exports = queue.pop(0)
            response = client.get(url)
            requests += 1
            statuses.setdefault((role, name), set()).add(response.status_code)
            session = client.cookies.get(settings.SESSION_COOKIE_NAME)
            if user is not None and (session is None or not session.value):
                client.force_login(user)  # a GET that logged the role out (a logout URL)
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                failures.append(f"{role} {url}: {response.status_code} {exc and exc[1]!r}")
                continue
            if response.status_code != 200:
                continue
            body = body_of(response)
            html = "text/html" in response.get("Content-Type", "")
            if "export=" not in url and (exports or (html and "export=csv" in body)):
                joiner = "&" if "?" in url else "?"
                queue += [(f"{url}{joiner}export={fmt}", name, False) for fmt in ("csv", "xlsx")]
            if name in PUBLIC_BY_DESIGN:
                continue
            # A page that repeats its own address tells nothing the visitor did not know.
            for own in (url.lower(), url.lower().split("?")[0]):
                body = body.replace(own, "")
            seen = [marker for marker in forbidden if known_by[marker].search(body)]
            if seen:
                failures.append(f"{role} {url}: shows {seen}")
    elapsed = time.monotonic() - started
    print(
        f"\nThe wall: {pattern_count} patterns, {len(urls)} URLs x {len(roles)} roles, "
        f"{requests} requests (with exports) in {elapsed:.0f} s"
    )
    assert not failures, "\n".join(failures)
    assert len(urls) >= MIN_URLS, len(urls)
    # The shared course's owner pages were walked: A's coordinator read them (and their
    # exports), B's was refused.
    for name in ("hr_shared_course", "hr_programme_report", "hr_assignments"):
        assert statuses[("hr_a", name)] == {200}, name
    for name in ("hr_shared_course", "hr_programme_report"):
        assert 200 not in statuses[("hr_b", name)], name
    assert statuses[("hr_b", "hr_assignments")] == {200}
    # The forecast and its people list were walked for both municipalities' units: each HR
    # read their own (the list names them, below) and was refused the other's.
    for role in ("hr_a", "hr_b"):
        for name in ("hr_forecast", "hr_forecast_people"):
            assert 200 in statuses[(role, name)], (role, name)
        assert statuses[(role, "hr_forecast_people")] - {200} <= {302, 403}, role
        assert statuses[(role, "hr_forecast_people")] != {200}, role


def test_the_forecast_the_walk_reads_names_the_people_of_each_municipality(world):
    """The walk's forecast pages are not empty: HR of A finds A's people on them, by name,
    (and the walk above proves B's HR never does)."""
    from django.urls import reverse

    client = client_for(world.hr["A"])
    url = reverse("hr_forecast_people", args=[world.units["A"].pk, world.course.pk])
    body = body_of(client.get(url))
    assert A_PEOPLE[0].lower() in body
    assert B_PEOPLE[0].lower() not in body
