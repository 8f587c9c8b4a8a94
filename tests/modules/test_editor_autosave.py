"""Creating a quiz while Wagtail autosaves the new form (issue 21), at the HTTP level: the
autosave creates the quiz and names its edit view; the Save, held until that answer
(static/js/editor-save.js), goes there, and there is one quiz."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests.factories import SuperuserFactory
from wagtail_learning.modules.models import Quiz

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/modules/quiz/add/"
AUTOSAVE = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def editor(client):
    client.force_login(SuperuserFactory())
    return client


def form(statement: str) -> dict:
    return nested_form_data(
        {
            "title": "Kunskapstest om bemötande",
            "description": "",
            "pass_mark": "80",
            "max_attempts": "",
            "draw_count": "",
            "shuffle_questions": "on",
            "shuffle_choices": "on",
            "review": Quiz._meta.get_field("review").default,
            "questions": streamfield(
                [
                    (
                        "true_false",
                        {
                            "question": statement,
                            "correct_answer": "true",
                            "feedback_true": "",
                            "feedback_false": "",
                            "explanation": rich_text(""),
                            "points": "1",
                        },
                    )
                ]
            ),
        }
    )


def test_autosave_then_save_makes_one_quiz_with_the_last_words(editor):
    autosaved = editor.post(ADD, form("Alla har rätt"), **AUTOSAVE)
    assert autosaved.status_code == 200, autosaved.content[:3000]
    assert autosaved.json()["success"] is True, autosaved.json()

    saved = editor.post(autosaved.json()["url"], form("Alla har rätt till tolk."))

    assert saved.status_code == 302
    quiz = Quiz.objects.get()
    latest = quiz.get_latest_revision_as_object()
    assert latest.questions[0].value["question"] == "Alla har rätt till tolk."


def test_the_quiz_editor_holds_save_while_an_autosave_is_in_flight(editor):
    page = editor.get(ADD).content.decode()

    assert "w-autosave" in page
    assert "js/editor-save.js" in page
