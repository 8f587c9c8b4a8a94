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
from .models import ContentPackage, PackageAttempt
from .vocabulary import Standard

logger = logging.getLogger(__name__)

__all__ = [
    "LaunchState",
    "create_package",
    "get_launch_state",
    "record_commit",
    "store_package",
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


def get_launch_state(
    user, *, module, step_id: str, package: ContentPackage, cycle: int | None
) -> LaunchState:
    """The CMI tree the runtime starts from for this learner, step and cycle (a new cycle,
    or a package replaced in the step, starts clean). `cycle` None: an editor's preview,
    which starts clean and records nothing."""
    attempt = None
    if cycle is not None and user.is_authenticated:
        attempt = PackageAttempt.objects.filter(
            user=user, module_id=module.pk, step_id=step_id, cycle=cycle, package=package
        ).first()
    stored = dict(attempt.cmi) if attempt is not None else {}
    learner_id = str(user.pk) if user.is_authenticated else "preview"
    name = _learner_name(user) if user.is_authenticated else _("Preview")
    standard = package.standard
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
            entry="resume" if suspended else ("ab-initio" if attempt is None else ""),
            total_time=_timespan_12(attempt.total_seconds if attempt else 0),
        )
        core.setdefault("lesson_status", "not attempted")
        cmi = {key: value for key, value in stored.items() if key not in ("core", "interactions")}
        cmi["core"] = core
        cmi["launch_data"] = package.launch_data
        student_data = dict(cmi.get("student_data") or {})
        if package.mastery_score is not None:
            student_data["mastery_score"] = f"{package.mastery_score:g}"
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
        entry="resume" if suspended else ("ab-initio" if attempt is None else ""),
        total_time=_duration_2004(attempt.total_seconds if attempt else 0),
        launch_data=package.launch_data,
    )
    return LaunchState(standard, cmi, suspended)


# --- Commits -------------------------------------------------------------------------------


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
        attempt.total_seconds = 0
        attempt.completion_status = attempt.success_status = ""
        attempt.score = None
    return attempt


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
    user, *, module, step_id: str, package: ContentPackage, cmi: dict, now: datetime | None = None
) -> PackageAttempt:
    """Keep what the runtime committed for the learner (whole: suspend_data is never cut),
    keep the time spent, and hand the result to the engine, which completes the step when
    it meets the editor's rule. Atomic, safe to repeat.
    Raises lms.AccessDenied, lms.NotFound, lms.InvalidInput."""
    decision = lms.require_learner_access(user=user, module=module)
    standard = package.standard
    core = cmi.get("core") if standard == Standard.SCORM_12 else cmi
    if not isinstance(core, dict):
        raise lms.InvalidInput(_("The package's data has no CMI tree."))
    session = _seconds(str(core.get("session_time") or ""), standard)
    result = _result(cmi, standard)
    with transaction.atomic():
        attempt = _attempt(user, module, step_id, decision.cycle, package)
        # The runtime reports the total as the total it was started with (ours, at launch)
        # plus the running session: the largest seen is the time spent, counted once
        # however often it commits.
        total = _seconds(str(core.get("total_time") or ""), standard)
        attempt.total_seconds = max(attempt.total_seconds, total)
        if session:
            attempt.last_session_seconds = session
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
        attempt.cmi = kept
        attempt.completion_status = result.completion_status[:32]
        attempt.success_status = result.success_status[:32]
        if result.score is not None:
            attempt.score = result.score
        attempt.commits += 1
        attempt.save()
        lms.record_package_result(
            user,
            module=module,
            step_id=step_id,
            completed=result.completed,
            passed=result.passed,
            score=result.score,
            now=now,
        )
    return attempt
