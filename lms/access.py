"""Who may open a module's content: pages, steps, API calls and files alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpResponse, HttpResponseForbidden
from django.utils.translation import gettext as _

from .protocols import LearningModule

__all__ = ["AccessDecision", "check_module_access", "refuse_file"]


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str = ""  # "anonymous", "not_enrolled", "locked_prerequisites", "locked_date"
    message: str = ""
    blocking: list = field(default_factory=list)  # what must be done first


def check_module_access(*, user, module: LearningModule) -> AccessDecision:
    """Decide whether `user` may open `module`'s content. Reads only; no side effects."""
    if not user.is_authenticated:
        return AccessDecision(False, "anonymous", _("Log in to open this module."))
    return AccessDecision(True)


def refuse_file(decision: AccessDecision) -> HttpResponse:
    """The answer for a protected file or API call the user may not have: a plain 403."""
    return HttpResponseForbidden(decision.message or _("You do not have access to this file."))
