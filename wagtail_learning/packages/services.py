"""The packages app's rules: storing a checked package, what a learner's runtime starts
from, and what its commits record. Completion is the engine's (lms.record_package_result);
this module reads the runtime's CMI data and hands the engine the result."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wagtail_learning.lms import api as lms

from .conf import limits
from .models import ContentPackage, PackageAttempt, UnitAttempt
from .vocabulary import Standard

logger = logging.getLogger(__name__)

__all__ = [
    "LaunchState",
    "Navigation",
    "create_package",
    "get_launch_state",
    "get_navigation",
    "record_commit",
    "rollup",
    "store_package",
    "visit_unit",
]

# Elements the runtime sends that are not kept for the next session: its time in this
# session (summed into total_time) and how it left (read back as `entry`).
_NOT_RESTORED_12 = {"session_time", "exit"}
_NOT_RESTORED_2004 = {"session_time", "exit"}


def store_package(instance: ContentPackage, package, archive, *, size: int) -> None:
    """Unpack a package that passed packages.manifests.read_package into a new folder of
    protected storage and describe it on `instance` (not saved). A replaced package's
    old folder is deleted once the new one is saved (packages.apps)."""
    storage = lms.protected_storage()
    instance.folder = ContentPackage.new_folder()
    written = []
    try:
        for path in package.files:
            with archive.open(path) as source:
                data = source.read(package.unpacked_bytes + 1)
            name = instance.storage_name(path)
            stored = storage.save(name, ContentFile(data))
            written.append(stored)
            if stored != name:  # the storage renamed it: the package would not find it
                raise RuntimeError(f"storage stored {name!r} as {stored!r}")
    except Exception:
        for name in written:
            storage.delete(name)
        raise
    instance.standard = package.standard
    instance.version = package.version
    instance.launch_path = package.launch_path
    instance.launch_query = package.launch_query
    instance.mastery_score = package.mastery_score
    instance.launch_data = package.launch_data
    instance.aus = package.aus
    instance.units = package.units
    instance.choice = package.choice
    instance.activity_id = package.activity_id
    instance.files = package.files
    instance.size_bytes = size
    instance.unpacked_bytes = package.unpacked_bytes
    if not instance.title:
        instance.title = package.title or _("Package")


def create_package(data: bytes, *, title: str = "", owner=None) -> ContentPackage:
    """A package from a zip's bytes, checked and stored as the admin form does (the demo,
    imports). Raises ValidationError saying what is wrong; nothing is stored then."""
    import io

    from .manifests import read_package

    package, archive = read_package(io.BytesIO(data))
    instance = ContentPackage(title=title, owner=owner)
    store_package(instance, package, archive, size=len(data))
    instance.save()
    return instance


def delete_package_files(package: ContentPackage, folder: str | None = None) -> None:
    """Delete a package's unpacked files (of `folder`, default its own)."""
    storage = lms.protected_storage()
    folder = folder or package.folder
    for path in package.files or ():
        storage.delete(f"packages/{folder}/{path}")


# --- Time ------------------------------------------------------------------------------

_TIME_12 = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$")
_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def _seconds(value: str, standard: str) -> float:
    """Seconds in a SCORM 1.2 timespan (HHHH:MM:SS.SS) or an ISO 8601 duration (2004)."""
    value = (value or "").strip()
    if standard == Standard.SCORM_12:
        match = _TIME_12.match(value)
        if not match:
            return 0.0
        hours, minutes, seconds, fraction = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + float(fraction or 0)
    match = _DURATION.match(value)
    if not match or value in ("P", "PT"):
        return 0.0
    years, months, days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return (
        years * 365 * 86400
        + months * 30 * 86400
        + days * 86400
        + hours * 3600
        + minutes * 60
        + seconds
    )


