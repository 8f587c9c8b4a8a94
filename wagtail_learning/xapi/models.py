"""An organisation's LRS and the outbox of statements waiting for it."""

from __future__ import annotations

import secrets as _random

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .secrets import decrypt_secret, encrypt_secret
from .vocabulary import ActorKind, Event, State


def _new_salt() -> str:
    return _random.token_hex(16)


class LrsConnection(models.Model):
    """Where one top-level organisation's learning records go, and how people are named."""

    organisation = models.OneToOneField(
        "org.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"depth": 1},
    )
    enabled = models.BooleanField(_("send statements"), default=False)
    endpoint = models.URLField(
        _("LRS endpoint"),
        max_length=500,
        help_text=_("The LRS's xAPI base address; statements go to its statements resource."),
    )
    key = models.CharField(_("key"), max_length=200, help_text=_("The LRS's basic-auth key."))
    secret_encrypted = models.TextField(blank=True, editable=False)
    actor = models.CharField(
        _("learners are identified by"),
        max_length=20,
        choices=ActorKind.choices,
        default=ActorKind.ACCOUNT,
    )
    home_page = models.URLField(
        _("organisation's home page"),
        max_length=300,
        help_text=_("The account's homePage in statements, e.g. https://www.botkyrka.se."),
    )
    # Keys the opaque account names: stable for this connection, meaningless elsewhere.
    actor_salt = models.CharField(max_length=64, default=_new_salt, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LRS connection")
        verbose_name_plural = _("LRS connections")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def secret(self) -> str:
        return decrypt_secret(self.secret_encrypted)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.secret_encrypted = encrypt_secret(plain)

    @property
    def statements_url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/statements") else f"{base}/statements"


class StatementOutbox(models.Model):
    """One statement for one LRS, written in the transaction of the event it records.
    `statement_id` is derived from the event, so a resend is the same statement."""

    # A delivery log, not content: a person's or a connection's "usage" page would list
    # every statement (and link to an edit view the outbox does not have: a 500).
    wagtail_reference_index_ignore = True

    connection = models.ForeignKey(
        LrsConnection, verbose_name=_("LRS"), on_delete=models.CASCADE, related_name="outbox"
    )
    statement_id = models.UUIDField(_("statement id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    statement = models.JSONField(default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the next attempt may start; a claim moves it forward (a lease), so a worker
    # that dies mid-send leaves the row to be taken up again when the lease runs out.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "statement_id"], name="xapi_outbox_unique_statement"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="xapi_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.statement_id}"
