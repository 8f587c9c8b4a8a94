from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "wagtail_learning.org"
    verbose_name = _("Organisations and people")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import handlers, wall
        from .models import LearnerProfile, Membership, Organisation, ReportingScope, StaffImport

        post_migrate.connect(handlers.create_schedules, sender=self)
        post_delete.connect(handlers.delete_import_file, sender=StaffImport)

        # wagtail.users registers the user model's own permission policy.
        wall.register_person_model(get_user_model(), person="pk", policy=False)
        wall.register_person_model(LearnerProfile, person="user")
        wall.register_person_model(Membership, person="user")
        wall.register_unit_model(Organisation, unit="pk")
        wall.register_unit_model(ReportingScope, unit="unit")
        # An import's stored report names the people in the file: walled by the unit imported into.
        wall.register_unit_model(StaffImport, unit="scope")
