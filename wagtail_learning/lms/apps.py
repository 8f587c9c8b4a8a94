from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "wagtail_learning.lms"
    verbose_name = _("Learning engine")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from . import handlers

        post_save.connect(handlers.forget_snapshots_after_page_save, dispatch_uid="lms-snapshots")
        post_delete.connect(
            handlers.forget_snapshots_after_page_delete, dispatch_uid="lms-snapshots-delete"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                handlers.forget_snapshots_after_site_change,
                sender=Site,
                dispatch_uid=f"lms-snapshots-site-{signal is post_save}",
            )
