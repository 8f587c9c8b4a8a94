"""A module's overview and each kind of step, as an enrolled learner sees them."""

import pytest
from bs4 import BeautifulSoup

from tests.factories import (
    DocumentFactory,
    ModulePageFactory,
    QuizFactory,
    choice,
    document_step,
    enrolled_learner,
    lecture_step,
    lecture_with_captions,
    quiz_step,
    reading_step,
    reflection_step,
    route,
    single_choice,
    true_false,
)


@pytest.fixture
def lecture():
    return lecture_with_captions(title="Mänskliga rättigheter i vardagen")


@pytest.fixture
def quiz():
    return QuizFactory(
        title="Kontrollfrågor",
        questions=[
            single_choice(
                "Vilken myndighet utreder diskriminering?",
                [
                    choice("Diskrimineringsombudsmannen", correct=True, feedback="HEMLIG-RÄTT"),
                    choice("Skatteverket", feedback="HEMLIG-FEL"),
                ],
                explanation="<p>HEMLIG-FÖRKLARING</p>",
            ),
            true_false(
                "Samer är ett urfolk i Sverige.",
                feedback_true="HEMLIG-SANT",
                feedback_false="HEMLIG-FALSKT",
                explanation="<p>HEMLIG-FÖRKLARING-2</p>",
            ),
        ],
    )


@pytest.fixture
def module(lecture, quiz):
    return ModulePageFactory(
        title="Grunderna",
        steps=[
            lecture_step(lecture),
            reading_step("Läs om lagen", "<p>Lagen har sju diskrimineringsgrunder.</p>"),
            document_step(DocumentFactory(title="Likabehandlingsplan"), title="Planen"),
            quiz_step(quiz),
            reflection_step("Din reflektion", "<p>Vad betyder lagen för ditt arbete?</p>"),
        ],
    )


@pytest.fixture
def learner_client(client, module):
    client.force_login(enrolled_learner(module.get_parent()))
    return client


def step_html(client, module, index: int) -> BeautifulSoup:
    response = client.get(route(module, "step", module.steps[index].id))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
def test_the_module_overview_links_every_step_in_order(learner_client, module):
    response = learner_client.get(module.url)

    soup = BeautifulSoup(response.content, "html.parser")
    links = [(a.get_text(strip=True), a["href"]) for a in soup.select("ol.steps a")]
    assert links == [
        ("Mänskliga rättigheter i vardagen", route(module, "step", module.steps[0].id)),
        ("Läs om lagen", route(module, "step", module.steps[1].id)),
        ("Planen", route(module, "step", module.steps[2].id)),
        ("Kontrollfrågor", route(module, "step", module.steps[3].id)),
        ("Din reflektion", route(module, "step", module.steps[4].id)),
    ]


@pytest.mark.django_db
def test_a_lecture_step_has_a_video_with_swedish_captions_chapters_and_transcript(
    learner_client, module
):
    soup = step_html(learner_client, module, 0)

    video = soup.select_one("video")
    assert video.select_one("source")["src"] == route(module, "video", module.steps[0].id)
    assert video.select_one("source")["type"] == "video/webm"
    track = video.select_one('track[srclang="sv"]')
    assert track is not None
    assert track.has_attr("default")
    seeks = [button["data-seek"] for button in soup.select("button.chapter[data-seek]")]
    assert seeks == ["0", "65"]
    transcript = soup.select_one("details.transcript").get_text()
    assert "Välkommen till föreläsningen om mänskliga rättigheter." in transcript


@pytest.mark.django_db
def test_the_caption_track_the_lecture_page_points_at_is_served(learner_client, module):
    soup = step_html(learner_client, module, 0)
    src = soup.select_one('track[srclang="sv"]')["src"]

    response = learner_client.get(src)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")


@pytest.mark.django_db
def test_a_reading_step_shows_its_text(learner_client, module):
    soup = step_html(learner_client, module, 1)

    assert soup.select_one("h1").get_text() == "Läs om lagen"
    assert "Lagen har sju diskrimineringsgrunder." in soup.select_one(".reading").get_text()


@pytest.mark.django_db
def test_a_document_step_links_to_the_document_through_the_module(learner_client, module):
    soup = step_html(learner_client, module, 2)

    link = soup.select_one(f'a[href="{route(module, "document", module.steps[2].id)}"]')
    assert link is not None
    assert "Likabehandlingsplan" in link.get_text()


