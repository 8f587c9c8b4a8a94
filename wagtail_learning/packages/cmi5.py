"""The LMS side of cmi5: the launch (parameters and a one-time auth-token fetch URL) and a
small same-origin LRS endpoint for the AU, which checks the token and the learner, keeps
the AU's state documents and reads its statements for the moveOn rule.

Only what an AU needs from its LMS: statements are read for their verbs and result, not
kept as an LRS would keep them (the platform's own xAPI statements go out through the
outbox of issue 23's xAPI part)."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from wagtail_learning.lms import api as lms

from .models import Cmi5Launch, ContentPackage, PackageAttempt, UnitAttempt

__all__ = ["launch_url", "fetch_token", "lrs"]

VERBS = "http://adlnet.gov/expapi/verbs/"
COMPLETED, PASSED, FAILED = VERBS + "completed", VERBS + "passed", VERBS + "failed"
TERMINATED = VERBS + "terminated"
LAUNCHED = VERBS + "launched"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
ABANDONED = "https://w3id.org/xapi/adl/verbs/abandoned"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MOVE_ON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXTENSIONS = "https://w3id.org/xapi/cmi5/context/extensions/"
LAUNCH_MODE, LAUNCH_URL = EXTENSIONS + "launchmode", EXTENSIONS + "launchurl"
MOVE_ON, PUBLISHER_ID = EXTENSIONS + "moveon", EXTENSIONS + "publisherid"
LAUNCH_PARAMETERS, MASTERY_SCORE = EXTENSIONS + "launchparameters", EXTENSIONS + "masteryscore"
XAPI_VERSION = "1.0.3"
MAX_BODY = 1024 * 1024


def _attempt(user, module, step_id: str, cycle: int, package: ContentPackage) -> PackageAttempt:
    attempt, _created = PackageAttempt.objects.get_or_create(
        user=user, module_id=module.pk, step_id=step_id, cycle=cycle,
        defaults={"package": package, "cmi": {"registration": str(uuid.uuid4())}},
    )  # fmt: skip
    if attempt.package_id != package.pk or "registration" not in attempt.cmi:
        attempt.package = package
        attempt.cmi = {"registration": str(uuid.uuid4())}
        attempt.save()
    return attempt


def actor_of(request, user) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": request.build_absolute_uri("/"), "name": str(user.pk)},
    }


def _au_index(package: ContentPackage, unit: dict | None) -> int:
    if unit is None:
        return 0
    return next((i for i, au in enumerate(package.aus) if au["id"] == unit["id"]), 0)


def _lms_statement(request, attempt, verb: str, display: str, object_id: str, **extra) -> dict:
    """A statement the LMS itself makes in the learner's registration (cmi5 9.6)."""
    from django.utils import timezone

    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor_of(request, attempt.user),
        "verb": {"id": verb, "display": {"en-US": display}},
        "object": {"id": object_id, "objectType": "Activity"},
        "context": {
            "registration": attempt.cmi["registration"],
            "contextActivities": {"category": [{"id": CMI5_CATEGORY}]},
            **extra.pop("context", {}),
        },
        "timestamp": timezone.now().isoformat(),
        **extra,
    }
    return statement


def _record_lms_statement(attempt, statement: dict) -> None:
    """Kept with the attempt (the platform's own record of what it said about the
    registration); the caller saves the attempt."""
    attempt.cmi = {**attempt.cmi, "statements": [*attempt.cmi.get("statements", []), statement]}


def _abandon_open_sessions(request, attempt: PackageAttempt) -> None:
    """A session that was started (its token fetched) and never terminated is abandoned
    when a new one starts in the registration (cmi5 9.6.2): the LMS says so."""
    open_launches = attempt.launches.select_for_update().filter(fetched=True, ended=False)
    for launch in open_launches:
        au = attempt.package.aus[launch.au_index]
        _record_lms_statement(
            attempt,
            _lms_statement(
                request, attempt, ABANDONED, "abandoned", au["id"],
                context={"extensions": {SESSION_ID: str(launch.pk)}},
            ),
        )  # fmt: skip
        launch.ended = True
        launch.save(update_fields=["ended"])


