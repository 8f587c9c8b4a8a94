"""`cached_until_edit`: a value kept until the next edit, in the shared cache and, when
asked, in the process too (decision 0028); an edit reaches both through the generation."""

from unittest import mock

import pytest
from django.core.cache import cache

from wagtail_learning.lms import snapshots
from wagtail_learning.lms.api import cached_until_edit, forget_module_snapshots

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"built": self.calls}


@pytest.fixture(autouse=True)
def _nothing_kept_in_process():
    snapshots._in_process.clear()
    yield
    snapshots._in_process.clear()


def test_kept_in_the_process_the_same_object_until_the_next_edit():
    forget_module_snapshots()
    build = Builder()
    first = cached_until_edit("k", build, in_process=True)
    cache.delete("lms:until-edit:k")  # the process's copy answers without the shared one

    assert cached_until_edit("k", build, in_process=True) is first
    assert build.calls == 1

    forget_module_snapshots()  # an edit, in any process: the shared generation
    assert cached_until_edit("k", build, in_process=True) == {"built": 2}
    assert build.calls == 2


def test_a_process_takes_what_another_built_in_the_current_generation():
    forget_module_snapshots()
    build = Builder()
    cached_until_edit("k", build)  # another process built it (not kept in this one)
    assert cached_until_edit("k", build, in_process=True) == {"built": 1}
    assert build.calls == 1


def test_without_a_generation_the_process_keeps_nothing():
    """An emptied cache forgot the generation: a copy kept from before could be older than
    the last edit, so it is not used, and nothing is kept in the process until an edit."""
    build = Builder()
    forget_module_snapshots()
    cached_until_edit("k", build, in_process=True)
    cache.clear()

    assert cached_until_edit("k", build, in_process=True) == {"built": 2}
    cache.delete("lms:until-edit:k")
    assert cached_until_edit("k", build, in_process=True) == {"built": 3}


def test_kept_in_the_process_no_longer_than_in_the_shared_cache():
    forget_module_snapshots()
    build = Builder()
    now = 1_000_000.0
    with mock.patch.object(snapshots.time, "time", return_value=now):
        cached_until_edit("k", build, in_process=True)
    later = now + snapshots.SNAPSHOT_SECONDS + 1
    with mock.patch.object(snapshots.time, "time", return_value=later):
        cache.delete("lms:until-edit:k")  # expired there too
        assert cached_until_edit("k", build, in_process=True) == {"built": 2}


def test_a_pair_kept_before_the_time_was_is_rebuilt():
    forget_module_snapshots()
    generation = cache.get(snapshots.GENERATION_KEY)
    cache.set("lms:until-edit:k", (generation, {"old": True}))
    assert cached_until_edit("k", Builder(), in_process=True) == {"built": 1}
    assert cached_until_edit("j", Builder()) == {"built": 1}


def test_without_a_shared_cache_it_builds_every_time(settings):
    settings.LMS_CACHE_UNTIL_EDIT = False
    forget_module_snapshots()
    build = Builder()
    cached_until_edit("k", build, in_process=True)
    cached_until_edit("k", build, in_process=True)
    assert build.calls == 2


def test_many_values_are_built_together_once_and_kept_like_one():
    """The dashboard's read: the values kept come back, those not kept are built in one
    call, and each is then kept exactly as `cached_until_edit` keeps it (one stored
    shape): the single read takes what the many read built, and the other way round."""
    from wagtail_learning.lms.api import cached_until_edit_many

    forget_module_snapshots()
    calls = []

    def build(missing):
        calls.append(sorted(missing))
        return {about: f"{about}-{len(calls)}" for about in missing}

    assert cached_until_edit("a", lambda: "a-single") == "a-single"
    got = cached_until_edit_many({"a": "a", "b": "b", "c": "c"}, build, in_process=True)
    assert got == {"a": "a-single", "b": "b-1", "c": "c-1"}
    assert calls == [["b", "c"]]

    assert cached_until_edit_many({"b": "b", "c": "c"}, build, in_process=True) == {
        "b": "b-1",
        "c": "c-1",
    }
    assert cached_until_edit("c", lambda: "never built") == "c-1"
    assert calls == [["b", "c"]]

    forget_module_snapshots()  # an edit: everything is built again, together
    assert cached_until_edit_many({"a": "a", "b": "b"}, build, in_process=True) == {
        "a": "a-2",
        "b": "b-2",
    }
    assert calls[-1] == ["a", "b"]
