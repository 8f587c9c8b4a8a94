"""Caption files: reading WebVTT (and SRT, converted to WebVTT), checking them for what
makes captions hard to follow, writing them back after an editor corrected a cue, and which
track the player turns on.

Every problem names the cue (its number in the file and its start time) and, while the file
is still being read, the line. Errors refuse the file; warnings (reading speed, line length,
too many lines) are shown to the editor but do not.

WebVTT is read by hand rather than with webvtt-py: that library stops at the first problem
with "Invalid format", and the cue editor must write back what it read (identifiers,
settings, STYLE and NOTE blocks). SRT is parsed with `srt` (strict: the first part it
cannot read is reported by its position, which becomes a line number); webvtt-py and
pysubs2 read a broken SRT cue as text of the one before it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import srt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_CAPTION_BYTES = 2 * 1024 * 1024
# Guidance for Swedish captions (SVT, Språkrådet): at most two lines of about 42
# characters, read at no more than about 15-20 characters a second.
MAX_LINE_CHARACTERS = 42
MAX_LINES = 2
MAX_CHARACTERS_PER_SECOND = 20
# Video durations are read to the whole second; a cue may end within this of it.
DURATION_TOLERANCE = 1.0
# An editor fixes the first problems first; a broken file need not list thousands.
MAX_REPORTED = 20

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING_RE = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t]+(.*))?$")
_TAG_RE = re.compile(r"<[^>]*>")
_ASS_OVERRIDE_RE = re.compile(r"\{\\[^}]*\}")  # SRT files from Aegisub carry {\an8} etc.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

CAPTION_KINDS = ("captions", "subtitles")
DESCRIPTION_KIND = "descriptions"


@dataclass(frozen=True)
class Cue:
    """One cue: shown from `start` to `end` (seconds), with its text as written (tags
    included). `number` counts the cues of the file from 1; `line` is where its timing
    stood (0 for a cue not read from a file)."""

    number: int
    start: float
    end: float
    text: str
    identifier: str = ""
    settings: str = ""
    line: int = 0

    @property
    def plain_text(self) -> str:
        """The text as a viewer reads it: no tags, entities resolved."""
        text = _TAG_RE.sub("", self.text)
        for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&amp;", "&")):
            text = text.replace(entity, char)
        return text

    @property
    def start_display(self) -> str:
        return format_timestamp(self.start)

    @property
    def end_display(self) -> str:
        return format_timestamp(self.end)

    @property
    def characters_per_second(self) -> float:
        length = len(" ".join(self.plain_text.split()))
        return length / (self.end - self.start) if self.end > self.start else float("inf")


@dataclass
class CaptionFile:
    """A WebVTT file as read: its header line, its cues, and the other blocks (STYLE,
    REGION, NOTE) kept in place so that writing it back loses nothing."""

    header: str = "WEBVTT"
    blocks: list[Cue | str] = field(default_factory=list)

    @property
    def cues(self) -> list[Cue]:
        return [block for block in self.blocks if isinstance(block, Cue)]

    def with_cue(self, cue: Cue) -> CaptionFile:
        """A copy with the cue of the same number replaced."""
        blocks = [cue if isinstance(b, Cue) and b.number == cue.number else b for b in self.blocks]
        return CaptionFile(header=self.header, blocks=blocks)

    def to_webvtt(self) -> str:
        parts = [self.header]
        for block in self.blocks:
            if isinstance(block, Cue):
                timing = f"{format_timestamp(block.start)} --> {format_timestamp(block.end)}"
                if block.settings:
                    timing = f"{timing} {block.settings}"
                lines = ([block.identifier] if block.identifier else []) + [timing]
                text = "\n".join(line for line in block.text.split("\n") if line.strip())
                parts.append("\n".join(lines + ([text] if text else [])))
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"


def format_timestamp(seconds: float) -> str:
    """00:01:02.500, as WebVTT writes it."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def parse_timestamp(value: str) -> float | None:
    """Seconds for "01:02.500" or "00:01:02.500" (a comma is taken too); None if neither."""
    match = re.fullmatch(_TIMESTAMP, value.strip().replace(",", "."))
    if not match:
        return None
    return _seconds(*match.groups())


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _cue_label(number: int, start: float | None = None) -> str:
    if start is None:
        return _("cue %(number)d") % {"number": number}
    return _("cue %(number)d at %(time)s") % {"number": number, "time": format_timestamp(start)}


