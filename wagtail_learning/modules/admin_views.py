"""The caption editor: a lecture's cues listed beside its video, each corrected in place.
Only for those who may edit the lecture (its owner's editors, decision 0035)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.permissions import policy_registry

from wagtail_learning.lms import api as lms
from wagtail_learning.lms import http as lms_http

from .captions import check_cues, format_problem, parse_timestamp
from .cue_editing import CueCorrection, correct_cue, read_track
from .models import Lecture

URL_NAMESPACE = "wagtailsnippets_modules_lecture"


class TimestampField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        seconds = parse_timestamp(value)
        if seconds is None:
            raise ValidationError(
                _('Give a time like "00:01:02.500" (hours optional).'), code="timestamp"
            )
        return seconds


class CueForm(forms.Form):
    number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    seen = forms.CharField(max_length=64, widget=forms.HiddenInput)
    start = TimestampField(label=gettext_lazy("Starts"))
    end = TimestampField(label=gettext_lazy("Ends"))
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _lecture_to_edit(request, pk: int) -> Lecture:
    """The lecture, if the user may change it: the model permission and ownership."""
    lecture = get_object_or_404(Lecture, pk=pk)
    policy = policy_registry.get_by_type(Lecture)
    if not policy.user_has_permission_for_instance(request.user, "change", lecture):
        raise PermissionDenied
    return lecture


def caption_editor(request, pk: int):
    lecture = _lecture_to_edit(request, pk)
    tracks = list(lecture.caption_tracks.all())
    if not tracks:
        messages.warning(request, _("The lecture has no caption track to correct yet."))
        return HttpResponseRedirect(reverse(f"{URL_NAMESPACE}:edit", args=[lecture.pk]))
    track_id = request.GET.get("spar", "")
    track = next((t for t in tracks if str(t.pk) == track_id), tracks[0])
    here = reverse(f"{URL_NAMESPACE}:captions", args=[lecture.pk]) + f"?spar={track.pk}"
    bound = None
    status = 200
    if request.method == "POST":
        bound = CueForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            correction = CueCorrection(
                number=data["number"],
                start=data["start"],
                end=data["end"],
                text=data["text"],
                seen=data["seen"],
            )
            try:
                warnings = correct_cue(track, correction, user=request.user)
            except ValidationError as error:
                bound.add_error(None, error)
            else:
                messages.success(
                    request, _("Cue %(number)d saved.") % {"number": correction.number}
                )
                for warning in warnings:
                    messages.warning(request, format_problem(warning))
                return HttpResponseRedirect(f"{here}#cue-{correction.number}")
        status = 400
    try:
        caption_file, seen = read_track(track)
    except (OSError, ValueError, ValidationError):
        caption_file, seen = None, ""
    cues = caption_file.cues if caption_file else []
    duration = lecture.duration.total_seconds() if lecture.duration else None
    errors, warnings = check_cues(cues, duration=duration, kind=track.kind)
    by_cue: dict[int, list[str]] = {}
    for warning in warnings:
        by_cue.setdefault(warning.cue.number, []).append(warning.message)
    bound_number = bound.data.get("number") if bound is not None else None
    rows = [
        {
            "cue": cue,
            "warnings": by_cue.get(cue.number, []),
            "form": bound if bound_number == str(cue.number) else None,
        }
        for cue in cues
    ]
    context = {
        "lecture": lecture,
        "track": track,
        "tracks": tracks,
        "rows": rows,
        "file_errors": [" ".join(e.messages) for e in errors],
        "unreadable": caption_file is None,
        "unmatched_form": bound if bound is not None and not any(r["form"] for r in rows) else None,
        "seen": seen,
        "header_title": _("Captions: %(title)s") % {"title": lecture.title},
        "edit_url": reverse(f"{URL_NAMESPACE}:edit", args=[lecture.pk]),
        "video_url": reverse(f"{URL_NAMESPACE}:captions_video", args=[lecture.pk]),
        "editor_url": reverse(f"{URL_NAMESPACE}:captions", args=[lecture.pk]),
    }
    return TemplateResponse(request, "modules/admin/caption_editor.html", context, status=status)


def caption_editor_video(request, pk: int):
    """The lecture's video for the editor's player (the learners' route checks enrolment)."""
    lecture = _lecture_to_edit(request, pk)
    return _serve(request, lecture.video, lecture.video_content_type)


def caption_editor_track(request, pk: int, track_id: int):
    lecture = _lecture_to_edit(request, pk)
    track = get_object_or_404(lecture.caption_tracks, pk=track_id)
    return _serve(request, track.file, "text/vtt; charset=utf-8")


def _serve(request, field_file, content_type: str):
    if not field_file:
        raise Http404
    try:
        return lms_http.serve_protected_file(
            request,
            storage_alias=lms.storage_alias_of(field_file.storage),
            name=field_file.name,
            content_type=content_type,
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
