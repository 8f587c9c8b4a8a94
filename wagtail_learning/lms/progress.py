"""Recording what a learner does in a step: watching, reading, opening, reflecting."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning import defaults

from .access import (
    check_learner_access_in_one_query,
    find_progress_with_learner_access,
    require_learner_access,
    require_module_access,
)
from .completion import complete_progress
from .errors import InvalidInput, NotFound
from .models import StepProgress
from .protocols import LearningModule, StepSpec
from .snapshots import get_live_module, get_module_snapshot
from .tracking import credit_ranges, merge_ranges, rewatched_ranges, total_length
from .vocabulary import PackageRule

__all__ = [
    "WatchResult",
    "complete_step",
    "get_step_spec",
    "record_document_opened",
    "record_heartbeat",
    "record_live_attendance",
    "record_package_result",
    "record_watch",
    "save_reflection",
]

# The credit clock starts this far behind the first beat (the player beats at once when
# play starts, so little has been played before it).
FIRST_BEAT_SECONDS = 2.0
# Network jitter allowance, in seconds of wall time, on top of the time since the clock.
BEAT_TOLERANCE_SECONDS = 1.0
# Idle time does not bank credit beyond this: after a long pause a forged range can earn
# at most this much wall time (x rate), however long the learner was away.
MAX_BANKED_SECONDS = 60.0
MAX_SESSIONS_KEPT = 20
MAX_RANGES_PER_BEAT = 200
# Steps completed by watching a video: a lecture, or a live session's recording.
WATCHED_KINDS = ("lecture", "live_session")


@dataclass(frozen=True)
class WatchResult:
    watched_seconds: float
    watched_share: float
    position: float
    credited_seconds: float
    completed: bool
    ignored: bool = False
    # The union credited so far: the player shows this, never more (plus what it has
    # played since its last beat reached the server).
    watched_ranges: tuple[tuple[float, float], ...] = ()


def get_step_spec(module: LearningModule, step_id: str, kind: str | None = None) -> StepSpec:
    """The step of `module` with this id (and kind); raises NotFound."""
    for spec in module.get_lms_steps():
        if spec.step_id == step_id and (kind is None or spec.kind == kind):
            return spec
    raise NotFound(_("This module has no such step."))


def _locked_progress(user, module_id: int, spec: StepSpec, cycle: int) -> StepProgress:
    """The learner's row for the step in this cycle, created if needed, locked for this
    transaction."""
    locked = StepProgress.objects.select_for_update().filter(
        user=user, module_id=module_id, step_id=spec.step_id, cycle=cycle
    )
    progress = locked.first()
    if progress is None:
        try:
            with transaction.atomic():
                StepProgress.objects.create(
                    user=user,
                    module_id=module_id,
                    step_id=spec.step_id,
                    kind=spec.kind,
                    cycle=cycle,
                )
        except IntegrityError:
            pass  # created by a concurrent request; lock theirs
        progress = locked.get()
    return progress


def _check_beat(ranges, position: float, spec: StepSpec, media_duration: float | None) -> float:
    """Validate a beat; returns the lecture's duration to credit against."""
    if len(ranges) > MAX_RANGES_PER_BEAT:
        raise InvalidInput(_("Too many ranges in one heartbeat."))
    for start, end in ranges:
        # Written so that NaN fails too (it compares false with everything, and min/max
        # would otherwise clip a NaN range to the whole lecture).
        if not 0 <= start <= end < math.inf:
            raise InvalidInput(_("Each range must be [start, end] with 0 <= start <= end."))
    if not 0 <= position < math.inf:
        raise InvalidInput(_("The position must be a number of seconds."))
    duration = float(spec.duration_seconds or 0)
    if media_duration and duration:
        # The file may be slightly shorter than the duration typed in by the editor; trust
        # the player's figure only within 95-100 % of it, so it cannot shrink the lecture.
        duration = min(duration, max(float(media_duration), 0.95 * duration))
    if duration <= 0:
        raise InvalidInput(_("This lecture has no duration set."))
    return duration


