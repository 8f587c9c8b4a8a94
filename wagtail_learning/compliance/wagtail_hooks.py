"""Admin wiring of the engine."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .privacy import ANONYMISE_ACTION


@hooks.register("register_log_actions")
def register_lms_log_actions(actions):
    actions.register_action(ANONYMISE_ACTION, _("Anonymise person"), _("Anonymised after leaving"))
