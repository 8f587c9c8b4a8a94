"""Wagtail wiring of the organisation layer: the staff import's audit-log action."""

from wagtail import hooks

from .imports.audit import LOG_ACTION, LOG_LABEL, LOG_MESSAGE


@hooks.register("register_log_actions")
def register_import_log_actions(actions):
    actions.register_action(LOG_ACTION, LOG_LABEL, LOG_MESSAGE)
