"""`manage.py seed_demo` builds the Swedish demo once; running it again changes nothing."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.validators import EmailValidator
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page, Revision, Site
from wagtail.permissions import policy_registry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from home.management import demo_content as content
from home.management.commands.seed_demo import load_manifest
from home.models import HomePage
from tests.factories import root_collection, tree_root
from wagtail_learning.certificates.models import Certificate, CertificateDesign, UnitCertificate
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.events.models import EventIndexPage, EventPage
from wagtail_learning.lms.models import Completion, Enrolment
from wagtail_learning.modules.models import (
    Lecture,
    LectureCaptionTrack,
    LectureChapter,
    ModulePage,
    Quiz,
)
from wagtail_learning.modules.validators import parse_webvtt
from wagtail_learning.org.models import EditorialGroup, LearnerProfile, Membership, Organisation

EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # every Matroska/WebM file starts with it
EQUALITY_SLUG = "jamlikhet-normkritik-och-jamlik-styrning"


@pytest.fixture
def media_roots(settings, tmp_path):
    """Public and protected uploads go to this test's own folders."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "protected": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media"), "base_url": None},
        },
    }
    # The fields hold the lazy protected storage (lms.storage), which follows the setting.
    return tmp_path


@pytest.fixture
def seed(media_roots):
    # A transactional test elsewhere may have flushed what Wagtail's migrations create.
    tree_root()
    root_collection()

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", force=True, stdout=out)
        return out.getvalue()

    return run


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def snapshot(root) -> dict:
    return {
        "pages": Page.objects.count(),
        "lectures": Lecture.objects.count(),
        "chapters": LectureChapter.objects.count(),
        "caption tracks": LectureCaptionTrack.objects.count(),
        "quizzes": Quiz.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "group page permissions": GroupPagePermission.objects.count(),
        "sites": Site.objects.count(),
        "units": Organisation.objects.count(),
        "profiles": LearnerProfile.objects.count(),
        "memberships": Membership.objects.count(),
        "assignments": Assignment.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "completions": Completion.objects.count(),
        "certificates": Certificate.objects.count(),
        "editorial groups": EditorialGroup.objects.count(),
        "unit certificates": UnitCertificate.objects.count(),
        "files": stored_files(root),
    }


def equality_modules() -> list[ModulePage]:
    course = CoursePage.objects.get(slug=EQUALITY_SLUG)
    return list(ModulePage.objects.child_of(course).order_by("path"))


@pytest.mark.django_db
def test_a_second_run_creates_no_rows_revisions_or_files(seed, media_roots):
    seed()
    first = snapshot(media_roots)

    output = seed()

    assert snapshot(media_roots) == first
    assert " created" not in output and "updated" not in output
    # And the first run did build the whole demo: home, catalogue, 2 courses, 7 modules;
    # Piteå's course for external participants with its 2 modules; the events calendar
    # with two events and the minorities series' live event (issue 11); the e-learning
    # course with its three package modules (SCORM 1.2, 2004, cmi5: issue 23).
    assert first["pages"] == 1 + 11 + 3 + 4 + 4
    # The 7 lectures and the hybrid meeting's recording (sharing a demo video's files).
    assert (first["lectures"], first["quizzes"], first["images"]) == (7 + 1, 5, 7)
    # The meeting is published again with its recording; the e-learning course and its
    # three modules one each.
    assert first["revisions"] == 11 + 5 + 3 + 5 + 4
    # Video, captions and poster of each lecture, and one lecture's descriptions; each
    # package's manifest and its three files, unpacked, and the SCORM 2004 package's
    # second SCO (two files: decision 0047).
    assert len(first["files"]) == 7 * 3 + 1 + 3 * 4 + 2


@pytest.mark.django_db
def test_the_home_page_replaces_wagtails_welcome_page_as_the_default_sites_root(seed):
    seed()

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert (site.hostname, site.port, site.site_name) == (
        "localhost", 80, "Kommunens lärplattform",
    )  # fmt: skip
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    catalogue = CourseIndexPage.objects.child_of(site.root_page).get()
    assert catalogue.slug == "kurser"
    assert all(page.live and page.live_revision_id for page in Page.objects.filter(depth__gt=1))


