"""Signal handlers at the edge: each a one-line call into the engine."""

from lms import api as lms

from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()


def recompute_completions_after_publishing(sender, instance, **kwargs):
    """An edit may have removed the only step a learner was missing, or made a module
    optional: the engine completes it for them (earned completions are never taken back).
    Connected for ModulePage here and for CoursePage by the courses app; also covers
    scheduled publishing."""
    lms.schedule_recompute(instance.specific)


def forget_module_snapshots_after_lecture_save(sender, instance, **kwargs):
    """A lecture's duration is part of the step specs heartbeats keep (lms.snapshots)."""
    lms.forget_module_snapshots()
