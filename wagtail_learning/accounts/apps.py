from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Logging in and out, and password resets: the site's own pages and the hardening of
    Wagtail admin's (throttling, POST-only logout)."""

    name = "wagtail_learning.accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"
