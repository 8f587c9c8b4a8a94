"""Validation of uploaded video files (and, for old migrations, the WebVTT validator; caption
files are read and checked in modules.captions).

Video: the content is probed with ffprobe (Debian's ffmpeg), not trusted by its extension.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .captions import MAX_CAPTION_BYTES, decode_caption_bytes, read_webvtt

logger = logging.getLogger(__name__)


def parse_webvtt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of WebVTT text (modules.captions.read_webvtt).
    Raises ValidationError naming the line and cue of every problem."""
    return [(cue.start, cue.end, cue.text) for cue in read_webvtt(text).cues]


def validate_webvtt_file(upload) -> None:
    """UTF-8 WebVTT with at least one cue (named by migrations; caption tracks now check
    their file in LectureCaptionTrack.clean, WebVTT or SRT)."""
    upload.seek(0)
    raw = upload.read(MAX_CAPTION_BYTES + 1)
    upload.seek(0)
    read_webvtt(decode_caption_bytes(raw))


# --- Video ---------------------------------------------------------------------------------

FFPROBE_TIMEOUT = 30  # seconds; a real video is probed in well under a second
# Containers browsers play (ffprobe's format names); the extension is checked separately.
PLAYABLE_FORMATS = {"mp4", "mov", "webm", "matroska", "ogg"}
# What a refused file most likely is, from its first bytes, to tell the editor.
_SIGNATURES = [
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP"),  # also Word, Excel and PowerPoint files
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "Office"),
]


@dataclass(frozen=True)
class MediaProbe:
    format_names: frozenset[str]
    duration: timedelta | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    video_codec: str = ""
    audio_codec: str = ""


def _describe(head: bytes) -> str:
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return ""
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return ""
    return _("text file")


def _run_ffprobe(path: str) -> dict | None:
    """ffprobe's JSON for the file at `path`, or None when it cannot read it."""
    executable = shutil.which("ffprobe")
    if executable is None:
        raise ValidationError(
            _(
                "Video files cannot be checked: ffprobe (Debian package ffmpeg) is missing "
                "on the server."
            ),
            code="video_probe_missing",
        )
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program and a path of our own
            [executable, "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ValidationError(
            _("The video file could not be read in %(seconds)d seconds."),
            params={"seconds": FFPROBE_TIMEOUT},
            code="video_probe_timeout",
        ) from exc
    if result.returncode != 0:
        return None
    try:
        return json.loads(result.stdout or b"{}")
    except ValueError:
        return None


def _parse_probe(data: dict) -> MediaProbe:
    fmt = data.get("format") or {}
    streams = [
        s
        for s in data.get("streams") or []
        # A cover picture in an audio file is a "video" stream that does not play.
        if not (s.get("disposition") or {}).get("attached_pic")
    ]
    try:
        seconds = float(fmt.get("duration"))
    except (TypeError, ValueError):
        seconds = None
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    return MediaProbe(
        format_names=frozenset((fmt.get("format_name") or "").split(",")),
        duration=timedelta(seconds=round(seconds)) if seconds and seconds > 0 else None,
        has_video=video is not None,
        has_audio=audio is not None,
        width=(video or {}).get("width") or None,
        height=(video or {}).get("height") or None,
        video_codec=(video or {}).get("codec_name") or "",
        audio_codec=(audio or {}).get("codec_name") or "",
    )


def refuse_obvious_non_video(upload) -> None:
    """The quick check made on save for a file too large to probe there: a file whose
    first bytes say it is a PDF, an image, an Office document or text is refused at once."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    kind = _describe(head)
    if kind:
        raise ValidationError(
            _("The file is a %(kind)s, not a video."), params={"kind": kind}, code="not_video"
        )


def probe_video(upload) -> MediaProbe:
    """Probe an uploaded file's content. Raises ValidationError saying what the file is when
    it is not a video (or audio) in a container browsers play. The result is kept on the
    upload, so validating and filling in the duration probe once."""
    cached = getattr(upload, "_lms_probe", None)
    if cached is not None:
        return cached
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    probe = probe_path_or_upload(upload, head)
    upload._lms_probe = probe
    return probe


def _local_path_of(upload) -> str | None:
    """Where an upload lies on this machine's disk, if it does: a large upload's temporary
    file, a kept upload in local storage (not one in a bucket)."""
    try:
        return upload.temporary_file_path()
    except (AttributeError, NotImplementedError):
        return None


def probe_path_or_upload(upload, head: bytes, path: str | None = None) -> MediaProbe:
    """Probe a file on disk (`path`) or an upload; raise ValidationError saying what it is
    when it is not playable video or audio."""
    path = path if path is not None else _local_path_of(upload)
    if path is not None:
        data = _run_ffprobe(path)
    else:
        with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            data = _run_ffprobe(handle.name)
        upload.seek(0)
    probe = _parse_probe(data) if data is not None else None
    if probe is None or not probe.format_names & PLAYABLE_FORMATS:
        kind = _describe(head)
        if kind:
            raise ValidationError(
                _("The file is a %(kind)s, not a video."), params={"kind": kind}, code="not_video"
            )
        raise ValidationError(
            _("The file is not a video that can be played (MP4 or WebM)."), code="not_video"
        )
    if not (probe.has_video or probe.has_audio):
        raise ValidationError(
            _("The file holds neither picture nor sound."), code="video_no_streams"
        )
    return probe


def validate_video_file(value) -> None:
    """Model field validator: a newly uploaded lecture video must be playable video or
    audio (probed with ffprobe). A file already stored was checked when it was uploaded."""
    if getattr(value, "_committed", False):
        return
    probe_video(getattr(value, "file", value))