@pytest.mark.django_db
def test_a_quiz_shows_questions_and_choices_but_never_the_answers(learner_client, module):
    step_url = route(module, "step", module.steps[3].id)
    learner_client.post(step_url, {"action": "start"})

    response = learner_client.get(step_url)

    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form[data-quiz]")
    legends = [legend.get_text(" ", strip=True) for legend in form.select("legend")]
    assert any("Vilken myndighet utreder diskriminering?" in text for text in legends)
    assert any("Samer är ett urfolk i Sverige." in text for text in legends)
    labels = {label.get_text(strip=True) for label in form.select("label")}
    assert {"Diskrimineringsombudsmannen", "Skatteverket"} <= labels
    assert "HEMLIG" not in html
    assert "correct" not in str(form).lower()


@pytest.mark.django_db
def test_a_reflection_step_shows_the_prompt_and_an_answer_field(learner_client, module):
    soup = step_html(learner_client, module, 4)

    assert "Vad betyder lagen för ditt arbete?" in soup.select_one(".prose").get_text()
    assert soup.select_one("form[data-reflection] textarea[name=answer]") is not None


@pytest.mark.django_db
def test_steps_link_to_the_previous_and_next_step(learner_client, module):
    soup = step_html(learner_client, module, 1)

    assert soup.select_one('a[rel="prev"]')["href"] == route(module, "step", module.steps[0].id)
    assert soup.select_one('a[rel="next"]')["href"] == route(module, "step", module.steps[2].id)


@pytest.mark.django_db
def test_an_unknown_step_is_not_found(learner_client, module):
    response = learner_client.get(route(module, "step", "no-such-step"))

    assert response.status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_opening_a_step_is_sent_to_log_in(client, module):
    step_url = route(module, "step", module.steps[0].id)

    response = client.get(step_url)

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")
    assert "Mänskliga rättigheter" not in response.content.decode()


DESCRIPTIONS_SV = """WEBVTT

00:00:02.000 --> 00:00:05.000
En karta över Sverige med de fem minoriteternas områden.

00:00:06.000 --> 00:00:08.000
Talaren pekar på Tornedalen.
"""


@pytest.mark.django_db
def test_the_transcript_carries_the_descriptions_of_what_is_only_visible_in_their_place(
    learner_client, module, lecture
):
    from tests.factories import CaptionTrackFactory

    CaptionTrackFactory(
        lecture=lecture,
        kind="descriptions",
        is_default=None,
        file__data=DESCRIPTIONS_SV.encode(),
        file__filename="beskrivningar.vtt",
    )

    soup = step_html(learner_client, module, 0)

    entries = [
        (p.has_attr("data-description"), " ".join(p.get_text().split()))
        for p in soup.select("details.transcript p")
    ]
    assert entries == [
        (False, "0:00 Välkommen till föreläsningen om mänskliga rättigheter."),
        (True, "Visas i bild: 0:02 En karta över Sverige med de fem minoriteternas områden."),
        (False, "0:04 Vi börjar med diskrimineringslagens sju grunder."),
        (True, "Visas i bild: 0:06 Talaren pekar på Tornedalen."),
    ]
    video = soup.select_one("video")
    descriptions = video.select_one('track[kind="descriptions"]')
    assert descriptions["srclang"] == "sv" and not descriptions.has_attr("default")
    assert video.select_one('track[kind="captions"]').has_attr("default")


@pytest.mark.django_db
def test_a_written_transcript_is_shown_as_written_and_the_descriptions_follow_it(
    learner_client, module, lecture
):
    from tests.factories import CaptionTrackFactory

    lecture.transcript = "Första stycket.\n\nAndra stycket."
    lecture.save()
    CaptionTrackFactory(
        lecture=lecture,
        kind="descriptions",
        is_default=None,
        file__data=DESCRIPTIONS_SV.encode(),
        file__filename="beskrivningar.vtt",
    )

    soup = step_html(learner_client, module, 0)

    assert [" ".join(p.get_text().split()) for p in soup.select("details.transcript p")] == [
        "Första stycket.",
        "Andra stycket.",
        "Visas i bild: 0:02 En karta över Sverige med de fem minoriteternas områden.",
        "Visas i bild: 0:06 Talaren pekar på Tornedalen.",
    ]
