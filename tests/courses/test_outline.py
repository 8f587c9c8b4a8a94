"""The course page's outline items, joined in Python (courses.outline): the exact HTML of
each state, with what is escaped escaped, and an edit showing on the next request though
the module list is kept in the process (lms.cached_until_edit(in_process=True))."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    completed_module,
    enrolled_learner,
    in_english,
    reading_step,
    step_progress,
)


def items(html: str) -> dict[str, str]:
    """Each outline item by its module's title, whitespace collapsed."""
    found = {}
    for item in re.findall(r'<li class="outline-item".*?</li>', html, re.S):
        item = re.sub(r"\s+", " ", item)
        title = re.search(r"<h3>(?:<a [^>]*>)?([^<]+)<", item).group(1)
        found[title] = re.sub(r"> <", "><", item)
    return found


@pytest.fixture
def course():
    return CoursePageFactory(title="Kurs")


@pytest.fixture
def modules(course):
    done = ModulePageFactory(parent=course, title="Klar & <b>", steps=[reading_step()])
    started = ModulePageFactory(
        parent=course, title="Påbörjad", steps=[reading_step(), reading_step()]
    )
    locked = ModulePageFactory(
        parent=course, title="Låst", steps=[reading_step()], prerequisites=[started]
    )
    later = ModulePageFactory(
        parent=course,
        title="Senare",
        steps=[reading_step()],
        available_from=datetime(2099, 3, 4, 10, 30, tzinfo=UTC),
    )
    return done, started, locked, later


@pytest.mark.django_db
def test_every_state_of_an_item_for_a_learner(client, course, modules):
    done, started, locked, later = modules
    learner = enrolled_learner(course)
    completed_module(learner, done, when=datetime(2026, 1, 2, 23, 30, tzinfo=UTC))
    step_progress(learner, started, index=0, completed_at=timezone.now())
    client.force_login(learner)

    shown = items(in_english(client).get(course.url).content.decode())

    assert shown["Klar &amp; &lt;b&gt;"] == (
        f'<li class="outline-item" data-module-id="{done.pk}" data-module-state="completed">'
        f'<h3><a href="{done.url}">Klar &amp; &lt;b&gt;</a></h3>'
        '<p class="meta"> Level 1 · 30 min </p><p>Vad modulen handlar om.</p>'
        '<p><span class="state state-completed">Completed 3 January 2026</span></p></li>'
    )
    assert shown["Påbörjad"].endswith(
        '<p><span class="state state-in_progress">In progress</span>'
        '<span class="progress"><progress max="100" value="50" aria-label="Progress in '
        'Påbörjad">50 %</progress> 50 %</span></p></li>'
    )
    assert shown["Låst"] == (  # no link, and why
        f'<li class="outline-item" data-module-id="{locked.pk}" data-module-state="locked">'
        "<h3>Låst</h3>"
        '<p class="meta"> Level 1 · 30 min </p><p>Vad modulen handlar om.</p>'
        '<p class="prereq">Requires: Påbörjad </p>'
        '<p><span class="state state-locked">Locked</span> Complete Påbörjad first. </p></li>'
    )
    assert shown["Senare"].endswith(
        '<p><span class="state state-locked">Locked</span> Opens 4 March 2099 11:30. </p></li>'
    )


@pytest.mark.django_db
def test_a_visitor_sees_links_and_opening_dates_but_no_state(client, course, modules):
    _done, _started, locked, later = modules

    shown = items(in_english(client).get(course.url).content.decode())

    assert f'<h3><a href="{locked.url}">Låst</a></h3>' in shown["Låst"]
    assert "state-" not in "".join(shown.values())
    assert shown["Senare"].endswith('<p class="meta">Opens 4 March 2099 11:30</p></li>')


@pytest.mark.django_db
def test_an_edit_shows_on_the_next_request_though_the_list_is_kept_in_the_process(
    client, course, modules
):
    done = modules[0]
    client.force_login(enrolled_learner(course))
    assert "Klar &amp; &lt;b&gt;" in items(client.get(course.url).content.decode())
    assert "Klar &amp; &lt;b&gt;" in items(client.get(course.url).content.decode())

    done.title = "Omdöpt"
    done.save_revision().publish()

    shown = items(client.get(course.url).content.decode())
    assert "Omdöpt" in shown
    assert "Klar &amp; &lt;b&gt;" not in shown
