"""Captions before publishing (WCAG 1.2.2, issue 25): a lecture shown in a live module has
Swedish captions.

One rule, asked from both sides:
- publishing a module whose steps hold a lecture without Swedish captions is refused,
  naming the lecture (`check_module_may_publish`, asked by the module's admin form);
- a lecture used in a live module cannot be saved without Swedish captions, naming the
  module (`check_lecture_keeps_captions`, asked by the lecture's admin form).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from .captions import CAPTION_KINDS

__all__ = [
    "REQUIRED_CAPTION_LANGUAGE",
    "check_caption_duty",
    "check_lecture_keeps_captions",
    "check_module_may_publish",
    "check_pages_may_publish",
    "has_required_captions",
    "live_modules_using",
]

REQUIRED_CAPTION_LANGUAGE = "sv"

Track = tuple[str, str]  # (language, kind)


def has_required_captions(tracks: Iterable[Track]) -> bool:
    """Captions (or subtitles) in Swedish: a description track is not captions."""
    return any(
        language == REQUIRED_CAPTION_LANGUAGE and kind in CAPTION_KINDS for language, kind in tracks
    )


def _stored_tracks(lecture) -> list[Track]:
    return list(lecture.caption_tracks.values_list("language", "kind"))


def _quoted(titles: Iterable[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


def check_caption_duty(
    lecture, *, modules: Iterable, tracks: Iterable[Track] | None = None, publishing: bool
) -> None:
    """The rule: `lecture`, with `tracks` (default: those stored), may be shown in
    `modules` (live, or being published) only with Swedish captions. Raises
    ValidationError naming the lecture and the modules; nothing when `modules` is empty."""
    modules = list(modules)
    if not modules:
        return
    if has_required_captions(_stored_tracks(lecture) if tracks is None else tracks):
        return
    params = {"lecture": lecture.title, "modules": _quoted(m.title for m in modules)}
    if publishing:
        message = _(
            "The lecture “%(lecture)s” has no Swedish captions, so %(modules)s cannot be "
            "published. Add a Swedish caption track to the lecture (Learning content › "
            "Lecture library) and publish again."
        )
    else:
        message = _(
            "The lecture is used in the live module %(modules)s and must keep its Swedish "
            "captions. Add a Swedish caption track, or remove the lecture from the module "
            "first."
        )
    raise ValidationError(message, params=params, code="captions_required")


def check_module_may_publish(module, lectures: Iterable) -> None:
    """Publishing `module` with these lectures in its steps: every lecture needs Swedish
    captions. Raises ValidationError with one message per lecture lacking them."""
    errors = []
    seen = set()
    for lecture in lectures:
        if lecture is None or lecture.pk in seen:
            continue
        seen.add(lecture.pk)
        try:
            check_caption_duty(lecture, modules=[module], publishing=True)
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def check_pages_may_publish(pages: Iterable) -> None:
    """Publishing these pages' latest revisions (Wagtail's bulk publish, which saves no
    form): each module among them may be published only as `check_module_may_publish`
    allows. Raises ValidationError with every message."""
    from .models import ModulePage

    errors = []
    for page in pages:
        page = page.specific
        if not isinstance(page, ModulePage):
            continue
        draft = page.get_latest_revision_as_object()
        lectures = [b.value["lecture"] for b in draft.steps if b.block_type == "lecture"]
        try:
            check_module_may_publish(draft, lectures)
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def check_lecture_keeps_captions(lecture, *, tracks: Iterable[Track]) -> None:
    """Saving `lecture` with these caption tracks: while a live module uses it, one must
    be Swedish captions. Raises ValidationError naming the live modules."""
    if lecture.pk is None:
        return
    check_caption_duty(
        lecture, modules=live_modules_using(lecture), tracks=list(tracks), publishing=False
    )


def live_modules_using(lecture) -> list:
    """The live modules with a lecture step showing `lecture` (their live content: a
    live page's row holds what is published)."""
    from .models import ModulePage

    candidates = (
        ModulePage.objects.live()
        .annotate(steps_text=Cast("steps", output_field=TextField()))
        .filter(steps_text__contains='"lecture"')
        .order_by("path")
    )
    return [
        module
        for module in candidates
        if any(
            item.get("type") == "lecture"
            and isinstance(item.get("value"), dict)
            and item["value"].get("lecture") == lecture.pk
            for item in module.steps.raw_data
        )
    ]
