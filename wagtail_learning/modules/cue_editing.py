"""Correcting one cue of a stored caption track, as the editor does beside the video."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .captions import CaptionFile, CaptionProblem, Cue, check_cues, digest, read_webvtt

__all__ = ["CORRECT_CUE_ACTION", "CueCorrection", "correct_cue", "read_track"]

CORRECT_CUE_ACTION = "modules.correct_cue"


def read_track(track) -> tuple[CaptionFile, str]:
    """The stored track as read, and the fingerprint an edit must quote."""
    text = track.read_text()
    return read_webvtt(text), digest(text)


class CueCorrection:
    """What an editor asks: cue `number` of the file they saw (`seen`, its fingerprint)
    shown from `start` to `end` seconds with `text`."""

    def __init__(self, *, number: int, start: float, end: float, text: str, seen: str):
        self.number, self.start, self.end, self.seen = number, start, end, seen
        # A blank line would end the cue; the editor's line breaks are kept.
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.text = "\n".join(line.rstrip() for line in lines if line.strip())


def correct_cue(track, correction: CueCorrection, *, user) -> list[CaptionProblem]:
    """Store the track with one cue changed, after checking the file again (as on upload):
    a change that introduces an error (ends before it starts or after the video, overlaps
    another cue, breaks the file) is refused with ValidationError, and so is an edit made
    on a version of the file that has since changed. Logged on the lecture's history.
    Returns the warnings about the corrected cue. Atomic."""
    from .models import LectureCaptionTrack

    with transaction.atomic():
        track = (
            LectureCaptionTrack.objects.select_for_update()
            .select_related("lecture")
            .get(pk=track.pk)
        )
        try:
            caption_file, current = read_track(track)
        except (OSError, ValueError) as exc:
            raise ValidationError(_("The caption file cannot be read."), code="unreadable") from exc
        if current != correction.seen:
            raise ValidationError(
                _(
                    "The captions were changed by someone else since you opened them. "
                    "Your change was not saved: reload the page and make it again."
                ),
                code="stale",
            )
        old = next((c for c in caption_file.cues if c.number == correction.number), None)
        if old is None:
            raise ValidationError(_("There is no such cue."), code="no_cue")
        new = replace(old, start=correction.start, end=correction.end, text=correction.text)
        text = caption_file.with_cue(new).to_webvtt()
        duration = track.lecture.duration.total_seconds() if track.lecture.duration else None
        before, _warnings = check_cues(caption_file.cues, duration=duration, kind=track.kind)
        written = read_webvtt(text)  # raises for a file the change broke
        after, warnings = check_cues(written.cues, duration=duration, kind=track.kind)
        # Errors the file already had do not stop a correction (it may fix one of them).
        known = {" ".join(error.messages) for error in before}
        introduced = [error for error in after if " ".join(error.messages) not in known]
        if introduced:
            raise ValidationError(introduced)
        old_name = track.file.name
        storage = track.file.storage
        track.file.save(PurePosixPath(old_name).name, ContentFile(text.encode("utf-8")), save=False)
        track.save(update_fields=["file"])
        log(
            instance=track.lecture,
            action=CORRECT_CUE_ACTION,
            user=user,
            data={
                "track": track.display_label,
                "cue": correction.number,
                "before": _cue_data(old),
                "after": _cue_data(new),
            },
        )
        transaction.on_commit(lambda: storage.delete(old_name))
    return [w for w in warnings if w.cue.number == correction.number]


def _cue_data(cue: Cue) -> dict:
    return {"start": cue.start_display, "end": cue.end_display, "text": cue.text}
