from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailLearningConfig(AppConfig):
    """The package as an app: the base template, static files, the Swedish catalogue, the
    learner's training record and the editor-wide admin behaviour."""

    name = "wagtail_learning"
    verbose_name = _("Learning platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import handlers

        user = get_user_model()
        # Everything the model backend's permissions are read from, but the user row (the
        # user's own flags are read from the user of the request).
        for through in (
            user.groups.through,
            user.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(handlers.forget_after_permission_change, sender=through)
        for model in (Group, Permission):
            post_save.connect(handlers.forget_after_permission_change, sender=model)
            post_delete.connect(handlers.forget_after_permission_change, sender=model)
