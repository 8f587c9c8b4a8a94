from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "wagtail_learning.certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail import hooks
        from wagtail.signals import page_published

        from wagtail_learning.compliance.api import (
            PURGE_CERTIFICATES,
            RECORD_SECTIONS,
            TRAINING_RECORD,
            UNIT_RULES_EVALUATED,
        )
        from wagtail_learning.lms.api import COURSE_COMPLETED, MODULE_COMPLETED, delete_files_with
        from wagtail_learning.org.api import (
            register_owned_model,
            register_person_model,
            register_unit_model,
        )

        from . import handlers, privacy  # noqa: F401 - privacy registers its hook
        from .models import Certificate, CertificateDesign, UnitCertificate
        from .units import update_unit_certificates

        post_migrate.connect(handlers.create_schedules, sender=self)
        page_published.connect(handlers.back_issue_on_publish)
        hooks.register(COURSE_COMPLETED, handlers.issue_on_completion)
        hooks.register(MODULE_COMPLETED, handlers.issue_on_completion)
        hooks.register(TRAINING_RECORD, handlers.certificates_in_training_record)
        hooks.register(RECORD_SECTIONS, handlers.certificates_record_section)
        hooks.register(PURGE_CERTIFICATES, handlers.purge_certificates)
        hooks.register(UNIT_RULES_EVALUATED, update_unit_certificates)
        # A certificate deleted (the retention purge, a deleted account) or given a new PDF
        # (rendered again, anonymised) leaves no stored PDF behind: each has its own file.
        delete_files_with(Certificate, "pdf")
        delete_files_with(UnitCertificate, "pdf")
        # Before the admin viewset registers: it then finds the wall's permission policy.
        register_person_model(Certificate, person="user")
        register_unit_model(UnitCertificate, unit="unit")
        register_owned_model(CertificateDesign)
