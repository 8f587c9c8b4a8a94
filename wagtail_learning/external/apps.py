from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ExternalConfig(AppConfig):
    name = "wagtail_learning.external"
    verbose_name = _("External participants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail_learning.certificates.models import Certificate
        from wagtail_learning.org.api import register_person_model

        from . import handlers, privacy  # noqa: F401 - privacy registers its hook
        from .models import ExternalRegistration

        post_migrate.connect(handlers.create_schedules, sender=self)
        post_save.connect(handlers.certificate_changed, sender=Certificate)
        # ExternalOrganisation and Recognition are about organisations, not people: their
        # admin pages show names of organisations and counts only (decision 0021).
        register_person_model(ExternalRegistration, person="user")