def _launched(request, attempt, launch: Cmi5Launch, au: dict, path: str) -> dict:
    """The LMS's `launched` statement for a session, made before the AU is launched
    (cmi5 9.5.4.1, 10.2.1), with the launch's context extensions. launchURL is the AU's
    address as the course structure gives it, without the launch parameters: the fetch
    URL is a one-time secret and has no place in a statement."""
    extensions = {
        SESSION_ID: str(launch.pk),
        LAUNCH_MODE: "Normal",
        LAUNCH_URL: request.build_absolute_uri(
            path + (f"?{au['query']}" if au.get("query") else "")
        ),
        MOVE_ON: au.get("move_on", "NotApplicable"),
        PUBLISHER_ID: au["id"],
    }
    if au.get("launch_parameters"):
        extensions[LAUNCH_PARAMETERS] = au["launch_parameters"]
    if au.get("mastery_score") is not None:
        extensions[MASTERY_SCORE] = au["mastery_score"]
    return _lms_statement(
        request, attempt, LAUNCHED, "launched", au["id"], context={"extensions": extensions}
    )


def launch_url(
    request, *, module, step_id: str, package: ContentPackage, cycle: int, unit=None
) -> str:
    """An AU's address (default the first) with the cmi5 launch parameters, for a learner:
    a new session (its own token) in the learner's registration for this step and cycle.
    Sessions of the registration left open are recorded abandoned first."""
    with transaction.atomic():
        attempt = _attempt(request.user, module, step_id, cycle, package)
        attempt = PackageAttempt.objects.select_for_update().get(pk=attempt.pk)
        _abandon_open_sessions(request, attempt)
        index = _au_index(package, unit)
        launch = Cmi5Launch.objects.create(
            attempt=attempt, au_index=index, secret=secrets.token_urlsafe(32)
        )
        au = package.aus[index]
        path = reverse("packages:file", args=[module.pk, step_id, au["path"]])
        _record_lms_statement(attempt, _launched(request, attempt, launch, au, path))
        attempt.save(update_fields=["cmi", "updated_at"])
    params = {
        "endpoint": request.build_absolute_uri(reverse("packages:cmi5_lrs")),
        "fetch": request.build_absolute_uri(reverse("packages:cmi5_fetch", args=[launch.secret])),
        "actor": json.dumps(actor_of(request, request.user)),
        "registration": attempt.cmi["registration"],
        "activityId": au["id"],
    }
    query = "&".join(q for q in (au.get("query", ""), urlencode(params)) if q)
    return f"{path}?{query}"


def _auth_token(secret: str) -> str:
    return base64.b64encode(f"cmi5:{secret}".encode()).decode()


@csrf_exempt
def fetch_token(request, secret: str):
    """The launch's fetch URL: the auth token, once (cmi5 8.2.3)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    with transaction.atomic():
        launch = Cmi5Launch.objects.select_for_update().filter(secret=secret).first()
        if launch is None or launch.fetched or launch.attempt.user_id != request.user.pk:
            return JsonResponse({"error-code": "1", "error-text": _("This launch is used.")})
        launch.fetched = True
        launch.save(update_fields=["fetched"])
    return JsonResponse({"auth-token": _auth_token(secret)})


def _launch_of(request) -> Cmi5Launch | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user_part, secret = base64.b64decode(header[6:]).decode().split(":", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    launch = (
        Cmi5Launch.objects.select_related("attempt", "attempt__package")
        .filter(secret=secret, fetched=True)
        .first()
    )
    return launch if launch is not None and user_part == "cmi5" else None


def _xapi(response: HttpResponse) -> HttpResponse:
    response["X-Experience-API-Version"] = XAPI_VERSION
    return response


def _move_on_met(move_on: str, done: set[str]) -> bool:
    completed, passed = COMPLETED in done, PASSED in done
    return {
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
        "NotApplicable": True,
    }.get(move_on, False)


def course_id(package: ContentPackage) -> str:
    """The course's activity id (cmi5.xml's course id; a package read before it was kept:
    its first AU's id with "#course")."""
    return package.activity_id or package.aus[0]["id"] + "#course"


def course_result(package: ContentPackage, records: dict) -> tuple[bool, bool, float | None]:
    """(satisfied, passed, score) of the course (decision 0047): satisfied when every AU
    whose moveOn is not NotApplicable is satisfied; passed when satisfied and an AU
    passed; the score is the mean of the AUs' scores."""
    counted = [au for au in package.aus if au.get("move_on", "NotApplicable") != "NotApplicable"]
    satisfied = all(
        records.get(au["id"]) is not None and records[au["id"]].cmi.get("satisfied")
        for au in counted
    )
    passed = satisfied and any(r.success_status == "passed" for r in records.values())
    scores = [r.score for r in records.values() if r.score is not None]
    return satisfied, passed, round(sum(scores) / len(scores), 2) if scores else None


