from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "wagtail_learning.compliance"
    verbose_name = _("Compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import handlers, walled

        post_migrate.connect(handlers.create_schedules, sender=self)
        handlers.connect()
        walled.register()
