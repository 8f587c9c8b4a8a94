"""What editors read back about their lectures and quizzes (issue 24): the engine's
figures (lms.api) for the steps that show a lecture, and who may read them.

docs/insight.md defines the figures; the admin pages are hr.insight_views.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from wagtail_learning.lms import api as lms
from wagtail_learning.org.api import may_edit

from .models import Lecture, Quiz

__all__ = ["get_lecture_retention", "get_quiz_item_analysis", "lecture_steps", "may_read_insight"]


def may_read_insight(user, instance: Lecture | Quiz, *, stored: bool = True) -> bool:
    """Retention and item analysis are for the editors of the content's organisation: who
    may edit the lecture or quiz (the model's change permission, and then ownership: its
    owner's editors and superusers; for content without an owner, anyone with the
    permission; decision 0035). The rule the admin's edit views ask
    (org.ownership.OwnedPermissionPolicy). `stored=False` for a row just read (a listing):
    its owner is taken as read, no query."""
    opts = type(instance)._meta
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        return False
    return may_edit(user, instance, stored=stored)


def lecture_steps(lecture: Lecture) -> list[tuple[int, str]]:
    """(module id, step id) of every module step showing `lecture`, from Wagtail's
    reference index (what the lecture's "Usage" page lists): one query. A step's reference
    reads `steps.<step id>.lecture`."""
    rows = (
        ReferenceIndex.get_references_to(lecture)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", "content_path")
    )
    found = set()
    for object_id, content_path in rows:
        parts = content_path.split(".")
        if parts[0::2] == ["steps", "lecture"] and len(parts) == 3 and object_id.isdigit():
            found.add((int(object_id), parts[1]))
    return sorted(found)


def get_lecture_retention(lecture: Lecture) -> lms.Retention:
    """The lecture's audience retention over every step showing it: two queries (the
    steps, the watch rows)."""
    duration = lecture.duration.total_seconds() if lecture.duration else 0.0
    return lms.get_lecture_retention(steps=lecture_steps(lecture), duration=max(duration, 1.0))


def get_quiz_item_analysis(quiz: Quiz) -> lms.ItemAnalysis:
    """The quiz's item analysis over first attempts: two queries (the attempts, the
    revisions they were taken against), however many attempts and revisions. A
    revision's questions are read from its stored content alone (an unsaved quiz holding
    them), which asks the database nothing."""
    return lms.get_quiz_item_analysis(
        quiz,
        rules_of_revision=lambda revision: Quiz(
            questions=revision.content.get("questions") or []
        ).get_lms_quiz_rules(),
    )
