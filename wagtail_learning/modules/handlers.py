"""Signal handlers at the edge: each a one-line call into the engine."""

import contextlib

from wagtail_learning.lms import api as lms

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


def complete_attended_live_steps(*, user, session) -> None:
    """events SESSION_ATTENDED: the live-session steps naming this session complete for
    the person (where they may take the module)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from .models import ModulePage, live_session_of

    # Only the modules whose steps mention a live session (the stored StreamField's text,
    # on SQLite and PostgreSQL alike): not every live module's steps, on every mark.
    modules = (
        ModulePage.objects.live()
        .annotate(steps_text=Cast("steps", output_field=TextField()))
        .filter(steps_text__contains="live_session")
    )
    for module in modules:
        for block in module.steps:
            if block.block_type != "live_session":
                continue
            named = live_session_of(block.value)
            if named is not None and named.pk == session.pk:
                with contextlib.suppress(lms.LmsError):
                    lms.record_live_attendance(user, module=module, step_id=block.id)
