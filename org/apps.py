from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("Organisations and people")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import handlers

        post_migrate.connect(handlers.create_schedules, sender=self)
