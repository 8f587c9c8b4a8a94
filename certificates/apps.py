from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from org.api import register_person_model

        from . import handlers
        from .models import Certificate

        post_migrate.connect(handlers.create_schedules, sender=self)
        # Before the admin viewset registers: it then finds the wall's permission policy.
        register_person_model(Certificate, person="user")