def _apply_beat(
    progress: StepProgress,
    *,
    session_id: str,
    seq: int,
    ranges,
    position: float,
    duration: float,
    now: datetime,
) -> float | None:
    """Apply one beat to the row in memory (not saved): the credit clock, the union, the
    position, the session's sequence number. Returns the seconds credited, or None when
    the beat adds nothing (the row is left as it was).

    A beat that arrives after a later one of its session (seq not above the last) still
    carries real watching: the browser sends `pause` (the last segment) and `ended` at
    once, in either order. Its ranges join the union under the same credit clock, so a
    repeat credits nothing; only the position and the sequence number stay the later
    beat's. A late beat with nothing new is ignored, as a repeat is."""
    sessions = dict(progress.playback_sessions or {})
    previous = sessions.get(session_id)
    late = previous is not None and seq <= previous["seq"]
    rate = defaults.value("LMS_MAX_PLAYBACK_RATE")
    now_ts = now.timestamp()
    clock = progress.credit_clock
    if clock is None:
        clock = now_ts - FIRST_BEAT_SECONDS
    clock = max(clock, now_ts - MAX_BANKED_SECONDS)
    budget = max(0.0, now_ts + BEAT_TOLERANCE_SECONDS - clock) * rate
    union, credited = credit_ranges(
        progress.watched_ranges, ranges, budget_seconds=budget, duration=duration
    )
    if late and credited <= 0:
        return None
    again = rewatched_ranges(
        progress.watched_ranges, ranges, budget_seconds=budget - credited, duration=duration
    )
    if again:
        progress.rewatched_ranges = [
            [round(a, 3), round(b, 3)]
            for a, b in merge_ranges([*(progress.rewatched_ranges or []), *again])
        ]
    progress.credit_clock = clock + credited / rate
    if not late:
        sessions[session_id] = {"seq": seq, "t": now.timestamp()}
        if len(sessions) > MAX_SESSIONS_KEPT:
            newest = sorted(sessions.items(), key=lambda item: item[1]["t"])
            sessions = dict(newest[-MAX_SESSIONS_KEPT:])
        progress.position_seconds = round(min(max(float(position), 0.0), duration), 3)
        progress.playback_sessions = sessions
    progress.watched_ranges = [[round(a, 3), round(b, 3)] for a, b in union]
    progress.watched_seconds = round(total_length(union), 3)
    progress.duration_seconds = duration
    progress.watch_version += 1
    return credited


def _result(progress: StepProgress, credited: float | None) -> WatchResult:
    return WatchResult(
        progress.watched_seconds,
        progress.watched_share,
        progress.position_seconds,
        credited or 0.0,
        progress.completed_at is not None,
        ignored=credited is None,
        watched_ranges=tuple((a, b) for a, b in progress.watched_ranges or ()),
    )


_WATCH_FIELDS = (
    "watched_ranges",
    "rewatched_ranges",
    "watched_seconds",
    "duration_seconds",
    "position_seconds",
    "playback_sessions",
    "credit_clock",
    "watch_version",
)


