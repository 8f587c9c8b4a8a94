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

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from wagtail_learning import defaults

from .errors import NotFound
from .protocols import LearningModule, StepSpec

__all__ = [
    "ModuleSnapshot",
    "cached_until_edit",
    "cached_until_edit_many",
    "caches_until_edit",
    "forget_module_snapshots",
    "get_live_module",
    "get_module_snapshot",
]

GENERATION_KEY = "lms:module-snapshot:generation"
# A snapshot outlives no edit that reached the cache; this bounds one that did not (a
# lecture's duration changed in another process without a shared cache).
SNAPSHOT_SECONDS = 300

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


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
    # Who the module's course is for (lms.audience). A snapshot kept by code before this
    # field reads the narrowest audience: the access check then asks the page.
    audience: str = "staff"

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
        audience=module.get_lms_audience(),
    )
    cache.set(_key(module_id), snapshot, SNAPSHOT_SECONDS)
    return snapshot


# Values kept in this process too (`cached_until_edit(..., in_process=True)`), by cache
# key: (generation, time built, value). Bounded: past this many keys it starts afresh.
_IN_PROCESS_MAX = 256
_in_process: dict[str, tuple[int, float, object]] = {}
_in_process_lock = threading.Lock()


def cached_until_edit(key: str, build: Callable[[], T], *, in_process: bool = False) -> T:
    """What `build()` returns, kept in the cache under `key` until the next edit (the
    generation of the module snapshots: any page, lecture or quiz saved or deleted, any
    site saved) and at most SNAPSHOT_SECONDS. One cache round trip when kept; `build`
    must return something picklable, and nothing that depends on who asks. Without a
    shared cache (LMS_CACHE_UNTIL_EDIT) it builds afresh every time.

    `in_process`: also keep the value in this process, and hand out that same object
    while the shared cache's generation is the one it was built in (and for no longer
    than SNAPSHOT_SECONDS from when it was built): one round trip that reads the
    generation only, and no unpickling. An edit reaches this process exactly as it reaches
    the shared cache, through the generation. Only for values nobody mutates."""
    return cached_until_edit_many(
        {key: key}, lambda _missing: {key: build()}, in_process=in_process
    )[key]


def cached_until_edit_many(
    keys: Mapping[str, K],
    build: Callable[[list[K]], Mapping[K, T]],
    *,
    in_process: bool = False,
) -> dict[K, T]:
    """`cached_until_edit` for many values at once: `keys` maps each key to what it is
    about; `build` is called once, with all that is not kept, and returns their values by
    the same. Returns every value by what it is about. The generation and the kept values
    come in one cache round trip (with `in_process`: the generation, then only the values
    this process does not hold)."""
    if not defaults.value("LMS_CACHE_UNTIL_EDIT"):
        return dict(build(list(keys.values())))
    cache_keys = {f"lms:until-edit:{key}": about for key, about in keys.items()}
    values: dict[K, T] = {}
    if in_process:
        generation = cache.get(GENERATION_KEY)
        now = time.time()
        wanted = []
        for cache_key, about in cache_keys.items():
            mine = _in_process.get(cache_key)
            if (
                generation is not None
                and mine is not None
                and mine[0] == generation
                and now - mine[1] < SNAPSHOT_SECONDS
            ):
                values[about] = mine[2]  # type: ignore[assignment]
            else:
                wanted.append(cache_key)
        if not wanted:
            return values
        found = cache.get_many(wanted)
    else:
        found = cache.get_many([GENERATION_KEY, *cache_keys])
        generation = found.get(GENERATION_KEY)
        wanted = list(cache_keys)
    if generation is None:
        # No edit since the cache was emptied: the generation is unknown, and a copy kept
        # in this process from before could be of an edit the emptied cache forgot.
        generation = 0
        in_process = False
    kept: dict[str, tuple[T, float]] = {}
    missing: dict[K, str] = {}
    for cache_key in wanted:
        # (generation, value, time built); a pair was kept before the time was.
        stored = found.get(cache_key)
        if stored is not None and len(stored) == 3 and stored[0] == generation:
            kept[cache_key] = (stored[1], stored[2])
        else:
            missing[cache_keys[cache_key]] = cache_key
    if missing:
        built_at = time.time()
        built = build(list(missing))
        fresh = {missing[about]: (value, built_at) for about, value in built.items()}
        cache.set_many(
            {key: (generation, value, at) for key, (value, at) in fresh.items()},
            SNAPSHOT_SECONDS,
        )
        kept.update(fresh)
    for cache_key, (value, _at) in kept.items():
        values[cache_keys[cache_key]] = value
    if in_process:
        with _in_process_lock:
            if len(_in_process) + len(kept) > _IN_PROCESS_MAX:
                _in_process.clear()
            for cache_key, (value, at) in kept.items():
                _in_process[cache_key] = (generation, at, value)
    return values


def caches_until_edit() -> bool:
    """Whether `cached_until_edit` keeps anything (a shared cache is configured)."""
    return defaults.value("LMS_CACHE_UNTIL_EDIT")


def _new_generation() -> None:
    # A new value, never an increment: if the key was evicted, a counter restarting at 1
    # could match snapshots of an earlier generation 1.
    cache.set(GENERATION_KEY, time.time_ns(), None)


def forget_module_snapshots() -> None:
    """After an edit (a page or a lecture saved): every snapshot is rebuilt when next
    asked for."""
    _new_generation()
    # And again once the edit is committed: a request in another process that rebuilt a
    # snapshot between the save and the commit read the rows as they were before the
    # edit, and kept them under the new generation.
    transaction.on_commit(_new_generation)
