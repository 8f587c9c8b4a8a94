from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "wagtail_learning.packages"
    label = "packages"
    verbose_name = _("E-learning packages (SCORM, cmi5)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_delete, post_init, post_save

        from wagtail_learning.org.api import register_owned_model, register_person_model

        from . import privacy  # noqa: F401 - registers its hooks
        from .models import ContentPackage, PackageAttempt, UnitAttempt
        from .services import delete_package_files

        def remember(sender, instance, **kwargs):
            instance._stored_folder = (instance.folder, list(instance.files or ()))

        def after_save(sender, instance, created, **kwargs):
            folder, files = getattr(instance, "_stored_folder", ("", []))
            if folder and folder != instance.folder:  # a new zip replaced the files
                old = ContentPackage(folder=folder, files=files)
                transaction.on_commit(lambda: delete_package_files(old))
            remember(sender, instance)

        def after_delete(sender, instance, **kwargs):
            transaction.on_commit(lambda: delete_package_files(instance))

        post_init.connect(remember, sender=ContentPackage, weak=False)
        post_save.connect(after_save, sender=ContentPackage, weak=False)
        post_delete.connect(after_delete, sender=ContentPackage, weak=False)
        # What a learner's runtime committed carries a person: behind the wall.
        register_person_model(PackageAttempt, person="user")
        register_person_model(UnitAttempt, person="attempt__user")
        # Before the admin viewset registers: it then finds the owners' policy.
        register_owned_model(ContentPackage)
