"""A learning event as an xAPI 1.0.3 statement. Pure functions of what the event carries
and the organisation's choices; nothing here touches the network."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from wagtail_learning.lms.api import public_url

from .vocabulary import Event, Verb

__all__ = ["Activity", "LearningEvent", "build_statement", "statement_id_for"]

# The namespace of the platform's statement ids (uuid5): the same event, the same id.
NAMESPACE = uuid.UUID("5d3c1f0e-8a57-4f0b-9a43-2f7b0c6e9d21")
PLATFORM = "wagtail-learning"


@dataclass(frozen=True)
class Activity:
    path: str  # under the site's /xapi/activities/: stable ids, not page URLs (slugs change)
    type: str
    name: str

    @property
    def iri(self) -> str:
        return public_url(f"/xapi/activities/{self.path}")

    def as_object(self) -> dict:
        definition: dict = {"type": self.type}
        if self.name:
            definition["name"] = {"sv-SE": self.name[:500]}
        return {"objectType": "Activity", "id": self.iri, "definition": definition}


@dataclass(frozen=True)
class LearningEvent:
    """What happened, to whom, when. `key` names the event for life (its statement id is
    derived from it): the same key is the same statement, however often it is recorded."""

    key: str
    event: Event
    user: object
    when: datetime
    activity: Activity
    parents: tuple[Activity, ...] = ()
    # result: xAPI's score (scaled -1..1, raw, min, max), success, completion
    score: dict | None = None
    success: bool | None = None
    completion: bool | None = None
    extensions: dict = field(default_factory=dict)


_VERBS = {
    Event.LECTURE_WATCHED: Verb.COMPLETED,
    Event.QUIZ_PASSED: Verb.PASSED,
    Event.QUIZ_FAILED: Verb.FAILED,
    Event.MODULE_COMPLETED: Verb.COMPLETED,
    Event.COURSE_COMPLETED: Verb.COMPLETED,
    Event.CERTIFICATE_ISSUED: Verb.EARNED,
    Event.EVENT_ATTENDED: Verb.ATTENDED,
    Event.PACKAGE_COMPLETED: Verb.COMPLETED,
    Event.PACKAGE_PASSED: Verb.PASSED,
    Event.PACKAGE_FAILED: Verb.FAILED,
}


def statement_id_for(key: str, *, connection_salt: str) -> uuid.UUID:
    """The statement's id: stable per event and LRS connection (a resend is idempotent at
    the LRS). The connection's random salt keeps ids apart where row ids repeat: another
    site, a database rebuilt or restored, a test database whose rows were rolled back."""
    return uuid.uuid5(NAMESPACE, f"{public_url('/')}|{connection_salt}|{key}")


def opaque_account_name(salt: str, user_id: int) -> str:
    """A name that is stable for one connection and says nothing about the person."""
    return hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def build_statement(event: LearningEvent, *, statement_id: uuid.UUID, actor: dict) -> dict:
    verb_id, verb_name = _VERBS[Event(event.event)]
    statement: dict = {
        "id": str(statement_id),
        "actor": actor,
        "verb": {"id": verb_id, "display": {"en-US": verb_name}},
        "object": event.activity.as_object(),
        "timestamp": event.when.isoformat(),
        "context": {
            "platform": PLATFORM,
            "language": "sv-SE",
        },
    }
    if event.parents:
        statement["context"]["contextActivities"] = {
            "parent": [event.parents[0].as_object()],
            **(
                {"grouping": [p.as_object() for p in event.parents[1:]]}
                if len(event.parents) > 1
                else {}
            ),
        }
    result: dict = {}
    if event.score is not None:
        result["score"] = event.score
    if event.success is not None:
        result["success"] = event.success
    if event.completion is not None:
        result["completion"] = event.completion
    if event.extensions:
        result["extensions"] = event.extensions
    if result:
        statement["result"] = result
    return statement