def _satisfied(request, attempt, launch: Cmi5Launch, object_id: str) -> dict:
    """The LMS's `satisfied` for a block or the course (cmi5 9.6.3), in the session whose
    statement satisfied it."""
    return _lms_statement(
        request, attempt, SATISFIED, "satisfied", object_id,
        context={"contextActivities": {
            "category": [{"id": CMI5_CATEGORY}, {"id": MOVE_ON_CATEGORY}]},
            "extensions": {SESSION_ID: str(launch.pk)}},
    )  # fmt: skip


def _blocks_newly_satisfied(package: ContentPackage, records: dict, attempt) -> list[str]:
    """Blocks satisfied now and not recorded before, innermost first: a block is satisfied
    when every AU in it (nested blocks' too) whose moveOn is not NotApplicable is. A
    package read before blocks were kept has no blocks here."""
    done = set(attempt.cmi.get("satisfied_blocks", []))
    members: dict[str, list[dict]] = {}
    depth: dict[str, int] = {}
    for au in package.aus:
        for level, block in enumerate(au.get("blocks", [])):
            members.setdefault(block, []).append(au)
            depth[block] = level
    satisfied = [
        block
        for block, aus in members.items()
        if block not in done
        and all(
            records.get(au["id"]) is not None and records[au["id"]].cmi.get("satisfied")
            for au in aus
            if au.get("move_on", "NotApplicable") != "NotApplicable"
        )
    ]
    return sorted(satisfied, key=lambda block: -depth[block])


def _statements(request, launch: Cmi5Launch):
    try:
        body = json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, ValueError):
        return _xapi(JsonResponse({"error": "not JSON"}, status=400))
    items = body if isinstance(body, list) else [body]
    attempt = launch.attempt
    expected_actor = actor_of(request, attempt.user)["account"]
    ids = []
    for statement in items:
        if not isinstance(statement, dict):
            return _xapi(JsonResponse({"error": "not a statement"}, status=400))
        account = (statement.get("actor") or {}).get("account") or {}
        registration = (statement.get("context") or {}).get("registration")
        if account != expected_actor or registration != attempt.cmi.get("registration"):
            return _xapi(JsonResponse({"error": "another learner or registration"}, status=403))
        ids.append(statement.get("id") or request.GET.get("statementId") or str(uuid.uuid4()))
    from .views import load_module

    module = load_module(attempt.module_id)
    package = attempt.package
    au = package.aus[launch.au_index]
    with transaction.atomic():
        attempt = PackageAttempt.objects.select_for_update().get(pk=attempt.pk)
        record, _created = UnitAttempt.objects.get_or_create(attempt=attempt, unit_id=au["id"])
        verbs = set(record.cmi.get("verbs", []))
        score = record.score
        for statement in items:
            verb = (statement.get("verb") or {}).get("id", "")
            if verb in (COMPLETED, PASSED, FAILED):
                verbs.add(verb)
            if verb == TERMINATED:
                Cmi5Launch.objects.filter(pk=launch.pk).update(ended=True)
            scaled = ((statement.get("result") or {}).get("score") or {}).get("scaled")
            if isinstance(scaled, int | float) and verb in (PASSED, FAILED):
                score = round(min(max(float(scaled), 0.0), 1.0) * 100, 2)
        met = _move_on_met(au.get("move_on", "NotApplicable"), verbs)
        record.cmi = {**record.cmi, "verbs": sorted(verbs), "satisfied": met}
        record.score = score
        record.completion_status = "completed" if COMPLETED in verbs else "incomplete"
        record.success_status = (
            "passed" if PASSED in verbs else ("failed" if FAILED in verbs else "unknown")
        )
        record.commits += 1
        record.save()
        records = {r.unit_id: r for r in attempt.units.all()}
        for block in _blocks_newly_satisfied(package, records, attempt):
            _record_lms_statement(attempt, _satisfied(request, attempt, launch, block))
            attempt.cmi = {
                **attempt.cmi, "satisfied_blocks": [*attempt.cmi.get("satisfied_blocks", []), block]
            }  # fmt: skip
        satisfied, passed, course_score = course_result(package, records)
        if satisfied and not attempt.cmi.get("satisfied"):
            _record_lms_statement(attempt, _satisfied(request, attempt, launch, course_id(package)))
            attempt.cmi = {**attempt.cmi, "satisfied": True}
        # The course's completion as the AUs report it (every AU that counts completed),
        # beside its satisfaction, which is what the engine is given.
        counted = [a for a in package.aus if a.get("move_on") != "NotApplicable"] or package.aus
        all_completed = all(
            records.get(a["id"]) is not None and records[a["id"]].completion_status == "completed"
            for a in counted
        )
        attempt.completion_status = "completed" if satisfied or all_completed else "incomplete"
        attempt.success_status = (
            "passed" if passed else ("failed" if FAILED in verbs and not satisfied else "unknown")
        )
        if course_score is not None:
            attempt.score = course_score
        attempt.current_unit = au["id"]
        attempt.commits += 1
        attempt.save()
        lms.record_package_result(
            attempt.user, module=module, step_id=attempt.step_id,
            completed=satisfied, passed=passed, score=course_score,
        )  # fmt: skip
    if request.method == "PUT":
        return _xapi(HttpResponse(status=204))
    return _xapi(JsonResponse(ids, safe=False))