def _raise(errors: list[ValidationError]) -> None:
    if errors:
        extra = len(errors) - MAX_REPORTED
        shown = errors[:MAX_REPORTED]
        if extra > 0:
            shown.append(
                ValidationError(
                    _("… and %(count)d more problems."), params={"count": extra}, code="more"
                )
            )
        raise ValidationError(shown)


# --- Reading ---------------------------------------------------------------------------------


def decode_caption_bytes(raw: bytes) -> str:
    """The text of an uploaded caption file: UTF-8 (a byte order mark is dropped), no
    control characters (a binary file). Raises ValidationError saying what is wrong."""
    if len(raw) > MAX_CAPTION_BYTES:
        raise ValidationError(_("The caption file is larger than 2 MB."), code="webvtt_size")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The caption file is not UTF-8 text (byte %(pos)d). Save it as UTF-8 WebVTT."),
            params={"pos": exc.start},
            code="webvtt_encoding",
        ) from exc
    text = text.removeprefix("\ufeff")
    bad = _CONTROL_RE.search(text)
    if bad:
        raise ValidationError(
            _(
                "The caption file holds a control character (line %(line)d): it is not a "
                "text file. Save it as UTF-8 WebVTT or SRT."
            ),
            params={"line": text.count("\n", 0, bad.start()) + 1},
            code="caption_binary",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_webvtt(text: str) -> CaptionFile:
    """Read WebVTT text. Raises ValidationError listing every problem that makes it not
    WebVTT (header, timing lines, a cue ending before it starts, no cues), each naming its
    line and, once known, its cue."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header = lines[0]
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(
            [
                ValidationError(
                    _('Line 1: a WebVTT file must start with "WEBVTT"; found "%(found)s".'),
                    params={"found": header[:40]},
                    code="webvtt_header",
                )
            ]
        )
    result = CaptionFile(header=header)
    errors: list[ValidationError] = []
    index = 1
    while index < len(lines) and lines[index].strip():  # the rest of the header block
        result.header += "\n" + lines[index]
        index += 1
    number = 0
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
            result.blocks.append("\n".join(block))
            continue
        number += 1
        timing_offset = 0 if "-->" in block[0] else 1
        if timing_offset >= len(block) or "-->" not in block[timing_offset]:
            where = min(timing_offset, len(block) - 1)
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)d (%(cue)s): expected a cue timing like "
                        '"00:00:01.000 --> 00:00:04.000"; found "%(found)s".'
                    ),
                    params={
                        "line": block_start + 1 + where,
                        "cue": _cue_label(number),
                        "found": block[where][:60],
                    },
                    code="webvtt_timing",
                )
            )
            continue
        timing_line = block[timing_offset].strip()
        line_no = block_start + 1 + timing_offset
        match = _TIMING_RE.match(timing_line)
        if not match:
            errors.append(
                ValidationError(
                    _(
                        'Line %(line)d (%(cue)s): the cue timing "%(found)s" is not valid; use '
                        '"hh:mm:ss.ttt --> hh:mm:ss.ttt" (hours optional, three-digit '
                        "milliseconds)."
                    ),
                    params={"line": line_no, "cue": _cue_label(number), "found": timing_line[:60]},
                    code="webvtt_timing",
                )
            )
            continue
        groups = match.groups()
        start, end = _seconds(*groups[0:4]), _seconds(*groups[4:8])
        text_lines = block[timing_offset + 1 :]
        for offset, text_line in enumerate(text_lines):
            if "-->" in text_line:
                errors.append(
                    ValidationError(
                        _(
                            "Line %(line)d (%(cue)s): a cue timing inside the cue's text; "
                            "put an empty line before each cue."
                        ),
                        params={
                            "line": line_no + 1 + offset,
                            "cue": _cue_label(number, start),
                        },
                        code="webvtt_timing",
                    )
                )
        result.blocks.append(
            Cue(
                number=number,
                start=start,
                end=end,
                text="\n".join(text_lines),
                identifier=block[0] if timing_offset else "",
                settings=(groups[8] or "").strip(),
                line=line_no,
            )
        )
    if not errors and not result.cues:
        errors.append(
            ValidationError(_("The file has a WebVTT header but no cues."), code="webvtt_empty")
        )
    errors.extend(_timing_errors(result.cues))
    _raise(errors)
    return result


def read_srt(text: str) -> CaptionFile:
    """Read SRT text into cues (to be written as WebVTT). Raises ValidationError naming the
    line of the first part that is not an SRT cue."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    try:
        for number, subtitle in enumerate(srt.parse(text), start=1):
            body = _ASS_OVERRIDE_RE.sub("", subtitle.content)
            cues.append(
                Cue(
                    number=number,
                    start=subtitle.start.total_seconds(),
                    end=subtitle.end.total_seconds(),
                    text="\n".join(line for line in body.split("\n") if line.strip()),
                )
            )
    except srt.SRTParseError as exc:
        found = " ".join(exc.unmatched_content.strip().split("\n")[:2])
        raise ValidationError(
            [
                ValidationError(
                    _(
                        "Line %(line)d (%(cue)s): not an SRT cue (a number, a timing like "
                        '"00:00:01,000 --> 00:00:04,000", then the text); found "%(found)s".'
                    ),
                    params={
                        "line": text.count("\n", 0, exc.expected_start) + 1,
                        "cue": _cue_label(len(cues) + 1),
                        "found": found[:80],
                    },
                    code="srt_format",
                )
            ]
        ) from exc
    except (ValueError, OverflowError) as exc:  # a timestamp srt matched but cannot convert
        raise ValidationError(
            [
                ValidationError(
                    _("%(cue)s: its timing cannot be read."),
                    params={"cue": _cue_label(len(cues) + 1).capitalize()},
                    code="srt_format",
                )
            ]
        ) from exc
    if not cues:
        raise ValidationError(
            [ValidationError(_("The SRT file has no cues."), code="webvtt_empty")]
        )
    result = CaptionFile(blocks=list(cues))
    _raise(_timing_errors(result.cues))
    return result


def read_caption_file(raw: bytes, name: str) -> CaptionFile:
    """An uploaded caption file, WebVTT or (by its name) SRT, read and checked for
    structure. Raises ValidationError with every problem found."""
    text = decode_caption_bytes(raw)
    if name.lower().endswith(".srt"):
        return read_srt(text)
    return read_webvtt(text)


def _timing_errors(cues: list[Cue]) -> list[ValidationError]:
    errors = []
    for cue in cues:
        if cue.end <= cue.start:
            errors.append(
                ValidationError(
                    _("%(where)s: the cue ends (%(end)s) before or when it starts (%(start)s)."),
                    params={
                        "where": _where(cue),
                        "start": format_timestamp(cue.start),
                        "end": format_timestamp(cue.end),
                    },
                    code="webvtt_order",
                )
            )
    return errors


def _where(cue: Cue) -> str:
    label = _cue_label(cue.number, cue.start)
    if cue.line:
        return _("Line %(line)d (%(cue)s)") % {"line": cue.line, "cue": label}
    return label[:1].upper() + label[1:]


# --- Checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptionProblem:
    """A warning about one cue, for the editor (it does not refuse the file)."""

    cue: Cue
    message: str


def check_cues(
    cues: list[Cue], *, duration: float | None = None, kind: str = "captions"
) -> tuple[list[ValidationError], list[CaptionProblem]]:
    """(errors, warnings) about cues already read. Errors: a cue that ends before it
    starts, one that ends after the video, one that overlaps the next (captions and
    subtitles: two would be shown at once). Warnings: text read faster than
    MAX_CHARACTERS_PER_SECOND, a line longer than MAX_LINE_CHARACTERS, more than
    MAX_LINES lines, a cue without text."""
    errors = _timing_errors(cues)
    warnings: list[CaptionProblem] = []
    ordered = sorted(cues, key=lambda c: (c.start, c.number))
    for cue in ordered:
        if duration is not None and cue.end > duration + DURATION_TOLERANCE:
            errors.append(
                ValidationError(
                    _("%(where)s: the cue ends at %(end)s, after the video (%(duration)s)."),
                    params={
                        "where": _where(cue),
                        "end": format_timestamp(cue.end),
                        "duration": format_timestamp(duration),
                    },
                    code="caption_beyond_video",
                )
            )
    if kind != DESCRIPTION_KIND:
        # Against the cue that ends last so far: a long cue can overlap several after it.
        before = None
        for after in ordered:
            if after.end <= after.start:
                continue  # already an error of its own
            if before is not None and after.start < before.end:
                errors.append(
                    ValidationError(
                        _(
                            "%(where)s: the cue starts before %(other)s has ended (%(end)s); "
                            "two cues would be shown at once."
                        ),
                        params={
                            "where": _where(after),
                            "other": _cue_label(before.number, before.start),
                            "end": format_timestamp(before.end),
                        },
                        code="caption_overlap",
                    )
                )
            if before is None or after.end > before.end:
                before = after
    for cue in cues:
        lines = [line for line in cue.plain_text.split("\n") if line.strip()]
        if not lines:
            warnings.append(CaptionProblem(cue, _("The cue has no text.")))
            continue
        if cue.end > cue.start and cue.characters_per_second > MAX_CHARACTERS_PER_SECOND:
            warnings.append(
                CaptionProblem(
                    cue,
                    _(
                        "%(cps).0f characters a second: hard to read in time (at most "
                        "%(max)d). Shorten the text or show it longer."
                    )
                    % {"cps": cue.characters_per_second, "max": MAX_CHARACTERS_PER_SECOND},
                )
            )
        long_lines = [line for line in lines if len(line.strip()) > MAX_LINE_CHARACTERS]
        if long_lines:
            warnings.append(
                CaptionProblem(
                    cue,
                    _("A line of %(length)d characters (at most %(max)d fit on a screen).")
                    % {
                        "length": max(len(line.strip()) for line in long_lines),
                        "max": MAX_LINE_CHARACTERS,
                    },
                )
            )
        if len(lines) > MAX_LINES:
            warnings.append(
                CaptionProblem(
                    cue,
                    _("%(count)d lines (at most %(max)d cover little of the picture).")
                    % {"count": len(lines), "max": MAX_LINES},
                )
            )
    return errors, warnings


def check_caption_file(
    raw: bytes, name: str, *, duration: float | None = None, kind: str = "captions"
) -> tuple[CaptionFile, list[CaptionProblem]]:
    """Read and check an uploaded file. Returns the file (as WebVTT, whatever it came as)
    and its warnings; raises ValidationError with every error, each naming its cue."""
    caption_file = read_caption_file(raw, name)
    errors, warnings = check_cues(caption_file.cues, duration=duration, kind=kind)
    _raise(errors)
    return caption_file, warnings


def format_problem(problem: CaptionProblem) -> str:
    label = _cue_label(problem.cue.number, problem.cue.start)
    return f"{label[:1].upper()}{label[1:]}: {problem.message}"


def digest(text: str) -> str:
    """A short fingerprint of a caption file, so an edit made on a copy since replaced is
    refused instead of undoing someone else's change."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- Which track plays, and the transcript ------------------------------------------------------


def default_caption_track(tracks):
    """The first track the editor set on; else, unless the editor set it off, the first
    track in the site's language (LANGUAGE_CODE, Swedish). None: all start off.
    Description tracks are never shown as captions."""
    tracks = [t for t in tracks if t.kind != DESCRIPTION_KIND]
    chosen = next((track for track in tracks if track.is_default is True), None)
    if chosen is not None:
        return chosen
    site_language = settings.LANGUAGE_CODE.split("-")[0]
    return next((t for t in tracks if t.language == site_language and t.is_default is None), None)
