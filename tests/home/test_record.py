"""The learner's own training record: /min-utbildning/ (readable, printable) and its JSON
download (home/views.py over lms.get_training_record)."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CertificateFactory,
    OneModuleCourse,
    UserFactory,
    in_english,
    learner_profile,
    site_home,
)
from wagtail_learning.org.models import Organisation

pytestmark = pytest.mark.django_db

PAGE = "/min-utbildning/"
EXPORT = "/min-utbildning/export.json"

OTHER_STRINGS = [
    "omar.sund@example.se",
    "Omar Sund",
    "E-2002",
    "OTHER-PERSONS-REFLECTION",
    "OMAR-9999-99",
    "Annan kurs OTHER",
]


@pytest.fixture
def course():
    site_home()
    return OneModuleCourse()


@pytest.fixture
def learner(course):
    unit = Organisation.add_root(name="Hemtjänsten")
    user = UserFactory(first_name="Lena", last_name="Berg", email="lena.berg@example.se")
    learner_profile(user, unit=unit, employee_number="E-1001", job_title="Undersköterska")
    course.take(user, reflection="Vi behöver prata mer om <bemötande>.", correct=True)
    CertificateFactory(user=user, title="Intyg Likabehandling", code="LENA-0000-01")
    return user


@pytest.fixture
def other(course):
    user = UserFactory(first_name="Omar", last_name="Sund", email="omar.sund@example.se")
    learner_profile(user, employee_number="E-2002")
    course.take(user, reflection="OTHER-PERSONS-REFLECTION about my team", correct=False)
    CertificateFactory(user=user, title="Annan kurs OTHER", code="OMAR-9999-99")
    return user


@pytest.fixture
def learner_client(client, learner, other):
    client.force_login(learner)
    return in_english(client)


def test_the_urls_are_routed_before_wagtails_pages():
    assert reverse("learning:training_record") == PAGE
    assert reverse("learning:training_record_json") == EXPORT


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_page_shows_the_learners_own_record(learner_client):
    response = learner_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Lena Berg",
        "E-1001",
        "Undersköterska",
        "Likabehandling i praktiken",  # enrolment and course completion
        "Grundmodul",  # module completion
        "Kunskapstest",
        "100 %",  # quiz score
        "Sju",  # the answer chosen
        "Vi behöver prata mer om &lt;bemötande&gt;.",  # reflection, escaped
        "LENA-0000-01",
        "Intyg Likabehandling",
    ):
        assert expected in html, expected
    for absent in OTHER_STRINGS:
        assert absent not in html, absent
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_the_page_is_structured_for_assistive_technology(learner_client):
    html = learner_client.get(PAGE).content.decode()

    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert html.count("<h2 ") >= 6
    tables = re.findall(r"<table>.*?</table>", html, re.S)
    assert tables
    for table in tables:
        assert re.search(r"<caption[ >]", table)
        assert '<th scope="col">' in table
        assert re.search(r'<th scope="row"[ >]', table)
    assert f'href="{EXPORT}"' in html


def test_what_was_written_in_swedish_is_marked_so_in_the_english_interface(learner_client):
    html = learner_client.get(PAGE).content.decode()

    assert '<html lang="en">' in html
    assert '<th scope="row" lang="sv">Likabehandling i praktiken</th>' in html
    assert re.search(r'<td lang="sv">Vi behöver prata mer om &lt;bemötande&gt;\.', html)
    assert re.search(r'<td lang="sv"><ul><li>Hur många diskrimineringsgrunder\?: Sju', html)
    assert "<td>yes</td>" in html or ">yes<" in html  # interface words stay unmarked


def test_in_the_swedish_interface_nothing_needs_marking(client, learner, other):
    client.force_login(learner)

    html = client.get(PAGE).content.decode()

    assert '<html lang="sv">' in html
    assert 'lang="sv">Likabehandling' not in html


def test_the_page_has_no_inline_styles(learner_client):
    html = learner_client.get(PAGE).content.decode()

    assert "<style" not in html
    assert " style=" not in html


def test_the_json_download_holds_the_learners_own_record(learner_client, learner):
    response = learner_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="training-record-\d{4}-\d{2}-\d{2}\.json"',
        response["Content-Disposition"],
    )
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    data = json.loads(text)
    assert data["person"]["email"] == "lena.berg@example.se"
    assert [e["course"] for e in data["enrolments"]] == ["Likabehandling i praktiken"]
    assert len(data["completions"]) == 2
    assert [a["score"] for a in data["quiz_attempts"]] == [100.0]
    assert [r["text"] for r in data["reflections"]] == ["Vi behöver prata mer om <bemötande>."]
    assert [c["code"] for c in data["certificates"]] == ["LENA-0000-01"]
    for absent in OTHER_STRINGS:
        assert absent not in text, absent


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_no_parameter_shows_someone_elses_record(learner_client, other, url):
    response = learner_client.get(url, {"user": other.pk, "user_id": other.pk, "pk": other.pk})

    text = response.content.decode()
    assert "lena.berg@example.se" in text
    for absent in OTHER_STRINGS:
        assert absent not in text, absent


def test_the_record_cannot_be_posted_to(learner_client):
    assert learner_client.post(PAGE).status_code == 405
    assert learner_client.post(EXPORT).status_code == 405


def test_a_new_learner_sees_an_empty_record(client):
    site_home()
    client.force_login(UserFactory())

    response = in_english(client).get(PAGE)

    assert response.status_code == 200
    assert "You have not been enrolled in any course." in response.content.decode()


def test_the_navigation_links_to_the_record_for_logged_in_users_only(client, learner):
    home = site_home()
    assert f'href="{PAGE}"' not in client.get(home.url).content.decode()

    client.force_login(learner)
    assert f'href="{PAGE}"' in in_english(client).get(home.url).content.decode()


def test_a_new_app_adds_its_data_to_the_record_page_download_and_hrs_view(
    learner_client, learner, settings, tmp_path
):
    """An app that does not exist yet (course evaluations) adds its section through the
    two hooks only: it is in the download and on the page, and HR's view of the record
    leaves out what the person wrote in it."""
    from wagtail import hooks

    from wagtail_learning.compliance import api as compliance

    (tmp_path / "evaluations").mkdir()
    (tmp_path / "evaluations" / "record_section.html").write_text(
        "<section><h2>Evaluations</h2>{% for e in record.evaluations %}"
        "<p>{{ e.course }}: {{ e.comment }}</p>{% endfor %}</section>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]

    def evaluations(*, user):
        return {"evaluations": [{"course": "Likabehandling", "comment": "EGNA-ORD om kursen"}]}

    def section():
        return compliance.RecordSection(
            template="evaluations/record_section.html",
            own_words={"evaluations": ("comment",)},
        )

    with (
        hooks.register_temporarily(compliance.TRAINING_RECORD, evaluations),
        hooks.register_temporarily(compliance.RECORD_SECTIONS, section),
    ):
        page = learner_client.get(PAGE).content.decode()
        download = json.loads(learner_client.get(EXPORT).content)
        for_hr = compliance.get_training_record_for_hr(learner)

    assert "Likabehandling: EGNA-ORD om kursen" in page
    assert download["evaluations"] == [
        {"course": "Likabehandling", "comment": "EGNA-ORD om kursen"}
    ]
    assert for_hr["evaluations"] == [{"course": "Likabehandling"}]
