from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Signing in through an organisation's own identity provider (OpenID Connect or SAML
    2.0): the providers, the links between their subjects and our accounts, and the
    login, callback and logout views. See docs/decisions/0024-identity-providers.md."""

    name = "wagtail_learning.identity"
    verbose_name = _("Identity providers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import envconfig, privacy  # noqa: F401 - privacy registers its hooks

        post_migrate.connect(envconfig.sync_from_environment, sender=self)
