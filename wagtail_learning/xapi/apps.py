from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    name = "wagtail_learning.xapi"
    label = "xapi"
    verbose_name = _("xAPI statements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail_learning.org.api import register_unit_model

        from . import handlers, privacy  # noqa: F401 - privacy registers its hooks
        from .models import LrsConnection, StatementOutbox

        post_migrate.connect(handlers.create_schedules, sender=self)
        handlers.connect_event_sources()
        # An organisation's LRS and what waits for it are seen by those whose scope holds
        # the organisation (its coordinators at the top) and superusers: the wall.
        register_unit_model(LrsConnection, unit="organisation")
        register_unit_model(StatementOutbox, unit="connection__organisation")
