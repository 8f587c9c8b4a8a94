"""Editors attach an evaluation to a course in the admin: it belongs to their organisation,
and a page that is not a course, a module or an event is refused with a message."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import CoursePageFactory, UserFactory, org_unit, site_home
from wagtail_learning.evaluations.models import Evaluation, Question
from wagtail_learning.org.models import EditorialGroup

pytestmark = pytest.mark.django_db


def form(page, question) -> dict:
    return {
        "title": "Kursutvärdering",
        "page": page.pk,
        "active": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-question": question.pk,
        "items-0-ORDER": "1",
        "items-0-id": "",
        "items-0-DELETE": "",
    }


def test_an_editor_attaches_an_evaluation_to_a_course_and_not_to_another_page(client):
    organisation = org_unit("Järfälla kommun")
    editor = UserFactory(username="redaktor")
    group = Group.objects.create(name="Redaktörer Järfälla")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="evaluations",
            codename__in=["add_evaluation", "change_evaluation", "view_evaluation"],
        ),
    )
    editor.groups.add(group)
    EditorialGroup.objects.create(group=group, organisation=organisation)
    client.force_login(editor)
    question = Question.objects.create(text="Hur nöjd är du?", kind="scale")
    url = reverse("wagtailsnippets_evaluations_evaluation:add")

    refused = client.post(url, form(site_home(), question))
    assert refused.status_code == 200
    assert "Välj en kurs, en modul eller ett evenemang." in refused.content.decode()
    assert not Evaluation.objects.exists()

    course = CoursePageFactory(title="Arbetsmiljö")
    assert client.post(url, form(course, question)).status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.page_id == course.pk
    assert evaluation.owner == organisation
    assert evaluation.questions() == [question]


def test_a_question_with_answers_keeps_its_kind():
    from django.core.exceptions import ValidationError

    from tests.factories import staff_member

    from .helpers import answer, make_evaluation

    evaluation = make_evaluation(CoursePageFactory(title="Arbetsmiljö"))
    scale = evaluation.questions()[0]
    scale.kind = Question.Kind.YES_NO
    scale.full_clean()  # no answers yet: the editor may still change it
    scale.kind = Question.Kind.SCALE
    answer(evaluation, staff_member(org_unit("Solna stad"), username="svar"), scale="5")
    scale.kind = Question.Kind.YES_NO
    with pytest.raises(ValidationError) as refused:
        scale.full_clean()
    assert "kind" in refused.value.message_dict
