from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "wagtail_learning.courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from wagtail_learning.modules.handlers import recompute_completions_after_publishing

        from .models import CoursePage

        page_published.connect(recompute_completions_after_publishing, sender=CoursePage)
        page_unpublished.connect(recompute_completions_after_publishing, sender=CoursePage)
