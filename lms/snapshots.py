"""What a heartbeat needs to know about a module, kept between requests.

A heartbeat arrives every 10 s from every learner watching a lecture. The module's course,
prerequisites, opening date and step specs change only when an editor saves or publishes,
so they are kept in the cache (shared by every process with Redis) instead of being loaded
from five tables on every beat. A snapshot is never trusted blindly: the access check
confirms in its own query that the page is still live, at the same place and published at
the same moment (`Page.path`, `live`, `last_published_at`), and any page or lecture saved
in this process or through the shared cache starts a new generation of snapshots.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils.translation import gettext as _
from wagtail.models import Page

from .errors import NotFound
from .protocols import LearningModule, StepSpec

__all__ = [
    "ModuleSnapshot",
    "forget_module_snapshots",
    "get_live_module",
    "get_module_snapshot",
]

GENERATION_KEY = "lms:module-snapshot:generation"
# A snapshot outlives no edit that reached the cache; this bounds one that did not (a
# lecture's duration changed in another process without a shared cache).
SNAPSHOT_SECONDS = 300


@dataclass(frozen=True)
class ModuleSnapshot:
    pk: int
    course_id: int
    prerequisite_ids: tuple[int, ...]
    available_from: datetime | None
    steps: tuple[StepSpec, ...]
    # What the access check compares with the page row, to refuse a stale snapshot.
    path: str
    last_published_at: datetime | None
    generation: int = 0

    def step(self, step_id: str, kind: str) -> StepSpec | None:
        return next((s for s in self.steps if s.step_id == step_id and s.kind == kind), None)


def get_live_module(module_id: int) -> LearningModule:
    """The live module page with this id; raises NotFound. Two queries."""
    page = Page.objects.live().filter(pk=module_id).first()
    page = page.specific if page is not None else None
    if page is None or not isinstance(page, LearningModule):
        raise NotFound(_("No such module."))
    return page


def _key(module_id: int) -> str:
    return f"lms:module-snapshot:{module_id}"


def get_module_snapshot(module_id: int) -> ModuleSnapshot | None:
    """The module's snapshot, from the cache or built from the live page (and cached).
    None when there is no such live module. No query when cached."""
    if not 0 < module_id < 2**63:  # no page has it; nor may it make an overlong cache key
        return None
    found = cache.get_many([GENERATION_KEY, _key(module_id)])
    generation = found.get(GENERATION_KEY, 0)
    snapshot = found.get(_key(module_id))
    if snapshot is not None and snapshot.generation == generation:
        return snapshot
    try:
        module = get_live_module(module_id)
    except NotFound:
        return None
    snapshot = ModuleSnapshot(
        pk=module.pk,
        course_id=module.get_lms_course_id(),
        prerequisite_ids=tuple(p.pk for p in module.get_lms_prerequisites()),
        available_from=module.available_from,
        steps=tuple(module.get_lms_steps()),
        path=module.path,
        last_published_at=module.last_published_at,
        generation=generation,
    )
    cache.set(_key(module_id), snapshot, SNAPSHOT_SECONDS)
    return snapshot


def forget_module_snapshots() -> None:
    """After an edit (a page or a lecture saved): every snapshot is rebuilt when next
    asked for."""
    # A new value, never an increment: if the key was evicted, a counter restarting at 1
    # could match snapshots of an earlier generation 1.
    cache.set(GENERATION_KEY, time.time_ns(), None)