def _timespan_12(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:04d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _duration_2004(seconds: float) -> str:
    return f"PT{round(seconds, 2)}S"


# --- Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    completion_status: str
    success_status: str
    score: float | None  # percent

    @property
    def completed(self) -> bool:
        return self.completion_status == "completed"

    @property
    def passed(self) -> bool:
        return self.success_status == "passed"


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no score


def _result(cmi: dict, standard: str) -> Result:
    if standard == Standard.SCORM_12:
        core = cmi.get("core") or {}
        status = str(core.get("lesson_status") or "")
        score = core.get("score") or {}
        raw, low, high = (_number(score.get(k)) for k in ("raw", "min", "max"))
        percent = None
        if raw is not None:
            if high is not None and high > (low or 0):
                percent = (raw - (low or 0)) / (high - (low or 0)) * 100
            else:
                percent = raw  # SCORM 1.2 scores are 0-100 unless a range is given
        completion = "completed" if status in ("completed", "passed") else status
        success = status if status in ("passed", "failed") else "unknown"
        return Result(completion, success, _clamp(percent))
    score = cmi.get("score") or {}
    scaled = _number(score.get("scaled"))
    percent = scaled * 100 if scaled is not None else None
    if percent is None:
        raw, low, high = (_number(score.get(k)) for k in ("raw", "min", "max"))
        if raw is not None and high is not None and high > (low or 0):
            percent = (raw - (low or 0)) / (high - (low or 0)) * 100
    return Result(
        str(cmi.get("completion_status") or ""),
        str(cmi.get("success_status") or ""),
        _clamp(percent),
    )


def _clamp(percent: float | None) -> float | None:
    if percent is None:
        return None
    return round(min(max(percent, 0.0), 100.0), 2)


# --- Rollup (decision 0047) -----------------------------------------------------------

# What a learner sees for a unit in the table of contents.
NOT_STARTED, INCOMPLETE, COMPLETED, PASSED, FAILED = (
    "not_started", "incomplete", "completed", "passed", "failed",
)  # fmt: skip


def _finished(unit: dict, record: UnitAttempt | None) -> bool:
    """A unit the learner has finished: an asset once launched; a SCO or AU completed or
    with a success status (passed or failed)."""
    if record is None:
        return False
    if unit.get("kind") == "asset":
        return True
    return record.completion_status == "completed" or record.success_status in (
        "passed",
        "failed",
    )


def unit_status(unit: dict, record: UnitAttempt | None) -> str:
    if record is None:
        return NOT_STARTED
    if record.success_status in (PASSED, FAILED):
        return record.success_status
    if unit.get("kind") == "asset" or record.completion_status == "completed":
        return COMPLETED
    return INCOMPLETE


def rollup(units: list[dict], records: dict[str, UnitAttempt]) -> Result:
    """The package's result from its SCORM units' (decision 0047, docs/packages.md):
    completed when every unit is (an asset once launched); passed when every unit is
    finished and every unit that reports a success status or has a mastery score has
    passed (at least one); failed as soon as one has failed; the score is the mean of the
    units' scores, given once every SCO has reported a score or finished."""
    scos = [u for u in units if u.get("kind") != "asset"]
    got = [records.get(u["id"]) for u in units]
    completed = bool(units) and all(
        r is not None and (u.get("kind") == "asset" or r.completion_status == "completed")
        for u, r in zip(units, got, strict=True)
    )
    judged = [
        (u, records.get(u["id"]))
        for u in scos
        if u.get("mastery_score") is not None
        or (records.get(u["id"]) and records[u["id"]].success_status in ("passed", "failed"))
    ]
    if any(r is not None and r.success_status == "failed" for _u, r in judged):
        success = "failed"
    elif (
        judged
        and all(r is not None and r.success_status == "passed" for _u, r in judged)
        and all(_finished(u, r) for u, r in zip(units, got, strict=True))
    ):
        success = "passed"
    else:
        success = "unknown"
    scores = [records[u["id"]].score for u in scos if records.get(u["id"]) is not None]
    scores = [score for score in scores if score is not None]
    ready = all(
        (r := records.get(u["id"])) is not None and (r.score is not None or _finished(u, r))
        for u in scos
    )
    score = round(sum(scores) / len(scores), 2) if scores and ready else None
    started = any(r is not None for r in got)
    completion = "completed" if completed else ("incomplete" if started else "")
    return Result(completion, success, score)


def _records(attempt: PackageAttempt | None) -> dict[str, UnitAttempt]:
    if attempt is None or attempt.pk is None:
        return {}
    return {record.unit_id: record for record in attempt.units.all()}


def _apply_rollup(attempt: PackageAttempt, package: ContentPackage, module, *, now=None) -> None:
    """Write the package's result on the attempt and hand it to the engine (in the
    caller's transaction, the attempt locked)."""
    records = _records(attempt)
    result = rollup(package.units, records)
    attempt.completion_status = result.completion_status[:32]
    attempt.success_status = result.success_status[:32]
    if result.score is not None:
        attempt.score = result.score
    attempt.total_seconds = sum(r.total_seconds for r in records.values())
    attempt.save()
    lms.record_package_result(
        attempt.user,
        module=module,
        step_id=attempt.step_id,
        completed=result.completed,
        passed=result.passed,
        score=result.score,
        now=now,
    )


# --- Launch ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchState:
    """What the player starts the runtime with: the CMI tree to load (the learner's last
    commit with the read-only elements the platform sets) and whether it is a resume."""

    standard: str
    cmi: dict
    resumed: bool


def _learner_name(user) -> str:
    last, first = (user.last_name or "").strip(), (user.first_name or "").strip()
    if last and first:
        return f"{last}, {first}"
    return last or first or user.get_username()


def _find_attempt(user, *, module, step_id, package, cycle) -> PackageAttempt | None:
    if cycle is None or not user.is_authenticated:
        return None
    return PackageAttempt.objects.filter(
        user=user, module_id=module.pk, step_id=step_id, cycle=cycle, package=package
    ).first()


def get_launch_state(
    user,
    *,
    module,
    step_id: str,
    package: ContentPackage,
    cycle: int | None,
    unit: dict | None = None,
) -> LaunchState:
    """The CMI tree the runtime starts a unit (default the first) from for this learner,
    step and cycle (a new cycle, or a package replaced in the step, starts clean). `cycle`
    None: an editor's preview, which starts clean and records nothing."""
    unit = unit or package.unit(None) or {}
    attempt = _find_attempt(user, module=module, step_id=step_id, package=package, cycle=cycle)
    record = _records(attempt).get(unit.get("id", ""))
    stored = dict(record.cmi) if record is not None else {}
    seconds = record.total_seconds if record is not None else 0
    learner_id = str(user.pk) if user.is_authenticated else "preview"
    name = _learner_name(user) if user.is_authenticated else _("Preview")
    standard = package.standard
    launch_data = unit.get("launch_data", package.launch_data) or ""
    mastery_score = unit.get("mastery_score", package.mastery_score)
    if standard == Standard.SCORM_12:
        core = dict(stored.get("core") or {})
        suspended = core.get("exit") == "suspend"
        for key in _NOT_RESTORED_12:
            core.pop(key, None)
        core.update(
            student_id=learner_id,
            student_name=name,
            credit="credit",
            lesson_mode="normal",
            entry="resume" if suspended else ("ab-initio" if record is None else ""),
            total_time=_timespan_12(seconds),
        )
        core.setdefault("lesson_status", "not attempted")
        cmi = {key: value for key, value in stored.items() if key not in ("core", "interactions")}
        cmi["core"] = core
        cmi["launch_data"] = launch_data
        student_data = dict(cmi.get("student_data") or {})
        if mastery_score is not None:
            student_data["mastery_score"] = f"{mastery_score:g}"
        cmi["student_data"] = student_data
        return LaunchState(standard, cmi, suspended)
    suspended = stored.get("exit") == "suspend"
    cmi = {
        key: value
        for key, value in stored.items()
        if key not in _NOT_RESTORED_2004 and key != "interactions"
    }
    cmi.update(
        learner_id=learner_id,
        learner_name=name,
        credit="credit",
        mode="normal",
        entry="resume" if suspended else ("ab-initio" if record is None else ""),
        total_time=_duration_2004(seconds),
        launch_data=launch_data,
    )
    return LaunchState(standard, cmi, suspended)


# --- Navigation between units ------------------------------------------------------------


@dataclass(frozen=True)
class Navigation:
    """The step's table of contents: each unit with its status and whether the learner
    may open it now, the unit to play, and the ones before and after it."""

    entries: list[dict]  # {unit, status, allowed, current}
    current: dict
    previous: dict | None
    next: dict | None
    choice: bool


def get_navigation(
    user, *, module, step_id: str, package: ContentPackage, cycle: int | None, requested=None
) -> Navigation:
    """Which unit the step page plays: the one asked for when the learner may open it,
    else the one they last visited, else the first. With choice (every SCORM 1.2 and cmi5
    package, SCORM 2004 unless controlMode choice="false") any unit may be opened; in flow
    only, the units up to the first one not finished."""
    units = list(package.units or [])
    attempt = _find_attempt(user, module=module, step_id=step_id, package=package, cycle=cycle)
    records = _records(attempt)
    limit = len(units)
    if not package.choice:
        limit = next(
            (i for i, u in enumerate(units) if not _finished(u, records.get(u["id"]))),
            len(units) - 1,
        )
    allowed_ids = [u["id"] for u in units[: limit + 1]]
    current_id = next(
        (
            candidate
            for candidate in (requested, attempt.current_unit if attempt else None)
            if candidate in allowed_ids
        ),
        None,
    )
    if current_id is None:  # flow: the first unit not finished; choice: the first
        current_id = allowed_ids[-1] if not package.choice and allowed_ids else units[0]["id"]
    index = next(i for i, u in enumerate(units) if u["id"] == current_id)
    entries = [
        {
            "unit": unit,
            "status": unit_status(unit, records.get(unit["id"])),
            "allowed": unit["id"] in allowed_ids,
            "current": unit["id"] == current_id,
        }
        for unit in units
    ]
    previous = units[index - 1] if index > 0 else None
    following = units[index + 1] if index + 1 < len(units) else None
    if following is not None and following["id"] not in allowed_ids:
        following = None
    return Navigation(entries, units[index], previous, following, package.choice)


def _attempt(user, module, step_id: str, cycle: int, package: ContentPackage) -> PackageAttempt:
    locked = PackageAttempt.objects.select_for_update().filter(
        user=user, module_id=module.pk, step_id=step_id, cycle=cycle
    )
    attempt = locked.first()
    if attempt is None:
        try:
            with transaction.atomic():
                PackageAttempt.objects.create(
                    user=user, module_id=module.pk, step_id=step_id, cycle=cycle, package=package
                )
        except IntegrityError:
            pass  # a concurrent commit created it; lock theirs
        attempt = locked.get()
    if attempt.package_id != package.pk:  # the editor chose another package: start clean
        attempt.package = package
        attempt.cmi = {}
        attempt.current_unit = ""
        attempt.total_seconds = 0
        attempt.completion_status = attempt.success_status = ""
        attempt.score = None
        attempt.units.all().delete()
    return attempt


def visit_unit(user, *, module, step_id: str, package: ContentPackage, unit: dict) -> None:
    """The learner opened a unit in the step page: reopening the step starts there; an
    asset (no runtime to report) counts as completed once launched."""
    decision = lms.require_learner_access(user=user, module=module)
    with transaction.atomic():
        attempt = _attempt(user, module, step_id, decision.cycle, package)
        attempt.current_unit = unit["id"]
        if unit.get("kind") == "asset":
            UnitAttempt.objects.get_or_create(
                attempt=attempt, unit_id=unit["id"], defaults={"completion_status": "completed"}
            )
            _apply_rollup(attempt, package, module)
        else:
            attempt.save()


# --- Commits -------------------------------------------------------------------------------


def parse_commit(body: bytes) -> dict:
    """The CMI tree of a runtime's commit body (JSON, as scorm-again posts it, or the same
    text from sendBeacon). Raises lms.InvalidInput."""
    if len(body) > limits.max_commit_bytes():
        raise lms.InvalidInput(_("The package's data is larger than the platform keeps."))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise lms.InvalidInput(_("The package's data is not JSON.")) from exc
    cmi = data.get("cmi") if isinstance(data, dict) else None
    if not isinstance(cmi, dict):
        raise lms.InvalidInput(_("The package's data has no CMI tree."))
    if "\x00" in json.dumps(cmi):  # PostgreSQL's JSON keeps no NUL
        raise lms.InvalidInput(_("The package's data holds a NUL character."))
    return cmi


def record_commit(
    user,
    *,
    module,
    step_id: str,
    package: ContentPackage,
    cmi: dict,
    unit_id: str | None = None,
    now: datetime | None = None,
) -> UnitAttempt:
    """Keep what a unit's runtime committed for the learner (whole: suspend_data is never
    cut) and the time spent, roll the units up and hand the package's result to the
    engine, which completes the step when it meets the editor's rule. Atomic, safe to
    repeat; commits for two units arriving together both land (the attempt is locked).
    `unit_id` None: the first unit (a page from before units).
    Raises lms.AccessDenied, lms.NotFound, lms.InvalidInput."""
    decision = lms.require_learner_access(user=user, module=module)
    unit = package.unit(unit_id)
    if unit is None or unit.get("kind") not in ("sco", "asset"):
        raise lms.InvalidInput(
            _("The package has no unit %(unit)s: nothing was saved.") % {"unit": unit_id}
        )
    standard = package.standard
    core = cmi.get("core") if standard == Standard.SCORM_12 else cmi
    if not isinstance(core, dict):
        raise lms.InvalidInput(_("The package's data has no CMI tree."))
    session = _seconds(str(core.get("session_time") or ""), standard)
    result = _result(cmi, standard)
    with transaction.atomic():
        attempt = _attempt(user, module, step_id, decision.cycle, package)
        record, _created = UnitAttempt.objects.get_or_create(attempt=attempt, unit_id=unit["id"])
        # The runtime reports the total as the total it was started with (ours, at launch)
        # plus the running session: the largest seen is the time spent, counted once
        # however often it commits.
        total = _seconds(str(core.get("total_time") or ""), standard)
        record.total_seconds = max(record.total_seconds, total)
        if session:
            record.last_session_seconds = attempt.last_session_seconds = session
        kept = json.loads(json.dumps(cmi))
        kept_core = kept.get("core") if standard == Standard.SCORM_12 else kept
        # The platform sets these at each launch; the row names its person already.
        for owned in (
            "session_time",
            "total_time",
            "student_id",
            "student_name",
            "learner_id",
            "learner_name",
        ):
            kept_core.pop(owned, None)
        record.cmi = kept
        record.completion_status = result.completion_status[:32]
        record.success_status = result.success_status[:32]
        if result.score is not None:
            record.score = result.score
        record.commits += 1
        record.save()
        attempt.commits += 1
        if not attempt.current_unit:
            attempt.current_unit = unit["id"]
        _apply_rollup(attempt, package, module, now=now)
    return record
