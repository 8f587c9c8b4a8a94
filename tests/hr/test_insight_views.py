"""Editors' insight pages (issue 24): a lecture's audience retention and a quiz's item
analysis, for the editors of the content's organisation only, in a fixed number of
queries, with every figure of the chart also in a table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.factories import (
    LectureChapterFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    choice,
    enrolled_learner,
    lecture_step,
    org_unit,
    quiz_step,
    single_choice,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import QuizAttempt, StepProgress
from wagtail_learning.modules.insight import lecture_steps
from wagtail_learning.org.models import EditorialGroup

PERMISSIONS = ["access_admin", "change_lecture", "view_lecture", "change_quiz", "view_quiz"]


def _editor(organisation, name):
    group = Group.objects.create(name=name)
    group.permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    EditorialGroup.objects.create(group=group, organisation=organisation)
    user = UserFactory()
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def world(db):
    solna, tyreso = org_unit("Solna stad"), org_unit("Tyresö kommun")
    lecture = LectureFactory(title="Om minoriteter", owner=solna, duration=timedelta(seconds=120))
    LectureChapterFactory(lecture=lecture, start=timedelta(0), title="Inledning")
    LectureChapterFactory(lecture=lecture, start=timedelta(seconds=60), title="Lagen")
    quiz = QuizFactory(
        title="Kunskapstest om lagen",
        owner=solna,
        questions=[
            single_choice("Fråga ett", [choice("Rätt", correct=True), choice("Fel A"),
                                        choice("Fel B")]),
            single_choice("Fråga två", [choice("Rätt", correct=True), choice("Fel")]),
        ],
    )  # fmt: skip
    steps = {"lecture": lecture_step(lecture), "quiz": quiz_step(quiz)}
    module = ModulePageFactory(steps=[steps["lecture"], steps["quiz"]])
    return {
        "solna": solna,
        "lecture": lecture,
        "quiz": quiz,
        "module": module,
        "steps": steps,
        "solna_editor": _editor(solna, "Redaktörer Solna"),
        "tyreso_editor": _editor(tyreso, "Redaktörer Tyresö"),
    }


def _watch(world, user, ranges, rewatched=(), cycle=1):
    watched = sum(b - a for a, b in ranges)
    return StepProgress.objects.create(
        user=user,
        module_id=world["module"].pk,
        step_id=world["steps"]["lecture"]["id"],
        cycle=cycle,
        kind="lecture",
        watched_ranges=[list(r) for r in ranges],
        rewatched_ranges=[list(r) for r in rewatched],
        watched_seconds=watched,
        duration_seconds=120.0,
    )


def _viewers(world, count):
    """`count` viewers: the first half watched all 120 s, the others stopped at 0:40; every
    viewer watched 60-70 again."""
    for index in range(count):
        _watch(world, UserFactory(), [(0, 120 if index % 2 == 0 else 40)], [(10, 20)])


def _retention_url(world):
    return reverse("insight_lecture_retention", args=[world["lecture"].pk])


def _quiz_url(world):
    return reverse("insight_quiz_item_analysis", args=[world["quiz"].pk])


def test_the_steps_showing_a_lecture_come_from_the_reference_index(world):
    other = ModulePageFactory(steps=[lecture_step(world["lecture"])])
    assert lecture_steps(world["lecture"]) == sorted(
        [
            (world["module"].pk, world["steps"]["lecture"]["id"]),
            (other.pk, other.steps[0].id),
        ]
    )


def test_the_owners_editor_reads_the_retention_with_its_table(world, client):
    _viewers(world, 6)
    client.force_login(world["solna_editor"])

    response = client.get(_retention_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html
    retention = response.context["retention"]
    assert retention.viewers == 6 and retention.finished == 3 and retention.bucket_seconds == 2
    # The table gives each bucket: 0:00-0:02 watched by all, 0:40-0:42 by half.
    rows = {row.span: row for row in response.context["rows"]}
    assert rows["0:00–0:02"].bucket.watching == 1.0
    assert rows["0:40–0:42"].bucket.watching == 0.5
    assert rows["0:38–0:40"].bucket.stopped == 3
    assert rows["1:00–1:02"].chapter == "2. Lagen"
    assert rows["0:10–0:12"].bucket.rewatched == 1.0
    # The drop-off point is named with its chapter, in words, not by colour alone.
    assert retention.drop_offs[0].start == 38.0
    assert "stopped watching here" in html and "0:38–0:40" in html
    assert "Drop-off point 1" in html


def test_other_organisations_editors_and_hr_are_refused(world, client):
    _viewers(world, 6)
    for user in [world["tyreso_editor"]]:
        client.force_login(user)
        assert client.get(_retention_url(world)).status_code == 403
        assert client.get(_quiz_url(world)).status_code == 403
    hr = UserFactory()
    hr.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(hr)
    assert client.get(_retention_url(world)).status_code == 403
    assert client.get(_quiz_url(world)).status_code == 403


def test_the_lecture_library_row_leads_to_the_retention_for_its_owners_editor_only(world, client):
    listing = reverse("wagtailsnippets_modules_lecture:list")
    client.force_login(world["solna_editor"])
    assert _retention_url(world) in client.get(listing).content.decode()
    client.force_login(world["tyreso_editor"])
    assert _retention_url(world) not in client.get(listing).content.decode()


def test_the_lecture_and_quiz_edit_views_lead_to_their_insight_pages(world, client):
    """Editors meet the figures where they edit: a header button on the lecture's and the
    quiz's edit view, for who may read them; an editor with the permission but not of the
    owning organisation is not led there (nor let in)."""
    lecture_edit = reverse("wagtailsnippets_modules_lecture:edit", args=[world["lecture"].pk])
    quiz_edit = reverse("wagtailsnippets_modules_quiz:edit", args=[world["quiz"].pk])
    client.force_login(world["solna_editor"])
    lecture_page = client.get(lecture_edit).content.decode()
    assert f'href="{_retention_url(world)}"' in lecture_page
    assert "Audience retention" in lecture_page
    quiz_page = client.get(quiz_edit).content.decode()
    assert f'href="{_quiz_url(world)}"' in quiz_page
    assert "Question analysis" in quiz_page
    client.force_login(world["tyreso_editor"])
    assert _retention_url(world) not in client.get(lecture_edit).content.decode()


def test_under_five_viewers_no_curve_and_how_many_more(world, client):
    _viewers(world, 4)
    client.force_login(world["solna_editor"])

    html = client.get(_retention_url(world)).content.decode()

    assert 'class="retention-chart"' not in html and "retention-table" not in html
    assert "1 more viewer is needed" in html
    assert "Drop-off point 1" not in html


def test_the_retention_page_asks_the_same_queries_for_6_and_60_viewers(
    world, client, django_assert_num_queries
):
    client.force_login(world["solna_editor"])
    _viewers(world, 6)
    client.get(_retention_url(world))  # the session and caches settle
    # session, user, permissions (2), the admin's profile, the lecture, its stored owner,
    # the editorial groups, the reference index, the watch rows, the chapters; the admin's
    # menu (locales, page and collection permissions)
    with django_assert_num_queries(QUERIES_RETENTION):
        assert client.get(_retention_url(world)).status_code == 200
    _viewers(world, 54)
    with django_assert_num_queries(QUERIES_RETENTION):
        response = client.get(_retention_url(world))
    assert response.context["retention"].viewers == 60


QUERIES_RETENTION = 14
QUERIES_QUIZ = 13


def test_a_replayed_part_is_kept_by_the_heartbeat(world):
    """Watch 0-30, then go back and play 10-25 again: 10-25 is kept as watched again,
    nothing more is credited."""
    learner = enrolled_learner(world["module"].get_parent().specific)
    t0 = timezone.now()
    step_id = world["steps"]["lecture"]["id"]

    def beat(seq, played, at):
        return lms.record_watch(
            learner, module=world["module"], step_id=step_id, session_id="tab-1", seq=seq,
            ranges=played, position=played[-1][1] if played else 0,
            now=t0 + timedelta(seconds=at),
        )  # fmt: skip

    beat(0, [], at=0)
    beat(1, [(0, 30)], at=30)
    again = beat(2, [(10, 25)], at=45)

    assert again.credited_seconds == 0
    row = StepProgress.objects.get(user=learner, step_id=step_id)
    assert row.watched_ranges == [[0.0, 30.0]]
    assert row.rewatched_ranges == [[10.0, 25.0]]


# --- Quiz item analysis --------------------------------------------------------------------


def _answer_quiz(world, count, *, right_first=lambda i: i % 4 != 0, number=1, when=None):
    """`count` people's submitted attempts: question one right by `right_first(i)`, else
    "Fel A"; question two right by the even ones."""
    quiz = world["quiz"]
    rules = quiz.get_lms_quiz_rules()
    q1, q2 = rules.questions
    for index in range(count):
        user = UserFactory()
        answers = {
            q1.question_id: [q1.choices[0 if right_first(index) else 1].choice_id],
            q2.question_id: [q2.choices[0 if index % 2 == 0 else 1].choice_id],
        }
        QuizAttempt.objects.create(
            user=user, module_id=world["module"].pk, step_id=world["steps"]["quiz"]["id"],
            quiz_id=quiz.pk, revision=quiz.get_lms_revision(), number=number,
            question_ids=[q1.question_id, q2.question_id],
            choice_order={q.question_id: [c.choice_id for c in q.choices] for q in rules.questions},
            answers=answers, submitted_at=when or timezone.now(),
        )  # fmt: skip


def test_under_thirty_first_attempts_the_page_says_how_many_more(world, client):
    _answer_quiz(world, 29)
    client.force_login(world["solna_editor"])

    response = client.get(_quiz_url(world))

    assert response.status_code == 200
    assert response.context["analysis"].attempts == 29
    html = response.content.decode()
    assert "1 more is needed" in html
    assert "Share right" in html and "Flagged questions" not in html


def test_the_owners_editor_reads_the_item_analysis(world, client):
    _answer_quiz(world, 40)
    client.force_login(world["solna_editor"])

    response = client.get(_quiz_url(world))

    analysis = response.context["analysis"]
    q1, q2 = analysis.items
    assert analysis.attempts == 40
    assert q1.difficulty == 0.75 and q2.difficulty == 0.5
    assert [c.picked for c in q1.choices] == [30, 10, 0]
    html = response.content.decode()
    assert "75 %" in html and "Fel A" in html
    assert analysis.kr20 is not None


def test_only_first_attempts_count_and_each_is_marked_against_its_revision(world, client):
    """40 first attempts, then 40 second attempts all right: only the first count. The
    quiz is then edited so that "Fel A" is right: attempts taken before are still marked
    against the revision they were taken against."""
    _answer_quiz(world, 40)
    _answer_quiz(world, 40, right_first=lambda i: True, number=2)
    quiz = world["quiz"]
    raw = quiz.questions.raw_data
    first = raw[0]["value"]["choices"]
    first[0]["value"]["correct"], first[1]["value"]["correct"] = False, True
    quiz.questions = raw
    quiz.save_revision().publish()
    client.force_login(world["solna_editor"])

    analysis = client.get(_quiz_url(world)).context["analysis"]

    assert analysis.attempts == 40
    assert analysis.items[0].difficulty == 0.75


def test_the_item_analysis_asks_the_same_queries_for_30_and_300_attempts(
    world, client, django_assert_num_queries
):
    client.force_login(world["solna_editor"])
    _answer_quiz(world, 30)
    client.get(_quiz_url(world))
    with django_assert_num_queries(QUERIES_QUIZ):
        assert client.get(_quiz_url(world)).status_code == 200
    _answer_quiz(world, 270)
    with django_assert_num_queries(QUERIES_QUIZ):
        response = client.get(_quiz_url(world))
    assert response.context["analysis"].attempts == 300


def test_a_flagged_question_is_named_in_words(world, client):
    """Question one right for 39 of 40 (0.975 > 0.9): flagged as answered right by almost
    everyone."""
    _answer_quiz(world, 40, right_first=lambda i: i != 0)
    client.force_login(world["solna_editor"])

    html = client.get(_quiz_url(world)).content.decode()

    assert "Almost everyone answers right (over 90 %)" in html
