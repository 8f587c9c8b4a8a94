"""Build the Swedish demo: site, two courses with lectures and quizzes, and demo accounts.

Idempotent: everything is looked up by a stable key (page slug under its parent, lecture,
quiz and image title, username, group name) and skipped when it exists, so a second run
creates no rows, revisions or files. Nothing that exists is edited, except that the default
Site is pointed at the home page and Wagtail's placeholder welcome page is deleted.

Learner progress is keyed by module and step id, so step ids must never change. Existing
pages are never touched, and new ones get ids derived from stable names (uuid5), so even a
module deleted and built again gets the same step ids; so do quiz questions and choices.

The lecture files (video, captions, posters) ship in ``home/demo/lectures/``; see
``scripts/make_demo_media.py``. A ``*.sv.descriptions.vtt`` beside a lecture's captions
(written by hand: what is only visible) becomes its description track.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from home.demo import email_address, staff_member
from home.demo.accessibility import seed_accessibility
from home.demo.attention import seed_hr_attention
from home.demo.evaluations import seed_evaluations
from home.demo.events import seed_events
from home.demo.external import accounts as external_accounts
from home.demo.external import seed_external
from home.demo.insight import seed_insight
from home.demo.organiser import accounts as organiser_accounts
from home.demo.organiser import seed_organiser
from home.demo.packages import seed_packages
from home.demo.shared import OWNER as MINORITIES_OWNER
from home.demo.shared import accounts as shared_accounts
from home.demo.shared import seed_shared_course
from home.demo.units import seed_unit_certification
from home.management import demo_content as content
from home.models import HomePage
from wagtail_learning.certificates.services import back_issue_certificates
from wagtail_learning.compliance.api import Assignment, apply_assignment
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.lms.api import Completion, Enrolment
from wagtail_learning.modules.models import (
    Lecture,
    LectureCaptionTrack,
    LectureChapter,
    ModulePage,
    Quiz,
)
from wagtail_learning.org.api import (
    EditorialGroup,
    LearnerProfile,
    Membership,
    Organisation,
    ReportingScope,
)

MEDIA_DIR = Path(__file__).resolve().parents[2] / "demo" / "lectures"
# Namespace for the demo's StreamField block ids: uuid5(namespace, stable name).
ID_NAMESPACE = uuid.UUID("5b0f6b0e-3c1e-4f7a-9d35-2f0a4c6e8b17")
WELCOME_PAGE_TITLE = "Welcome to your new Wagtail site!"

EDITOR_MODEL_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "modules.add_lecture",
    "modules.change_lecture",
    "modules.delete_lecture",
    "modules.add_quiz",
    "modules.change_quiz",
    "modules.delete_quiz",
    "modules.publish_quiz",
    # Certificate designs: the chooser's "create one" link and the PDF preview need these.
    "certificates.add_certificatedesign",
    "certificates.change_certificatedesign",
    "certificates.view_certificatedesign",
    # E-learning packages (SCORM/cmi5): upload one and choose it in a package step.
    "packages.add_contentpackage",
    "packages.change_contentpackage",
    "packages.view_contentpackage",
]
EDITOR_PAGE_PERMISSIONS = [
    "wagtailcore.add_page",
    "wagtailcore.change_page",
    "wagtailcore.publish_page",
]
EDITOR_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
# Who owns each course's lectures and quizzes (decision 0035).
COURSE_OWNERS = {
    content.EQUALITY_COURSE["slug"]: content.MUNICIPALITY,
    content.MINORITIES_COURSE["slug"]: MINORITIES_OWNER,
}
HR_MODEL_PERMISSIONS = [
    "wagtailadmin.access_admin",
    "compliance.view_compliance",
    "compliance.add_assignment",
    "org.import_staff",
    "certificates.view_certificate",
    "certificates.change_certificate",  # revoke and render again, within their scope
]


def stable_id(*parts: object) -> str:
    """A block id that is the same on every run and every database."""
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))


def get_permissions(names: list[str]) -> list[Permission]:
    wanted = [tuple(name.split(".", 1)) for name in names]
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _app, codename in wanted]
        )
    }
    missing = [".".join(key) for key in wanted if key not in found]
    if missing:
        raise CommandError(f"Missing permissions {', '.join(missing)}: run `migrate` first.")
    return [found[key] for key in wanted]


def load_manifest() -> dict[str, dict]:
    path = MEDIA_DIR / "lectures.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["lectures"]
    except FileNotFoundError as exc:
        raise CommandError(f"{path} is missing: run scripts/make_demo_media.py.") from exc
    return {entry["key"]: entry for entry in entries}


class Command(BaseCommand):
    help = (
        "Build the Swedish demo content (site, courses, lectures, quizzes) and demo accounts "
        f'with the password "{content.DEMO_PASSWORD}". Safe to run again: existing things '
        "are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a well-known password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                f'seed_demo creates accounts with the password "{content.DEMO_PASSWORD}"; it runs '
                "only with DEBUG on. Pass --force to run it anyway (never in production)."
            )
        self.verbosity = options["verbosity"]
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        manifest = load_manifest()
        if Page.get_first_root_node() is None or Collection.get_first_root_node() is None:
            raise CommandError("No Wagtail root page or collection: run `migrate` first.")

        with transaction.atomic():
            posters = {key: self.seed_poster(entry) for key, entry in manifest.items()}
            lectures = {
                key: self.seed_lecture(entry, posters[key]) for key, entry in manifest.items()
            }
            quizzes = {key: self.seed_quiz(key, spec) for key, spec in content.QUIZZES.items()}
            home = self.seed_home()
            self.seed_site(home)
            self.delete_welcome_page()
            catalogue = self.seed_catalogue(home)
            for spec in content.COURSES:
                self.seed_course(catalogue, spec, lectures, quizzes, posters)
            self.seed_accounts(catalogue)
            self.seed_organisation(catalogue)
            seed_hr_attention(self.note)  # before the certification rules are evaluated
            seed_unit_certification(self.note)
            seed_shared_course(self)
            self.seed_owners(lectures, quizzes)
            # The staff who completed already get their certificates (the default design);
            # issued here, rendered by the task queue once committed. Safe to run again.
            issued = back_issue_certificates(sync=True)
            self.outcomes["certificates"]["issued" if issued else "none missing"] += issued or 1
            seed_external(self, catalogue)  # Piteå's course for associations and businesses
            seed_packages(self, catalogue)  # SCORM 1.2 and 2004 package steps (issue 23)
            seed_accessibility(self.note)  # the statement (issue 25)
            seed_evaluations(self.note)  # answered, with one group under k
            seed_insight(self.note)  # a lecture's drop-off, a flagged question (issue 24)

        for title, created in seed_events(home, catalogue).items():
            self.note("events", title, created=created)
        seed_organiser(self.note)  # the events' organiser (after the events: their index)
        self.print_summary()

    # --- Bookkeeping --------------------------------------------------------------------

    def note(self, kind: str, label: str, *, created: bool = False, outcome: str = "") -> None:
        """Count what happened to one thing; `outcome` overrides created/already there."""
        outcome = outcome or ("created" if created else "already there")
        self.outcomes[kind][outcome] += 1
        if self.verbosity >= 2:
            self.stdout.write(f"  {kind}: {label} ({outcome})")

    # --- Lecture library ----------------------------------------------------------------

    def seed_poster(self, entry: dict):
        image_model = get_image_model()
        title = f"Affisch: {entry['title']}"
        image = image_model.objects.filter(title=title).first()
        if image is not None:
            self.note("images", title, created=False)
            return image
        with (MEDIA_DIR / entry["poster"]).open("rb") as handle:
            image = image_model(
                title=title,
                collection=Collection.get_first_root_node(),
                file=ImageFile(handle, name=entry["poster"]),
            )
            image._set_image_file_metadata()
            image.save()
        self.note("images", title, created=True)
        return image

    def seed_lecture(self, entry: dict, poster) -> Lecture:
        lecture = Lecture.objects.filter(title=entry["title"]).first()
        if lecture is not None:
            self.note("lectures", entry["title"], created=False)
            return lecture
        lecture = Lecture(
            title=entry["title"],
            description=entry["description"],
            duration=timedelta(seconds=entry["duration_seconds"]),
            speakers="; ".join(entry["speakers"]),
            organiser=entry["organiser"],
            recorded_on=date.fromisoformat(entry["recorded_on"]),
            transcript=entry["transcript"],
            poster=poster,
        )
        with (MEDIA_DIR / entry["video"]).open("rb") as handle:
            lecture.video = File(handle, name=entry["video"])
            lecture.full_clean()
            lecture.save()
        for order, chapter in enumerate(entry["chapters"]):
            LectureChapter.objects.create(
                lecture=lecture,
                start=timedelta(seconds=chapter["start_seconds"]),
                title=chapter["title"],
                sort_order=order,
            )
        with (MEDIA_DIR / entry["vtt"]).open("rb") as handle:
            track = LectureCaptionTrack(
                lecture=lecture,
                language=entry["language"],
                kind="captions",
                is_default=True,
                sort_order=0,
                file=File(handle, name=entry["vtt"]),
            )
            track.full_clean()  # runs the WebVTT validator editors get on upload
            track.save()
        # Descriptions of what is only visible, written by hand beside a few lectures.
        descriptions = MEDIA_DIR / entry["vtt"].replace(".vtt", ".descriptions.vtt")
        if descriptions.exists():
            with descriptions.open("rb") as handle:
                track = LectureCaptionTrack(
                    lecture=lecture,
                    language=entry["language"],
                    kind="descriptions",
                    sort_order=1,
                    file=File(handle, name=descriptions.name),
                )
                track.full_clean()
                track.save()
        self.note("lectures", entry["title"], created=True)
        return lecture

    def seed_quiz(self, key: str, spec: dict) -> Quiz:
        quiz = Quiz.objects.filter(title=spec["title"]).first()
        if quiz is not None:
            self.note("quizzes", spec["title"], created=False)
            return quiz
        quiz = Quiz(
            title=spec["title"],
            description=spec["description"],
            questions=[
                question_block(key, number, q) for number, q in enumerate(spec["questions"])
            ],
            pass_mark=80,
            max_attempts=spec.get("max_attempts"),
            draw_count=spec.get("draw_count"),
            live=False,
        )
        quiz.full_clean()  # the question blocks' own checks: one correct single choice, ...
        quiz.save()
        quiz.save_revision().publish()
        self.note("quizzes", spec["title"], created=True)
        return quiz

    # --- Pages --------------------------------------------------------------------------

    def child_page(self, parent: Page, slug: str, model: type[Page]) -> Page | None:
        page = parent.get_children().filter(slug=slug).first()
        if page is None:
            return None
        page = page.specific
        if not isinstance(page, model):
            raise CommandError(
                f"{parent.url_path}{slug}/ exists but is a {type(page).__name__}, "
                f"not a {model.__name__}."
            )
        return page

    def publish_new(self, parent: Page, page: Page) -> Page:
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.note("pages", page.title, created=True)
        return page

    def seed_home(self) -> HomePage:
        home = HomePage.objects.first()  # max_count = 1
        if home is not None:
            self.note("pages", home.title, created=False)
            return home
        spec = content.HOME
        return self.publish_new(
            Page.get_first_root_node(),
            HomePage(title=spec["title"], slug=spec["slug"], intro=spec["intro"]),
        )

    def seed_site(self, home: HomePage) -> None:
        wanted = {
            "hostname": "localhost",
            "port": 80,
            "site_name": content.SITE_NAME,
            "root_page_id": home.pk,
            "is_default_site": True,
        }
        site = (
            Site.objects.filter(is_default_site=True).first()
            or Site.objects.filter(hostname="localhost", port=80).first()
        )
        label = f"{wanted['hostname']}:{wanted['port']}"
        if site is None:
            Site.objects.create(**wanted)
            self.note("sites", label, created=True)
            return
        changed = [field for field, value in wanted.items() if getattr(site, field) != value]
        if changed:
            for field in changed:
                setattr(site, field, wanted[field])
            site.save()
            self.note("sites", f"{label}: {', '.join(changed)}", outcome="updated")
        else:
            self.note("sites", label, created=False)

    def delete_welcome_page(self) -> None:
        """Wagtail's migrations leave a plain "Welcome" page as the site root; the site now
        points at our home page, so it goes (unless someone has built under it)."""
        page_type = ContentType.objects.get_for_model(Page)
        for page in Page.objects.filter(
            depth=2, content_type=page_type, title=WELCOME_PAGE_TITLE, numchild=0
        ):
            if not Site.objects.filter(root_page=page).exists():
                page.delete()
                self.note("pages", f"Wagtail's welcome page /{page.slug}/", outcome="deleted")

    def seed_catalogue(self, home: HomePage) -> CourseIndexPage:
        catalogue = CourseIndexPage.objects.child_of(home).first()  # one per parent
        if catalogue is not None:
            self.note("pages", catalogue.title, created=False)
            return catalogue
        spec = content.CATALOGUE
        return self.publish_new(
            home, CourseIndexPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"])
        )

    def seed_course(self, catalogue, spec: dict, lectures, quizzes, posters) -> CoursePage:
        course = self.child_page(catalogue, spec["slug"], CoursePage)
        if course is not None:
            self.note("pages", course.title, created=False)
        else:
            course = self.publish_new(
                catalogue,
                CoursePage(
                    title=spec["title"],
                    slug=spec["slug"],
                    summary=spec["summary"],
                    audience=spec["audience"],
                    learning_outcomes=spec["learning_outcomes"],
                    estimated_minutes=spec["estimated_minutes"],
                    organiser=spec["organiser"],
                    enrolment_mode=CoursePage.EnrolmentMode.OPEN,
                    cover_image=posters[spec["cover_lecture"]],
                ),
            )
        modules: dict[str, ModulePage] = {}
        for module_spec in spec["modules"]:
            module = self.child_page(course, module_spec["slug"], ModulePage)
            if module is not None:
                self.note("pages", module.title, created=False)
            else:
                module = ModulePage(
                    title=module_spec["title"],
                    slug=module_spec["slug"],
                    level=module_spec["level"],
                    summary=module_spec["summary"],
                    estimated_minutes=module_spec["estimated_minutes"],
                    steps=[
                        step_block(f"{spec['slug']}/{module_spec['slug']}", number, kind, value,
                                   lectures, quizzes)
                        for number, (kind, value) in enumerate(module_spec["steps"])
                    ],
                )  # fmt: skip
                prerequisite = module_spec.get("prerequisite")
                module.prerequisites.set([modules[prerequisite]] if prerequisite else [])
                self.publish_new(course, module)
            modules[module_spec["slug"]] = module
        return course

    # --- Accounts -----------------------------------------------------------------------

    def seed_group(self, name: str, permissions: list[str]) -> Group:
        group, created = Group.objects.get_or_create(name=name)
        # Only what is missing: add() of existing rows would still use up ids on SQLite.
        present = set(group.permissions.values_list("pk", flat=True))
        group.permissions.add(*[p for p in get_permissions(permissions) if p.pk not in present])
        self.note("groups", name, created=created)
        return group

    def seed_accounts(self, catalogue: CourseIndexPage) -> None:
        editors = self.seed_group("Redaktörer", EDITOR_MODEL_PERMISSIONS)
        for permission in get_permissions(EDITOR_PAGE_PERMISSIONS):
            GroupPagePermission.objects.get_or_create(
                group=editors, page=catalogue, permission=permission
            )
        root_collection = Collection.get_first_root_node()
        for permission in get_permissions(EDITOR_COLLECTION_PERMISSIONS):
            GroupCollectionPermission.objects.get_or_create(
                group=editors, collection=root_collection, permission=permission
            )
        groups = {"Redaktörer": editors}
        for name in ("HR", content.SECOND_MUNICIPALITY["hr_group"]):
            groups[name] = self.seed_group(name, HR_MODEL_PERMISSIONS)

        user_model = get_user_model()
        for account in content.ACCOUNTS:
            user = user_model.objects.filter(username=account["username"]).first()
            created = user is None
            if created:
                user = user_model(
                    username=account["username"],
                    first_name=account["first_name"],
                    last_name=account["last_name"],
                    email=f"{account['username']}@{content.EMAIL_DOMAIN}",
                    is_staff=account.get("superuser", False),
                    is_superuser=account.get("superuser", False),
                )
                user.set_password(content.DEMO_PASSWORD)
                user.save()
            group = groups.get(account.get("group", ""))
            if group is not None and not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
            self.note("users", account["username"], created=created)

    def seed_editorial_group(self, group: Group, organisation: Organisation) -> None:
        """`group`'s members edit the content `organisation` owns (decision 0035)."""
        _link, created = EditorialGroup.objects.get_or_create(
            group=group, defaults={"organisation": organisation}
        )
        self.note("editorial groups", group.name, created=created)

    def seed_owners(self, lectures: dict, quizzes: dict) -> None:
        """Each course's lectures and quizzes belong to the organisation that runs it: the
        equality programme's to Huddinge, the minorities series' to Sundbyberg. Only a
        lecture or quiz with no owner yet gets one (a demo built before owners existed)."""
        for spec in content.COURSES:
            owner = Organisation.get_root_nodes().get(name=COURSE_OWNERS[spec["slug"]])
            for module in spec["modules"]:
                for kind, value in module["steps"]:
                    if kind not in ("lecture", "quiz"):
                        continue
                    item = (lectures if kind == "lecture" else quizzes)[value[kind]]
                    updated = (
                        type(item)
                        .objects.filter(pk=item.pk, owner__isnull=True)
                        .update(owner=owner)
                    )
                    self.note("owners", str(item), outcome="set" if updated else "already there")

    # --- Organisation, staff and assignments (the HR demo) ------------------------------

    def seed_organisation(self, catalogue: CourseIndexPage) -> None:
        # Huddinge, where the demo learner works (HR: group "HR"), then Botkyrka (`hr2`).
        root, units = self.seed_municipality(
            content.MUNICIPALITY,
            content.UNITS,
            staff_per_unit=content.STAFF_PER_UNIT,
            first_number=1001,
            email_domain=content.EMAIL_DOMAIN,
            hr_group="HR",
        )
        # The demo learner works in pre-school in Huddinge.
        learner = get_user_model().objects.get(username="learner")
        preschool = next(u for u in units if u.name == "Förskolan Snättringe")
        LearnerProfile.objects.get_or_create(
            user=learner,
            defaults={
                "unit": preschool,
                "employee_number": "999",
                "job_title": "Förskollärare",
                "hire_date": date(2020, 8, 1),
            },
        )
        Membership.objects.get_or_create(user=learner, unit=preschool)
        # The general editors are Huddinge's: they edit the equality programme's lectures
        # and quizzes and reuse Sundbyberg's minorities series read-only.
        self.seed_editorial_group(Group.objects.get(name="Redaktörer"), root)
        self.seed_assignments(root)
        second = content.SECOND_MUNICIPALITY
        root, _units = self.seed_municipality(
            second["name"],
            second["units"],
            staff_per_unit=second["staff_per_unit"],
            first_number=second["first_employee_number"],
            email_domain=second["email_domain"],
            hr_group=second["hr_group"],
            name_offset=second["name_offset"],
        )
        self.seed_shared_number(_units[0], second["email_domain"])
        self.seed_assignments(root)

    def seed_shared_number(self, unit: Organisation, email_domain: str) -> None:
        """Employee numbers are each organisation's own (decision 0032): Botkyrka's payroll
        has a 1001 too, a person of its own beside Huddinge's 1001 (`anst-1001`)."""
        user, created = staff_member(
            "anst-1001-botkyrka", "Selma", "Nyström", unit=unit, number="1001",
            job_title="Undersköterska", manager=False, hired=date(2021, 3, 1),
            domain=email_domain,
        )  # fmt: skip
        self.note("staff", user.username, created=created)

    def seed_municipality(
        self,
        name: str,
        administrations: dict[str, list[str]],
        *,
        staff_per_unit: int,
        first_number: int,
        email_domain: str,
        hr_group: str,
        name_offset: int = 0,
    ):
        """A municipality's tree, its staff (a manager and co-workers per unit) and the
        reporting scope of its HR group: HR sees this municipality and nothing else."""
        root = Organisation.get_root_nodes().filter(name=name).first()
        self.note("units", name, created=root is None)
        if root is None:
            root = Organisation.add_root(name=name)
        units = []
        for administration, children in administrations.items():
            root.refresh_from_db()  # treebeard reads numchild from the instance
            parent = root.get_children().filter(name=administration).first()
            self.note("units", administration, created=parent is None)
            if parent is None:
                parent = root.add_child(name=administration)
            for unit_name in children:
                parent.refresh_from_db()
                unit = parent.get_children().filter(name=unit_name).first()
                created = unit is None
                if created:
                    unit = parent.add_child(name=unit_name)
                self.note("units", unit_name, created=created)
                units.append(unit)
        user_model = get_user_model()
        number = first_number - 1
        for unit_index, unit in enumerate(units):
            for i in range(staff_per_unit):
                number += 1
                first = content.FIRST_NAMES[
                    (name_offset + unit_index * 5 + i) % len(content.FIRST_NAMES)
                ]
                last = content.LAST_NAMES[
                    (name_offset + unit_index * 7 + i * 3) % len(content.LAST_NAMES)
                ]
                user, created = user_model.objects.get_or_create(
                    username=f"anst-{number}",
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": email_address(first, last, email_domain),
                    },
                )
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                LearnerProfile.objects.get_or_create(
                    user=user,
                    defaults={
                        "unit": unit,
                        "employee_number": str(number),
                        "job_title": "Enhetschef" if i == 0 else "Medarbetare",
                        "is_manager": i == 0,
                        "hire_date": date(2015 + i, 1 + unit_index % 12, 1),
                    },
                )
                Membership.objects.get_or_create(user=user, unit=unit)
                self.note("staff", user.username, created=created)
        ReportingScope.objects.get_or_create(group=Group.objects.get(name=hr_group), unit=root)
        return root, units

    def seed_assignments(self, root: Organisation) -> None:
        today = timezone.localdate()
        administrations = {u.name: u for u in root.get_children()}
        for spec in content.ASSIGNMENTS:
            course = CoursePage.objects.get(slug=spec["course"])
            unit = administrations[spec["unit"]] if spec["unit"] else root
            assignment, created = Assignment.objects.get_or_create(
                course=course,
                unit=unit,
                audience=spec["audience"],
                defaults={
                    "due_mode": Assignment.DueMode.AFTER_ASSIGNMENT,
                    "due_days": spec["due_days"],
                    "target_share": spec["target"],
                    "recurrence_months": spec["recurrence_months"],
                },
            )
            self.note("assignments", str(assignment), created=created)
            if created:
                apply_assignment(assignment, today=today)
                self.seed_demo_completions(assignment, course)

    def seed_demo_completions(self, assignment: Assignment, course: CoursePage) -> None:
        """Some of the audience has finished already, so the compliance figures show
        something; done once, when the assignment is created."""
        enrolments = Enrolment.objects.filter(assignment=assignment).order_by("user__username")
        for index, enrolment in enumerate(enrolments):
            if enrolment.user.username == "learner" or index % 3 == 2:
                continue
            completed_at = timezone.now() - timedelta(days=10 + index)
            Completion.objects.get_or_create(
                user=enrolment.user,
                page_id=course.pk,
                cycle=enrolment.cycle,
                defaults={"kind": Completion.Kind.COURSE, "completed_at": completed_at},
            )
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.completed_at = completed_at
            enrolment.save(update_fields=["status", "completed_at"])

    # --- Output -------------------------------------------------------------------------

    def print_summary(self) -> None:
        if self.verbosity < 1:
            return
        self.stdout.write(self.style.MIGRATE_HEADING("Demo content:"))
        for kind, outcomes in self.outcomes.items():
            counts = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items())
            line = f"  {kind:<9} {counts}"
            changed = set(outcomes) - {"already there"}
            self.stdout.write(self.style.SUCCESS(line) if changed else line)
        self.stdout.write(
            self.style.MIGRATE_HEADING(f'Accounts (password "{content.DEMO_PASSWORD}", demo only):')
        )
        for account in content.ACCOUNTS:
            name = f"{account['first_name']} {account['last_name']}"
            self.stdout.write(f"  {account['username']:<8} {name:<16} {account['role']}")
        for username, role in [*shared_accounts(), *external_accounts(), *organiser_accounts()]:
            self.stdout.write(f"  {username:<17} {role}")


# --- StreamField JSON ----------------------------------------------------------------------


def step_block(module_key: str, number: int, kind: str, value: dict, lectures, quizzes) -> dict:
    """One step of a module in StreamField's raw form, with a stable id."""
    if kind == "lecture":
        value = {"lecture": lectures[value["lecture"]].pk, "required_share": 90}
    elif kind == "quiz":
        value = {"quiz": quizzes[value["quiz"]].pk, "pass_required": True}
    return {
        "type": kind,
        "id": stable_id("step", module_key, number, kind),
        "value": {**value, "required": True},
    }


def question_block(quiz_key: str, number: int, question: dict) -> dict:
    """One quiz question in StreamField's raw form; question and choice ids are stable."""
    value = {key: item for key, item in question.items() if key != "type"}
    if "choices" in value:
        value["choices"] = [
            {"type": "item", "id": stable_id("choice", quiz_key, number, index), "value": item}
            for index, item in enumerate(value["choices"])
        ]
    return {
        "type": question["type"],
        "id": stable_id("question", quiz_key, number),
        "value": {**value, "points": 1},
    }
