"""External participants: people from associations and businesses who register themselves
for a course open to them, their organisations' approval and contact persons, and the
public recognition register (decision 0021)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabulary import ApprovalStatus, RecognitionState, RuleKind


class ExternalOrganisation(models.Model):
    """What the platform knows about an association or business beyond the tree: whether a
    coordinator approved it (an organisation a person typed in at registration waits for
    that before others can choose it or it appears on a register), its organisation
    number and its contact person."""

    organisation = models.OneToOneField(
        "org.Organisation",
        on_delete=models.CASCADE,
        related_name="external",
        verbose_name=_("organisation"),
    )
    org_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    resembles = models.ForeignKey(
        "org.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resembles"),
        help_text=_("An existing organisation whose name this one's looks like."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def is_approved(self) -> bool:
        return self.status == ApprovalStatus.APPROVED


class ExternalRegistration(models.Model):
    """One person's self-registration: the account stays inactive until the emailed link
    is followed. `nonce` is in the link; a resend replaces it (older links stop working),
    `verified_at` makes the link single-use.

    Until confirmed, the row and its inactive user hold the details of the latest attempt
    only (the password on the user; the organisation chosen, or the new one asked for,
    here): registering again with the address replaces them and the link, and confirming
    needs that attempt's password. The new organisation is created, and the person placed,
    only when the address is confirmed."""

    wagtail_reference_index_ignore = True  # a record about a person, not content

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_registration"
    )
    # The organisation chosen from the list, or (once confirmed) the new one created.
    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A new organisation asked for (created when the address is confirmed).
    new_name = models.CharField(max_length=200, blank=True)
    new_kind = models.CharField(max_length=16, blank=True)
    new_org_number = models.CharField(max_length=20, blank=True)
    new_contact = models.BooleanField(default=False)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("external registration")
        verbose_name_plural = _("external registrations")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class RecognitionRule(models.Model):
    """When an organisation that trained on a course is recognised publicly."""

    course = models.OneToOneField(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        related_name="recognition_rule",
        verbose_name=_("course"),
    )
    kind = models.CharField(
        _("rule"), max_length=16, choices=RuleKind.choices, default=RuleKind.CERTIFIED_PARTICIPANTS
    )
    min_certified = models.PositiveSmallIntegerField(
        _("certified participants needed"),
        default=2,
        help_text=_("For the rule 'at least N of its participants certified'."),
    )
    heading = models.CharField(
        _("heading of the public register"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'Organisations trained in diversity'. Empty: a heading from the course."),
    )

    class Meta:
        verbose_name = _("recognition rule")
        verbose_name_plural = _("recognition rules")

    def __str__(self) -> str:
        return str(self.course)


class Recognition(models.Model):
    """One organisation's standing on one course's register: met since when (None when the
    rule is not met now), expired, withdrawn by a coordinator (with the reason, kept), and
    the contact person's consent to be listed."""

    organisation = models.ForeignKey(
        "org.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    met_since = models.DateTimeField(_("recognised since"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("expired"), null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "course"], name="external_recognition_unique"
            )
        ]
        indexes = [models.Index(fields=["course", "met_since"], name="external_recog_course")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.course}"

    @property
    def state(self) -> RecognitionState:
        if self.withdrawn_at:
            return RecognitionState.WITHDRAWN
        if self.met_since:
            return RecognitionState.RECOGNISED
        if self.lapsed_at:
            return RecognitionState.EXPIRED
        return RecognitionState.NOT_YET

    @property
    def public_organisation_name(self) -> str | None:
        """The organisation's name where anyone may read it (the verification page), or
        None: only with its contact person's consent, as on the register."""
        return self.organisation.name if self.consent_at is not None else None

    @property
    def can_be_withdrawn(self) -> bool:
        """Only a granted recognition (met, not withdrawn) can be withdrawn: one never
        granted, or lapsed, is on no register to be taken off."""
        return self.state == RecognitionState.RECOGNISED

    @property
    def on_register(self) -> bool:
        return self.state == RecognitionState.RECOGNISED and self.consent_at is not None
