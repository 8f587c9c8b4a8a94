from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccessibilityConfig(AppConfig):
    name = "wagtail_learning.accessibility"
    verbose_name = _("Accessibility")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import handlers, privacy  # noqa: F401 - privacy registers its hook

        post_migrate.connect(handlers.create_schedules, sender=self)
