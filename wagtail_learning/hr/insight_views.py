"""Editors' insight pages (issue 24): a lecture's audience retention and a quiz's item
analysis. Thin views over modules.insight; only the editors of the content's
organisation may read them (modules.insight.may_read_insight), others get 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_learning.modules.insight import (
    get_lecture_retention,
    get_quiz_item_analysis,
    may_read_insight,
)
from wagtail_learning.modules.models import Lecture, Quiz

from .charts import retention_chart_svg


def _clock(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Row:
    """One bucket as the table shows it."""

    bucket: object
    span: str
    chapter: str
    drop_off: int | None  # its number among the drop-off points


def _rows(retention, chapters) -> list[Row]:
    numbers = {id(b): n for n, b in enumerate(retention.drop_offs, start=1)}
    rows = []
    for bucket in retention.buckets:
        # The chapter running at the bucket's start (chapters are in time order).
        current = ""
        for number, chapter in enumerate(chapters, start=1):
            if chapter.start_seconds <= bucket.start:
                current = f"{number}. {chapter.title}"
        rows.append(
            Row(bucket, f"{_clock(bucket.start)}–{_clock(bucket.end)}", current,
                numbers.get(id(bucket)))
        )  # fmt: skip
    return rows


def _refused(request, title: str) -> TemplateResponse:
    # A 403 of our own: Wagtail would turn PermissionDenied into a redirect.
    return TemplateResponse(
        request,
        "hr/insight/forbidden.html",
        {"header_title": title, "page_title": title, "header_icon": "doc-full"},
        status=403,
    )


def lecture_retention(request, pk: int):
    """Who watched how much of a lecture, over every module showing it."""
    lecture = get_object_or_404(Lecture, pk=pk)
    if not may_read_insight(request.user, lecture):
        return _refused(request, _("Audience retention"))
    retention = get_lecture_retention(lecture)
    chapters = sorted(lecture.chapters.all(), key=lambda c: c.start_seconds)
    chart = None
    if retention.enough and retention.viewers:
        chart = retention_chart_svg(
            retention.buckets,
            duration=retention.duration,
            chapters=chapters,
            drop_offs=retention.drop_offs,
            title=_("Audience retention of “%(lecture)s”") % {"lecture": lecture.title},
            description=_(
                "Share of viewers watching at each point of the lecture (solid line with "
                "dots) and share watching it again (dashed line); chapters as numbered "
                "dotted lines, drop-off points as numbered triangles. The table below gives "
                "every figure."
            ),
        )
    return TemplateResponse(
        request,
        "hr/insight/lecture_retention.html",
        {
            "header_title": _("Audience retention: %(lecture)s") % {"lecture": lecture.title},
            "page_title": _("Audience retention"),
            "header_icon": "media",
            "lecture": lecture,
            "retention": retention,
            "chapters": [(n, _clock(c.start_seconds), c) for n, c in enumerate(chapters, 1)],
            "rows": _rows(retention, chapters),
            "chart": chart,
            "finished_share": retention.finished / retention.viewers if retention.viewers else 0,
            "bucket_label": _clock(retention.bucket_seconds),
            "edit_url": reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk]),
        },
    )


FLAG_LABELS = {
    "easy": gettext_lazy("Almost everyone answers right (over 90 %)"),
    "hard": gettext_lazy("Almost everyone answers wrong (under 20 %)"),
    "low_discrimination": gettext_lazy(
        "Tells poorly who knows from who does not (discrimination under 0.2)"
    ),
}


def quiz_item_analysis(request, pk: int):
    """Per question of a quiz: share right, discrimination, wrong choices; KR-20."""
    quiz = get_object_or_404(Quiz, pk=pk)
    if not may_read_insight(request.user, quiz):
        return _refused(request, _("Question analysis"))
    analysis = get_quiz_item_analysis(quiz)
    items = [
        {"item": item, "number": n, "flags": [str(FLAG_LABELS[f]) for f in item.flags]}
        for n, item in enumerate(analysis.items, start=1)
    ]
    return TemplateResponse(
        request,
        "hr/insight/quiz_item_analysis.html",
        {
            "header_title": _("Question analysis: %(quiz)s") % {"quiz": quiz.title},
            "page_title": _("Question analysis"),
            "header_icon": "tasks",
            "quiz": quiz,
            "analysis": analysis,
            "items": items,
            "flagged": [entry for entry in items if entry["flags"]],
            "edit_url": reverse("wagtailsnippets_modules_quiz:edit", args=[quiz.pk]),
        },
    )
