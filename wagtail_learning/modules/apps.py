from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModulesConfig(AppConfig):
    name = "wagtail_learning.modules"
    verbose_name = _("Modules, lectures and quizzes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate, post_save
        from wagtail import hooks
        from wagtail.signals import page_published, page_unpublished

        from wagtail_learning.events import api as events
        from wagtail_learning.lms.api import delete_files_with
        from wagtail_learning.org.api import register_owned_model

        from . import handlers, rich_text  # noqa: F401 - rich_text registers its link type
        from .models import Lecture, LectureCaptionTrack, ModulePage, Quiz

        post_migrate.connect(handlers.create_schedules, sender=self)
        page_published.connect(handlers.recompute_completions_after_publishing, sender=ModulePage)
        page_unpublished.connect(handlers.recompute_completions_after_publishing, sender=ModulePage)
        post_save.connect(handlers.forget_module_snapshots_after_lecture_save, sender=Lecture)
        hooks.register(events.SESSION_ATTENDED, handlers.complete_attended_live_steps)
        # A deleted lecture or caption track, or a replaced file, leaves no object behind;
        # a copied lecture shares its files, so a file goes with the last row naming it.
        delete_files_with(Lecture, "video", shared=True)
        delete_files_with(LectureCaptionTrack, "file", shared=True)
        # Before the admin viewsets register: they then find the ownership policy.
        register_owned_model(Lecture)
        register_owned_model(Quiz)