def _watch(
    user,
    *,
    module_id: int,
    load_module: Callable[[], LearningModule],
    spec: StepSpec,
    cycle: int,
    session_id: str,
    seq: int,
    ranges,
    position: float,
    media_duration: float | None,
    now: datetime | None,
    progress: StepProgress | None = None,
) -> WatchResult:
    """record_watch once access is decided. Most beats cost two statements: read the row
    (none when the caller read it already: `progress`), then one UPDATE that applies only
    if no other beat wrote the row in between. The first beat (no row yet), a beat that
    completes the step, and a beat that lost that race go the careful way: one transaction
    holding the row lock, as every other step write."""
    duration = _check_beat(ranges, position, spec, media_duration)
    now = now or timezone.now()
    required = (spec.required_share or 1.0) * duration
    beat = {
        "session_id": session_id,
        "seq": seq,
        "ranges": ranges,
        "position": position,
        "duration": duration,
        "now": now,
    }
    if progress is None:
        key = {"user": user, "module_id": module_id, "step_id": spec.step_id, "cycle": cycle}
        progress = StepProgress.objects.filter(**key).first()
    if progress is not None:
        seen = progress.watch_version
        credited = _apply_beat(progress, **beat)
        if credited is None:
            return _result(progress, None)
        completes = progress.completed_at is None and progress.watched_seconds >= required - 0.01
        if not completes:
            written = StepProgress.objects.filter(pk=progress.pk, watch_version=seen).update(
                updated_at=timezone.now(),
                **{name: getattr(progress, name) for name in _WATCH_FIELDS},
            )
            if written:
                return _result(progress, credited)
    with transaction.atomic():
        progress = _locked_progress(user, module_id, spec, cycle)
        credited = _apply_beat(progress, **beat)
        if credited is None:
            return _result(progress, None)
        progress.save()
        if progress.completed_at is None and progress.watched_seconds >= required - 0.01:
            complete_progress(progress, module=load_module(), now=now)
    return _result(progress, credited)


def record_watch(
    user,
    *,
    module: LearningModule,
    step_id: str,
    session_id: str,
    seq: int,
    ranges: list[tuple[float, float]],
    position: float,
    media_duration: float | None = None,
    now: datetime | None = None,
) -> WatchResult:
    """Record a heartbeat from the lecture player. Atomic; safe to repeat.

    Merges the played ranges into the union of watched seconds, crediting no more new
    time than the wall clock allows at the fastest playback rate. The allowance is one
    credit clock per learner and step, shared by every tab and playback session, so new
    session ids or bursts of beats earn nothing extra. A beat out of order (seq not above
    the session's last) adds its ranges but moves neither the position nor the sequence;
    one that adds nothing (a repeat) is ignored.
    Completes the step once the union reaches the step's required share.
    Raises AccessDenied, NotFound, InvalidInput.
    """
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id)
    if spec.kind not in WATCHED_KINDS:
        raise NotFound(_("This module has no such step."))
    return _watch(
        user,
        module_id=module.pk,
        load_module=lambda: module,
        spec=spec,
        cycle=decision.cycle,
        session_id=session_id,
        seq=seq,
        ranges=ranges,
        position=position,
        media_duration=media_duration,
        now=now,
    )


def record_heartbeat(
    user,
    *,
    module_id: int,
    step_id: str,
    session_id: str,
    seq: int,
    ranges: list[tuple[float, float]],
    position: float,
    media_duration: float | None = None,
    now: datetime | None = None,
) -> WatchResult:
    """`record_watch` for the heartbeat endpoint, by module id, at the fewest queries.

    The module comes from its snapshot (lms.snapshots; no query when cached); the progress
    row and access from one query (`find_progress_with_learner_access`), then one UPDATE.
    Without a row yet (the first beat, a new cycle), access is checked in one query
    (`check_learner_access_in_one_query`) and the row created under its lock. When neither
    can decide (no snapshot, not enrolled, locked, the page changed) this is exactly
    `record_watch` on the live page. The same guarantees: atomic, safe to repeat, the
    credit clock. Raises AccessDenied, NotFound, InvalidInput.
    """
    beat = {
        "session_id": session_id,
        "seq": seq,
        "ranges": ranges,
        "position": position,
        "media_duration": media_duration,
        "now": now,
    }
    snapshot = get_module_snapshot(module_id)
    spec = snapshot.step(step_id, "lecture") if snapshot is not None else None
    decision, progress = None, None
    if spec is not None:
        found = find_progress_with_learner_access(
            user=user, snapshot=snapshot, step_id=step_id, now=now
        )
        if found is not None:
            decision, progress = found
        else:
            decision = check_learner_access_in_one_query(user=user, snapshot=snapshot, now=now)
    if decision is None:
        return record_watch(user, module=get_live_module(module_id), step_id=step_id, **beat)
    return _watch(
        user,
        module_id=module_id,
        load_module=lambda: get_live_module(module_id),
        spec=spec,
        cycle=decision.cycle,
        progress=progress,
        **beat,
    )