@pytest.mark.django_db
def test_the_four_equality_modules_unlock_one_level_at_a_time(seed):
    seed()

    modules = equality_modules()

    assert [(m.title, m.level) for m in modules] == [
        ("Grundmodul", 1),
        ("Fördjupning 1", 2),
        ("Fördjupning 2", 3),
        ("Fördjupning 3", 4),
    ]
    assert [list(m.prerequisites.all()) for m in modules] == [[], *[[m] for m in modules[:3]]]
    # The published revision carries the prerequisites too, not only the page row.
    latest = modules[3].get_latest_revision_as_object()
    assert [page.pk for page in latest.prerequisites.all()] == [modules[2].pk]
    assert [[block.block_type for block in m.steps] for m in modules] == [
        ["lecture", "reading", "reflection", "quiz"]
    ] * 4


@pytest.mark.django_db
def test_step_ids_are_the_same_when_a_course_is_built_again(seed):
    seed()
    before = {m.slug: [block.id for block in m.steps] for m in equality_modules()}

    CoursePage.objects.get(slug=EQUALITY_SLUG).delete()
    seed()

    after = {m.slug: [block.id for block in m.steps] for m in equality_modules()}
    assert after == before
    assert len({step_id for ids in before.values() for step_id in ids}) == 16


@pytest.mark.django_db
def test_every_caption_file_is_valid_webvtt_within_its_lecture(seed):
    seed()

    tracks = LectureCaptionTrack.objects.select_related("lecture").filter(kind="captions")
    assert tracks.count() == 7 + 1  # the recording shares a demo lecture's captions
    for track in tracks:
        with track.file.open("rb") as handle:
            cues = parse_webvtt(handle.read().decode("utf-8"))
        assert (track.language, track.kind, track.is_default) == ("sv", "captions", True)
        assert len(cues) >= 6
        assert cues[-1][1] <= track.lecture.duration.total_seconds()
    descriptions = LectureCaptionTrack.objects.get(kind="descriptions")
    assert descriptions.lecture.title == "Sveriges nationella minoriteter och minoritetslagen"
    assert len(descriptions.read_cues()) == 3


@pytest.mark.django_db
def test_every_video_is_a_webm_file_in_the_protected_storage(seed, media_roots):
    seed()

    manifest = load_manifest()
    for lecture in Lecture.objects.all():
        with lecture.video.open("rb") as handle:
            assert handle.read(4) == EBML_MAGIC
        assert (media_roots / "private-media" / lecture.video.name).is_file()
        assert lecture.poster is not None
        assert lecture.chapters.count() >= 2
    titles = Lecture.objects.exclude(title__startswith="Inspelning:")  # the meeting's recording
    assert sorted(titles.values_list("title", flat=True)) == sorted(
        entry["title"] for entry in manifest.values()
    )


@pytest.mark.django_db
def test_quizzes_are_published_with_a_revision_and_their_rules(seed):
    seed()

    quizzes = list(Quiz.objects.all())
    assert all(quiz.live and quiz.live_revision_id for quiz in quizzes)
    assert {quiz.pass_mark for quiz in quizzes} == {80}
    assert [q.max_attempts for q in quizzes if q.max_attempts] == [3]
    drawn = [quiz for quiz in quizzes if quiz.draw_count]
    assert len(drawn) == 1 and drawn[0].draw_count < drawn[0].question_count
    for quiz in quizzes:
        assert {block.block_type for block in quiz.questions} <= {
            "single_choice", "multiple_choice", "true_false",
        }  # fmt: skip
        quiz.full_clean()  # exactly one correct single choice, at least one for multiple


