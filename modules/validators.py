"""Validation of uploaded caption files.

A hand-written check rather than webvtt-py: that library stops at the first problem with
"Invalid format"; editors need the line number and what is wrong with it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING_RE = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t]+.*)?$")
MAX_CAPTION_BYTES = 2 * 1024 * 1024


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_webvtt(text: str) -> list[tuple[float, float, str]]:
    """Parse WebVTT text into (start, end, cue text) triples.

    Raises ValidationError naming the line and the problem for anything that is not
    valid WebVTT: a missing header, a malformed timing line, an end before its start,
    or no cues at all.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = lines[0] if lines else ""
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(
            _('Line 1: a WebVTT file must start with "WEBVTT"; found "%(found)s".'),
            params={"found": header[:40]},
            code="webvtt_header",
        )
    cues: list[tuple[float, float, str]] = []
    index = 1
    # Skip the header block.
    while index < len(lines) and lines[index].strip():
        index += 1
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        block_start = index
        block: list[str] = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        timing_offset = 0 if "-->" in block[0] else 1
        if timing_offset >= len(block) or "-->" not in block[timing_offset]:
            raise ValidationError(
                _(
                    "Line %(line)d: expected a cue timing like "
                    '"00:00:01.000 --> 00:00:04.000"; found "%(found)s".'
                ),
                params={
                    "line": block_start + 1 + min(timing_offset, len(block) - 1),
                    "found": block[min(timing_offset, len(block) - 1)][:60],
                },
                code="webvtt_timing",
            )
        timing_line = block[timing_offset]
        line_no = block_start + 1 + timing_offset
        match = _TIMING_RE.match(timing_line.strip())
        if not match:
            raise ValidationError(
                _(
                    'Line %(line)d: the cue timing "%(found)s" is not valid; use '
                    '"hh:mm:ss.ttt --> hh:mm:ss.ttt" (hours optional, three-digit milliseconds).'
                ),
                params={"line": line_no, "found": timing_line.strip()[:60]},
                code="webvtt_timing",
            )
        groups = match.groups()
        start, end = _seconds(*groups[0:4]), _seconds(*groups[4:8])
        if end <= start:
            raise ValidationError(
                _("Line %(line)d: the cue ends (%(end)s) before or when it starts (%(start)s)."),
                params={"line": line_no, "start": f"{start:.3f}", "end": f"{end:.3f}"},
                code="webvtt_order",
            )
        cues.append((start, end, "\n".join(block[timing_offset + 1 :])))
    if not cues:
        raise ValidationError(_("The file has a WebVTT header but no cues."), code="webvtt_empty")
    return cues


def validate_webvtt_file(upload) -> None:
    """Model field validator: the uploaded file must be UTF-8 WebVTT with at least one cue."""
    if upload.size > MAX_CAPTION_BYTES:
        raise ValidationError(_("The caption file is larger than 2 MB."), code="webvtt_size")
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The caption file is not UTF-8 text (byte %(pos)d). Save it as UTF-8 WebVTT."),
            params={"pos": exc.start},
            code="webvtt_encoding",
        ) from exc
    parse_webvtt(text)