def _return_url(request, attempt: PackageAttempt, au: dict) -> str:
    """Where the AU sends the learner when they leave it: the step page, on this AU."""
    from .views import load_module

    module = load_module(attempt.module_id)
    step = module.url + module.reverse_subpage("step", args=[attempt.step_id])
    return request.build_absolute_uri(step + "?" + urlencode({"del": au["id"]}))


def _launch_data(request, launch: Cmi5Launch) -> dict:
    attempt = launch.attempt
    au = attempt.package.aus[launch.au_index]
    data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": au["id"]}]},
            "extensions": {SESSION_ID: str(launch.pk)},
        },
        "launchMode": "Normal",
        "moveOn": au.get("move_on", "NotApplicable"),
        "returnURL": _return_url(request, attempt, au),
    }
    if au.get("mastery_score") is not None:
        data["masteryScore"] = au["mastery_score"]
    if au.get("launch_parameters"):
        data["launchParameters"] = au["launch_parameters"]
    return data


def _au_of(launch: Cmi5Launch) -> dict:
    return launch.attempt.package.aus[launch.au_index]


def _state(request, launch: Cmi5Launch):
    state_id = request.GET.get("stateId", "")
    attempt = launch.attempt
    if request.method == "GET":
        if state_id == "LMS.LaunchData":
            return _xapi(JsonResponse(_launch_data(request, launch)))
        record = attempt.units.filter(unit_id=_au_of(launch)["id"]).first()
        stored = (record.cmi if record else {}).get("state", {}).get(state_id)
        if stored is None:
            return _xapi(HttpResponse(status=404))
        return _xapi(HttpResponse(stored, content_type="application/json"))
    if request.method in ("PUT", "POST") and state_id and state_id != "LMS.LaunchData":
        with transaction.atomic():
            PackageAttempt.objects.select_for_update().get(pk=attempt.pk)
            locked, _created = UnitAttempt.objects.get_or_create(
                attempt=attempt, unit_id=_au_of(launch)["id"]
            )
            state = dict(locked.cmi.get("state", {}))
            state[state_id] = request.body.decode("utf-8", "replace")
            locked.cmi = {**locked.cmi, "state": state}
            locked.save(update_fields=["cmi", "updated_at"])
        return _xapi(HttpResponse(status=204))
    return _xapi(HttpResponse(status=405 if state_id else 400))


@csrf_exempt
def lrs(request, resource: str):
    """The AU's LRS endpoint: the launch's token, fetched, from the learner it was made for."""
    if resource == "about":
        return _xapi(JsonResponse({"version": [XAPI_VERSION]}))
    if len(request.body) > MAX_BODY:
        return _xapi(JsonResponse({"error": "too large"}, status=413))
    launch = _launch_of(request)
    if launch is None:
        return _xapi(JsonResponse({"error": "no valid token"}, status=401))
    if launch.attempt.user_id != request.user.pk:
        return _xapi(JsonResponse({"error": "another learner"}, status=403))
    resource = resource.strip("/")
    if resource == "statements" and request.method in ("PUT", "POST"):
        return _statements(request, launch)
    if resource == "activities/state":
        return _state(request, launch)
    if resource == "agents/profile" and request.method == "GET":
        return _xapi(HttpResponse(status=404))
    return _xapi(HttpResponse(status=405))