def complete_step(
    user, *, module: LearningModule, step_id: str, now: datetime | None = None
) -> bool:
    """Complete a reading step ("mark as done"). Idempotent.

    Other steps complete through their own functions (a document when it is opened, a
    lecture when watched, ...); asking for them here raises InvalidInput. Returns True when
    this call completed the step.
    """
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id)
    if spec.kind != "reading":
        raise InvalidInput(_("This step completes by itself when its work is done."))
    with transaction.atomic():
        progress = _locked_progress(user, module.pk, spec, decision.cycle)
        return complete_progress(progress, module=module, now=now)


def record_live_attendance(
    user, *, module: LearningModule, step_id: str, now: datetime | None = None
) -> bool:
    """A live-session step completes when the person attended the session live. Only the
    server calls this, when the events app has recorded the attendance (never a learner's
    own request: the JSON API has no route to it). Returns True when this call completed it.
    Raises AccessDenied (not enrolled, locked), NotFound."""
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id, "live_session")
    with transaction.atomic():
        progress = _locked_progress(user, module.pk, spec, decision.cycle)
        return complete_progress(progress, module=module, now=now)


def record_document_opened(
    user, *, module: LearningModule, step_id: str, now: datetime | None = None
) -> bool:
    """A document step completes when the learner opens the document through the module.
    Editors viewing a module are not recorded. Returns True when this call completed it."""
    decision = require_module_access(user=user, module=module)
    if decision.as_editor:
        return False
    spec = get_step_spec(module, step_id, "document")
    with transaction.atomic():
        progress = _locked_progress(user, module.pk, spec, decision.cycle)
        return complete_progress(progress, module=module, now=now)


def save_reflection(
    user, *, module: LearningModule, step_id: str, answer: str, now: datetime | None = None
) -> StepProgress:
    """Store (or replace) the learner's reflection; submitting one completes the step.
    Raises InvalidInput when the answer is shorter than the step asks for."""
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id, "reflection")
    answer = (answer or "").strip()
    if not answer or len(answer) < spec.min_length:
        raise InvalidInput(
            _("Write at least %(count)d characters (you wrote %(length)d).")
            % {"count": max(spec.min_length, 1), "length": len(answer)}
        )
    if len(answer) > 20000:
        raise InvalidInput(_("The reflection is longer than 20 000 characters."))
    if "\x00" in answer:  # PostgreSQL stores no NUL character; a paste can carry one
        raise InvalidInput(_("The text holds a NUL character, which cannot be saved. Remove it."))
    with transaction.atomic():
        progress = _locked_progress(user, module.pk, spec, decision.cycle)
        progress.answer = answer
        progress.save(update_fields=["answer", "updated_at"])
        complete_progress(progress, module=module, now=now)
    return progress


def record_package_result(
    user,
    *,
    module: LearningModule,
    step_id: str,
    completed: bool,
    passed: bool,
    score: float | None,
    now: datetime | None = None,
) -> bool:
    """What a package (SCORM, cmi5) reported for a learner: completes the step when it
    meets the rule the editor chose (`StepSpec.package_rule`); the best score is kept.
    Atomic, safe to repeat; a completed step stays completed. Editors viewing a module are
    not recorded. Returns True when this call completed the step.
    Raises AccessDenied (not enrolled, locked), NotFound."""
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id, "package")
    rule = PackageRule(spec.package_rule or PackageRule.COMPLETED)
    with transaction.atomic():
        progress = _locked_progress(user, module.pk, spec, decision.cycle)
        if score is not None and (progress.best_score is None or score > progress.best_score):
            progress.best_score = score
            progress.save(update_fields=["best_score", "updated_at"])
        met = rule.is_met(
            completed=completed, passed=passed, score=score, min_score=spec.min_score
        )
        if not met:
            return False
        return complete_progress(progress, module=module, now=now)