@pytest.mark.django_db
def test_demo_accounts_have_the_documented_roles(seed):
    seed()
    users = {user.username: user for user in get_user_model().objects.all()}
    catalogue = CourseIndexPage.objects.get()

    assert all(
        users[name].check_password("demo") for name in ("learner", "editor", "hr", "hr2", "admin")
    )
    assert users["learner"].get_full_name() == "Lena Lärande"
    assert not users["learner"].has_perm("wagtailadmin.access_admin")
    assert users["admin"].is_superuser

    editor = users["editor"]
    assert not editor.is_superuser
    assert editor.has_perms(["wagtailadmin.access_admin", "modules.change_lecture",
                             "modules.publish_quiz"])  # fmt: skip
    image_policy = policy_registry.get_by_type(get_image_model())
    assert image_policy.user_has_permission(editor, "choose")
    catalogue_permissions = catalogue.permissions_for_user(editor)
    assert catalogue_permissions.can_add_subpage() and catalogue_permissions.can_publish()

    hr = users["hr"]
    assert hr.has_perm("wagtailadmin.access_admin")
    assert not hr.has_perm("modules.change_lecture")
    assert not catalogue.permissions_for_user(hr).can_edit()


@pytest.mark.django_db
def test_it_refuses_to_create_demo_passwords_with_debug_off(media_roots, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert not get_user_model().objects.filter(username="editor").exists()


@pytest.mark.django_db
def test_two_municipalities_each_with_an_hr_account_that_sees_only_its_own(seed):
    from wagtail_learning.org.api import scope_queryset

    seed()
    users = {user.username: user for user in get_user_model().objects.all()}
    roots = {root.name: root for root in Organisation.get_root_nodes()}
    # The municipalities with staff; the events' organisers (issue 11) are organisations
    # of their own, with no people.
    staffed = {
        name
        for name, root in roots.items()
        if root.kind == Organisation.Kind.MUNICIPALITY
        and LearnerProfile.objects.filter(unit__path__startswith=root.path).exists()
    }
    assert staffed == {
        "Huddinge kommun", "Botkyrka kommun", "Sundbybergs stad", "Järfälla kommun",
        "Upplands Väsby kommun", "Upplands-Bro kommun",
    }  # fmt: skip
    botkyrka = roots["Botkyrka kommun"]
    botkyrka_staff = LearnerProfile.objects.filter(unit__path__startswith=botkyrka.path)
    assert botkyrka_staff.count() == 12 + 1  # and one who shares a number with Huddinge
    assert sorted(
        LearnerProfile.objects.filter(employee_number="1001").values_list(
            "organisation__name", "user__username"
        )
    ) == [("Botkyrka kommun", "anst-1001-botkyrka"), ("Huddinge kommun", "anst-1001")]
    assert Enrolment.objects.filter(user__learner_profile__in=botkyrka_staff).exists()
    assert Completion.objects.filter(user__learner_profile__in=botkyrka_staff).exists()

    for username, own, other in [
        ("hr", "Huddinge kommun", "Botkyrka kommun"),
        ("hr2", "Botkyrka kommun", "Huddinge kommun"),
    ]:
        hr = users[username]
        assert hr.has_perms(["compliance.view_compliance", "org.import_staff",
                             "certificates.change_certificate"])  # fmt: skip
        seen = scope_queryset(hr, LearnerProfile.objects.all())
        assert seen.filter(unit__path__startswith=roots[own].path).exists()
        assert not seen.filter(unit__path__startswith=roots[other].path).exists()


@pytest.mark.django_db
def test_the_staff_who_completed_have_their_certificates_and_editors_may_design_them(seed, client):
    seed()

    completions = Completion.objects.all()
    assert completions.exists()
    assert not completions.filter(certificate__isnull=True).exists()
    default = CertificateDesign.objects.get(is_default=True)
    assert set(Certificate.objects.values_list("design", flat=True)) == {default.pk}
    assert Certificate.objects.count() == completions.count()

    # The chooser's "create one" link, the editor and the PDF preview answer the editor.
    client.force_login(get_user_model().objects.get(username="editor"))
    base = "/admin/snippets/certificates/certificatedesign/"
    assert client.get(f"{base}add/").status_code == 200
    assert client.get(f"{base}edit/{default.pk}/").status_code == 200
    preview = reverse(
        "wagtailsnippets_certificates_certificatedesign:preview_on_edit", args=[default.pk]
    )
    form = nested_form_data(
        {
            "name": default.name, "is_default": "on", "page_size": "A4",
            "orientation": "landscape", "language": "sv", "validity_months": "",
            "heading": default.heading, "body": rich_text(default.body), "organisation": "",
            "signatories": inline_formset([]), "extra_css": "",
        }
    )  # fmt: skip
    assert client.post(preview, form).json() == {"is_valid": True, "is_available": True}
    pdf = client.get(preview, {"mode": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_pitea_course_is_open_to_external_participants_with_one_organisation_listed(seed, client):
    from wagtail_learning.external.api import ExternalOrganisation, Recognition, get_register

    seed()
    course = CoursePage.objects.get(slug="mangfald-i-foretag-och-foreningar")
    assert course.accepts_external
    # The organisations of external participants (the events' organisers are others).
    external = Organisation.get_root_nodes().filter(
        pk__in=ExternalOrganisation.objects.values("organisation")
    )
    assert {(o.name, o.kind) for o in external} == {
        ("Föreningen Norrsken Piteå", "association"),
        ("Piteå Byggtjänst AB", "business"),
        ("Strömnäs Café", "business"),
    }
    assert not LearnerProfile.objects.filter(
        unit__in=external, employee_number__isnull=False
    ).exists()
    assert [r.organisation.name for r in get_register(course)] == ["Föreningen Norrsken Piteå"]
    business = Recognition.objects.get(organisation__name="Piteå Byggtjänst AB")
    assert business.met_since is None  # one certified participant of the two needed
    assert ExternalOrganisation.objects.get(organisation__name="Strömnäs Café").status == (
        "pending"
    )
    html = client.get(reverse("external:register_page", args=[course.pk])).content.decode()
    assert "Organisationer som utbildats i mångfald" in html
    assert "Föreningen Norrsken Piteå" in html and "Piteå Byggtjänst AB" not in html

    users = {user.username: user for user in get_user_model().objects.all()}
    assert all(users[name].check_password("demo") for name in ("pitea", "kontakt", "kontakt2"))
    assert users["pitea"].has_perms(
        ["external.change_externalorganisation", "external.change_recognition"]
    )
    client.force_login(users["kontakt"])
    page = client.get(reverse("external:organisation")).content.decode()
    assert "Omar Haddad" in page and "Johan Nilsson" not in page


@pytest.mark.django_db
def test_the_shared_minorities_series_each_coordinator_sees_only_their_own_staff(seed, client):
    """Sundbyberg owns the series and shares it; each coordinator's people list holds
    their own staff (employee numbers by municipality: 3xxx Sundbyberg, 4xxx Järfälla,
    5xxx Upplands Väsby, 6xxx Upplands-Bro); a Järfälla teacher also placed at
    Upplands-Bro's school is on both lists; only the owner reads the figures."""
    import csv
    import io

    from tests.factories import in_english
    from wagtail_learning.compliance.models import CourseSharing

    seed()
    course = CoursePage.objects.get(slug="nationella-minoriteter")
    sharing = CourseSharing.objects.get(course=course)
    assert sharing.owner.name == "Sundbybergs stad"
    assert {"Järfälla kommun", "Upplands Väsby kommun", "Upplands-Bro kommun"} <= set(
        sharing.participants.values_list("name", flat=True)
    )
    roots = {root.name: root for root in Organisation.get_root_nodes()}
    expected = {
        "hr-sundbyberg": ("Sundbybergs stad", {"3"}),
        "hr-jarfalla": ("Järfälla kommun", {"4"}),
        "hr-vasby": ("Upplands Väsby kommun", {"5"}),
        "hr-upplands-bro": ("Upplands-Bro kommun", {"6", "4"}),
    }
    for username, (name, numbers) in expected.items():
        coordinator = get_user_model().objects.get(username=username)
        assert coordinator.check_password("demo")
        client.force_login(coordinator)
        in_english(client)
        url = reverse("hr_unit_people", args=[roots[name].pk, course.pk])
        response = client.get(url, {"export": "csv"})
        assert response.status_code == 200, username
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(content), delimiter=";"))[1:]
        assert len(rows) >= 3
        assert {row[1][0] for row in rows} == numbers, username
        if username == "hr-upplands-bro":
            assert [row[1] for row in rows if row[1].startswith("4")] == ["4001"]
        figures = client.get(reverse("hr_shared_course", args=[course.pk]))
        assert figures.status_code == (200 if username == "hr-sundbyberg" else 302), username
        if username == "hr-sundbyberg":
            # Upplands-Bro's four are fewer than five: withheld, as is what would give them
            # back (decision 0034); the CSV export says so too.
            exported = client.get(reverse("hr_shared_course", args=[course.pk]), {"export": "csv"})
            content = b"".join(exported.streaming_content).decode("utf-8-sig")
            shown = {row[0]: row[1] for row in csv.reader(io.StringIO(content), delimiter=";")}
            assert shown["Upplands-Bro kommun"] == "fewer than 5"
            assert shown["Sundbybergs stad"].isdigit()

    # Sundbyberg's editor edits the series, not the equality programme.
    editor = get_user_model().objects.get(username="editor-sundbyberg")
    assert course.permissions_for_user(editor).can_edit()
    equality = CoursePage.objects.get(slug=EQUALITY_SLUG)
    assert not equality.permissions_for_user(editor).can_edit()


@pytest.mark.django_db
def test_the_demos_programme_report_agrees_with_itself(seed):
    """What hr-sundbyberg met (issue 21): completions with 0.0 hours (Huddinge's completions
    are recorded without module completions) and a "first start" after the "last finish"
    (the step rows were stamped at seeding, after the completions)."""
    from django.utils import timezone

    from wagtail_learning.compliance.api import get_programme_report

    seed()
    course = CoursePage.objects.get(slug="nationella-minoriteter")
    today = timezone.localdate()
    report = get_programme_report(
        user=get_user_model().objects.get(username="hr-sundbyberg"),
        course_id=course.pk,
        start=today - timedelta(days=365),
        end=today,
    )
    shown = [row for row in [*report.rows, report.total] if not row.withheld]
    assert any(row.completions for row in shown)
    for row in shown:
        assert not row.completions or row.hours > 0, row.organisation
        if row.participants:
            assert row.first_activity <= row.last_activity, row.organisation
    huddinge = next(r for r in report.rows if r.organisation.name == "Huddinge kommun")
    assert huddinge.withheld or huddinge.hours > 0


@pytest.mark.django_db
def test_the_summary_names_every_account_that_signs_in_with_the_demo_password(seed):
    output = seed()

    listed = output.split("Accounts (")[1]
    usable = [
        user.username
        for user in get_user_model().objects.order_by("username")
        if user.check_password("demo")
    ]
    assert usable
    missing = [name for name in usable if not re.search(rf"^\s+{re.escape(name)}\s", listed, re.M)]
    assert missing == []


@pytest.mark.django_db
def test_every_demo_address_is_one_the_admins_user_form_accepts(seed):
    """Staff called Åsa Öberg get asa.oberg@…: Django's EmailValidator (the admin's user
    form) refuses å, ä and ö in the part before the @."""
    seed()

    users = get_user_model().objects.exclude(email="")
    assert users.filter(first_name__regex="[ÅÄÖåäö]").exists()  # the names are Swedish
    refused = []
    for user in users:
        try:
            EmailValidator()(user.email)
        except ValidationError:
            refused.append(user.email)
    assert refused == []


def _refused(response) -> bool:
    """Wagtail's admin answers a refused permission by sending the user to the dashboard
    with "Sorry, you do not have permission to access this area"."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def _snippet_url(model, view: str, *args) -> str:
    return reverse(
        f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{view}", args=args
    )


@pytest.mark.django_db
def test_each_organisations_editors_edit_its_own_lectures_and_quizzes_and_reuse_the_others(
    seed, client
):
    """Issue 21: editor-sundbyberg could not edit the minorities series' lectures and
    quizzes. Now Sundbyberg's editors edit Sundbyberg's, Huddinge's (`editor`) edit
    Huddinge's, each may choose the other's read-only, and superusers edit both."""
    seed()
    minorities = CoursePage.objects.get(slug="nationella-minoriteter")
    minorities_lecture = Lecture.objects.get(title=load_manifest()["minoriteter-1-lagen"]["title"])
    equality_lecture = Lecture.objects.get(title=load_manifest()["jamlikhet-1-grundmodul"]["title"])
    minorities_quiz = Quiz.objects.get(title=content.QUIZZES["minoriteter"]["title"])
    equality_quiz = Quiz.objects.get(title=content.QUIZZES["grundmodul"]["title"])
    assert minorities_lecture.owner.name == "Sundbybergs stad"
    assert minorities_quiz.owner.name == "Sundbybergs stad"
    assert equality_lecture.owner.name == "Huddinge kommun"
    assert equality_quiz.owner.name == "Huddinge kommun"
    users = get_user_model().objects.in_bulk(
        ["editor-sundbyberg", "editor", "admin"], field_name="username"
    )
    own = {
        "editor-sundbyberg": (minorities_lecture, minorities_quiz),
        "editor": (equality_lecture, equality_quiz),
    }

    for username, (lecture, quiz) in own.items():
        client.force_login(users[username])
        other_lecture, other_quiz = own["editor" if username != "editor" else "editor-sundbyberg"]

        # Their own: the edit form, a saved change, the quiz's revisions and unpublish.
        assert client.get(_snippet_url(Lecture, "edit", lecture.pk)).status_code == 200
        assert client.get(_snippet_url(Quiz, "edit", quiz.pk)).status_code == 200
        revision = quiz.latest_revision
        revert = _snippet_url(Quiz, "revisions_revert", quiz.pk, revision.pk)
        assert client.get(revert).status_code == 200
        assert client.get(_snippet_url(Quiz, "unpublish", quiz.pk)).status_code == 200
        assert client.get(_snippet_url(Lecture, "delete", lecture.pk)).status_code == 200

        # The other organisation's: no form, no change, no delete, no revert, no unpublish.
        title = other_lecture.title
        for url in [
            _snippet_url(Lecture, "edit", other_lecture.pk),
            _snippet_url(Lecture, "delete", other_lecture.pk),
            _snippet_url(Quiz, "edit", other_quiz.pk),
            _snippet_url(Quiz, "delete", other_quiz.pk),
            _snippet_url(Quiz, "unpublish", other_quiz.pk),
            _snippet_url(Quiz, "revisions_revert", other_quiz.pk, other_quiz.latest_revision.pk),
            _snippet_url(Lecture, "usage", other_lecture.pk),
        ]:
            assert _refused(client.get(url)), (username, url)
        response = client.post(_snippet_url(Lecture, "edit", other_lecture.pk), {"title": "Kapad"})
        assert _refused(response)
        assert _refused(client.post(_snippet_url(Lecture, "delete", other_lecture.pk)))
        assert _refused(client.post(_snippet_url(Quiz, "unpublish", other_quiz.pk)))
        other_lecture.refresh_from_db()
        other_quiz.refresh_from_db()
        assert other_lecture.title == title and other_quiz.live

        # The listing shows both, but offers editing only their own.
        listing = client.get(_snippet_url(Lecture, "list")).content.decode()
        assert other_lecture.title in listing and lecture.title in listing
        assert _snippet_url(Lecture, "edit", lecture.pk) in listing
        assert _snippet_url(Lecture, "edit", other_lecture.pk) not in listing
        # Reuse: the chooser (placing a lecture in one's own module) offers the other's.
        chooser = client.get(reverse("wagtailsnippetchoosers_modules_lecture:choose"))
        assert chooser.status_code == 200 and other_lecture.title in chooser.json()["html"]
        chooser = client.get(reverse("wagtailsnippetchoosers_modules_quiz:choose"))
        assert chooser.status_code == 200 and other_quiz.title in chooser.json()["html"]

    # editor-sundbyberg still has page permissions on the minorities course only.
    sundbyberg = users["editor-sundbyberg"]
    assert minorities.permissions_for_user(sundbyberg).can_edit()
    assert (
        not CoursePage.objects.get(slug=EQUALITY_SLUG).permissions_for_user(sundbyberg).can_edit()
    )

    # A superuser edits both organisations' lectures and quizzes.
    client.force_login(users["admin"])
    for item in (minorities_lecture, equality_lecture, minorities_quiz, equality_quiz):
        assert client.get(_snippet_url(type(item), "edit", item.pk)).status_code == 200
        assert client.get(_snippet_url(type(item), "delete", item.pk)).status_code == 200


@pytest.mark.django_db
def test_the_live_minorities_series_is_in_the_calendar_and_linked_from_its_course(seed, client):
    """Issue 21: the series given live (an event placed under its course) was in no
    calendar and the course did not link to it."""
    seed()
    series = EventPage.objects.get(slug="foerelasningsserien-live")
    course = CoursePage.objects.get(slug="nationella-minoriteter")
    client.force_login(get_user_model().objects.get(username="anst-3001"))  # Sundbyberg staff

    calendar = client.get(EventIndexPage.objects.get().url)
    assert calendar.status_code == 200
    assert series.title in [event.title for event in calendar.context["events"]]
    assert f'href="{series.url}"' in calendar.content.decode()

    page = client.get(course.url)
    assert page.status_code == 200
    assert f'href="{series.url}"' in page.content.decode()
    # The other course has no live sessions and shows none.
    other = client.get(CoursePage.objects.get(slug=EQUALITY_SLUG).url)
    assert not other.context["events"] and series.url not in other.content.decode()


@pytest.mark.django_db
def test_the_organiser_runs_the_network_meeting_and_edits_no_course_nor_sees_hr(seed, client):
    """Issue 25: the accessibility suite's organiser borrowed the superuser; `arrangor` is
    an organiser only: edits the calendar's events, runs the county boards' meeting (all its
    participants), edits no course and reads no one's training."""
    from wagtail_learning.events.services import runs_event

    seed()
    organiser = get_user_model().objects.get(username="arrangor")
    network = EventPage.objects.get(slug="perspektivtrangsel")
    other = EventPage.objects.get(slug="att-gora-interkulturellt")

    assert organiser.check_password("demo") and not organiser.is_superuser
    assert network.permissions_for_user(organiser).can_edit()
    assert runs_event(organiser, network)
    assert not runs_event(organiser, other)  # organised by others: edits it, does not run it
    catalogue = CourseIndexPage.objects.get()
    assert not catalogue.permissions_for_user(organiser).can_edit()
    assert not organiser.has_perm("modules.change_lecture")
    assert not organiser.has_perm("compliance.view_compliance")

    client.force_login(organiser)
    participants = client.get(reverse("events_participants", args=[network.pk]))
    assert participants.status_code == 200
    assert network.registrations.exclude(status="cancelled").count() >= 10
    assert "Botkyrka kommun" in participants.content.decode()  # every organisation's people
    assert client.get(reverse("events_index")).status_code == 200
    hr_report = client.get(reverse("hr_compliance"))
    assert hr_report.status_code == 403 or _refused(hr_report)


@pytest.mark.django_db
def test_hr_has_people_overdue_a_certificate_about_to_lapse_and_a_new_hire_rule(seed, client):
    """Issue 21: after seed_demo Huddinge's HR had nothing to act on (every assignment was
    due weeks later). Read as `hr` in the admin's HR pages."""
    seed()
    client.force_login(get_user_model().objects.get(username="hr"))
    huddinge = Organisation.get_root_nodes().get(name="Huddinge kommun")
    equality = CoursePage.objects.get(slug=EQUALITY_SLUG)

    # The new-hire rule, as HR reads it among the organisation's assignments.
    assignments = client.get(reverse("hr_assignments"))
    new_hire_rule = next(
        a for a in assignments.context["assignments"] if a.due_mode == Assignment.DueMode.AFTER_HIRE
    )
    assert new_hire_rule.unit == huddinge and new_hire_rule.hired_after is not None
    html = assignments.content.decode()
    assert f"inom {new_hire_rule.due_days} dagar från anställningsdagen" in html

    # People overdue: the compliance matrix counts them, the people list names them; the
    # newest hire is not due yet.
    compliance = client.get(reverse("hr_compliance"))
    assert compliance.context["matrix"].total.cells[equality.pk].overdue >= 2
    overdue = client.get(
        reverse("hr_unit_people", args=[huddinge.pk, equality.pk]), {"status": "overdue"}
    ).content.decode()
    assert "Aya Mansour" in overdue and "Elsa Wikström" in overdue
    assert "Noah Eriksson" not in overdue
    everyone = client.get(reverse("hr_unit_people", args=[huddinge.pk, equality.pk]))
    assert "Noah Eriksson" in everyone.content.decode()

    # A unit certificate about to lapse: met today, but its completion expires within the
    # warning window.
    certification = client.get(reverse("hr_certification"))
    states = [state for rule in certification.context["rules"] for state in rule["states"]]
    lapsing = [s for s in states if s.met and s.snapshot and s.snapshot.at_risk]
    assert [s.snapshot.unit.name for s in lapsing] == ["Nattpatrullen Stuvsta"]
    assert "håller på att upphöra" in certification.content.decode()
    assert UnitCertificate.objects.filter(
        unit__name="Nattpatrullen Stuvsta", lapsed_at__isnull=True
    ).exists()


@pytest.mark.django_db
def test_the_demo_evaluation_shows_one_group_and_withholds_the_other(seed):
    from wagtail_learning.evaluations.models import Evaluation
    from wagtail_learning.evaluations.results import get_results

    seed()
    evaluation = Evaluation.objects.get(title__startswith="Kursutvärdering")
    superuser = get_user_model()(is_superuser=True, is_active=True)
    results = get_results(superuser, evaluation, by="unit")
    assert results.total.answers >= 5  # the whole shows
    shown = [g for g in results.rows if not g.withheld]
    withheld = [g for g in results.rows if g.withheld]
    assert [g.answers for g in shown] == [6]
    assert [str(g.answers) for g in withheld] == ["färre än 5", "färre än 5"]


@pytest.mark.django_db
def test_hr_sees_a_unit_that_will_miss_its_target_in_the_forecast(seed, client):
    """Issue 24: Hemtjänst Vårby (8 staff, 3 compliant, one lapsing within 30 days, one
    completion in the last month, due in 45 days) is projected short of its target."""
    seed()
    client.force_login(get_user_model().objects.get(username="hr"))
    administration = Organisation.objects.get(name="Socialförvaltningen")
    equality = CoursePage.objects.get(slug=EQUALITY_SLUG)

    response = client.get(reverse("hr_forecast"), {"unit": administration.pk})
    assert response.status_code == 200
    row = next(r for r in response.context["forecast"].rows if r.label == "Hemtjänst Vårby")
    cell = row.cells[equality.pk]
    assert (cell.audience, cell.compliant, cell.lapsing[30], cell.recent) == (8, 3, 1, 1)
    assert cell.on_course is False
    assert "Missar målet" in response.content.decode()
    people = client.get(
        reverse("hr_forecast_people", args=[row.unit.pk, equality.pk]), {"days": 30}
    )
    assert [p.name for p in people.context["people"]] == ["Birgitta Nord"]


@pytest.mark.django_db
def test_the_demo_has_a_lecture_with_a_drop_off_and_a_quiz_with_a_flagged_question(seed, client):
    """Issue 24: `editor` (Huddinge's) reads the Grundmodul lecture's retention, with a
    drop-off point near 40 % of it, and its quiz's item analysis over at least 30 first
    attempts, with a flagged question; Sundbyberg's editor is refused both."""
    from django.urls import reverse

    from wagtail_learning.modules.models import ModulePage

    seed()
    module = ModulePage.objects.get(slug="grundmodul")
    lecture = next(b.value["lecture"] for b in module.steps if b.block_type == "lecture")
    quiz = next(b.value["quiz"] for b in module.steps if b.block_type == "quiz")
    retention_url = reverse("insight_lecture_retention", args=[lecture.pk])
    quiz_url = reverse("insight_quiz_item_analysis", args=[quiz.pk])
    client.force_login(get_user_model().objects.get(username="editor"))

    retention = client.get(retention_url).context["retention"]
    analysis = client.get(quiz_url).context["analysis"]

    assert retention.enough and retention.drop_offs
    duration = lecture.duration.total_seconds()
    assert 0.3 * duration <= retention.drop_offs[0].start <= 0.45 * duration
    assert analysis.attempts >= 30 and analysis.flagged
    assert "easy" in analysis.items[0].flags
    client.force_login(get_user_model().objects.get(username="editor-sundbyberg"))
    assert client.get(retention_url).status_code == 403
    assert client.get(quiz_url).status_code == 403
