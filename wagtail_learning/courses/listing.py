"""The course page's list of modules, kept in the cache until the next edit.

Loading a course's live modules with their prerequisites and step specs takes four
queries (modules, prerequisites, lectures, quizzes) on every view of the course page. What
the page shows of them changes only when an editor saves, publishes, unpublishes, moves or
deletes a page (or saves a lecture or a site): each starts a new generation of the
engine's snapshots (lms.cached_until_edit), and the list is rebuilt on the next view.
With it is kept what each module's outline item shows the same to everyone (its card),
rendered once per language: Django's templates take about 0.2 ms an item. The process
keeps the same objects while the generation holds (`in_process`), so a view neither
unpickles 50 modules' step specs nor asks the cache for more than the generation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import get_language

from wagtail_learning.events import api as events
from wagtail_learning.lms import api as lms

if TYPE_CHECKING:
    from .models import CoursePage

__all__ = [
    "CourseListing",
    "ListedModule",
    "ListedPrerequisite",
    "course_listing",
    "course_listings",
    "module_card",
]

CARD_TEMPLATE = "courses/includes/module_card.html"


@dataclass(frozen=True)
class ListedPrerequisite:
    pk: int
    title: str
    live: bool  # a prerequisite still in draft locks the module with a word on why


@dataclass(frozen=True)
class ListedModule:
    """A live module as the course page lists it; the engine's LearningModule for what
    the learner's progress needs (steps, prerequisites, opening date)."""

    pk: int
    title: str
    url: str
    level: int
    summary: str
    estimated_minutes: int | None
    required_for_course: bool
    available_from: datetime | None
    course_id: int
    prerequisites: tuple[ListedPrerequisite, ...]
    steps: tuple[lms.StepSpec, ...]
    step_urls: dict[str, str]  # by step id: the dashboard's "continue" link

    def get_lms_steps(self) -> Sequence[lms.StepSpec]:
        return self.steps

    def get_lms_prerequisites(self) -> Sequence[ListedPrerequisite]:
        return self.prerequisites

    def get_lms_course_id(self) -> int:
        return self.course_id

    def get_lms_step_url(self, step_id: str) -> str:
        return self.step_urls[step_id]


def _listing(course: CoursePage) -> tuple[ListedModule, ...]:
    return tuple(
        ListedModule(
            pk=module.pk,
            title=module.title,
            url=module.url,
            level=module.level,
            summary=module.summary,
            estimated_minutes=module.estimated_minutes,
            required_for_course=module.required_for_course,
            available_from=module.available_from,
            course_id=course.pk,
            prerequisites=tuple(
                ListedPrerequisite(pk=p.pk, title=p.title, live=p.live)
                for p in module.get_lms_prerequisites()
            ),
            steps=tuple(module.get_lms_steps()),
            step_urls={
                spec.step_id: module.get_lms_step_url(spec.step_id)
                for spec in module.get_lms_steps()
            },
        )
        for module in course.modules
    )


@dataclass(frozen=True)
class ListedEvent:
    """A live event placed under the course (its live sessions), as the course links it."""

    title: str
    url: str
    summary: str


@dataclass(frozen=True)
class CourseListing:
    """Shared by every request this process serves until the next edit: read only."""

    modules: tuple[ListedModule, ...]
    # Each module's part of the outline that is the same for everyone (level, time,
    # summary, prerequisites), rendered in the language it was built for, by module id.
    cards: dict[int, str]
    # The course's live, public events (pages under it), in page order.
    events: tuple[ListedEvent, ...] = ()


def module_card(module) -> str:
    """The part of a module's outline item that is the same for everyone."""
    return render_to_string(CARD_TEMPLATE, {"module": module})


def _events_of(courses: Sequence[CoursePage]) -> dict[int, tuple[ListedEvent, ...]]:
    """The live, public events placed under each of these courses, by course id: one query
    for them all (and one for the view restrictions)."""
    children = Q(pk__in=[])
    for course in courses:
        children |= Q(path__startswith=course.path, depth=course.depth + 1)
    found: dict[int, list[ListedEvent]] = {course.pk: [] for course in courses}
    by_path = {course.path: course.pk for course in courses}
    steplen = type(courses[0]).steplen if courses else 0
    pages = events.EventPage.objects.live().public().filter(children).order_by("path")
    for page in pages.only("title", "url_path", "path", "depth", "summary"):
        found[by_path[page.path[:-steplen]]].append(ListedEvent(page.title, page.url, page.summary))
    return {pk: tuple(listed) for pk, listed in found.items()}


def _build(course: CoursePage, events_by_course=None) -> CourseListing:
    modules = _listing(course)
    cards = {module.pk: module_card(module) for module in modules}
    if events_by_course is None:
        events_by_course = _events_of([course])
    return CourseListing(modules, cards, events_by_course[course.pk])


# Raised whenever what is kept changes shape, so that a deploy never unpickles a listing
# kept by the code before it.
LISTING_VERSION = 3


def _key(course: CoursePage) -> str:
    return f"course-modules:v{LISTING_VERSION}:{course.pk}:{get_language() or ''}"


def course_listings(courses: Sequence[CoursePage]) -> dict[int, CourseListing]:
    """`course_listing` of many courses, by course id, in one cache round trip; those not
    kept are built together (`CoursePage.prefetch_lms_modules`: one query for all their
    modules, one for the prerequisites, one per kind of content)."""

    def build(missing: list[CoursePage]) -> dict[CoursePage, CourseListing]:
        type(missing[0]).prefetch_lms_modules(missing)
        events_by_course = _events_of(missing)
        return {course: _build(course, events_by_course) for course in missing}

    kept = lms.cached_until_edit_many(
        {_key(course): course for course in courses}, build, in_process=True
    )
    return {course.pk: listing for course, listing in kept.items()}


def course_listing(course: CoursePage) -> CourseListing:
    """The course's live modules in page order and their cards in the active language: no
    query when kept since the last edit, else the four of `CoursePage.modules`. Modules
    and cards are built and kept together, so they always show the same edit."""
    return lms.cached_until_edit(_key(course), lambda: _build(course), in_process=True)
