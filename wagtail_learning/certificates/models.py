"""Certificate designs (authored by editors) and issued certificates (records)."""

from __future__ import annotations

import html
import re
from datetime import datetime

import swapper
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from wagtail_learning.lms.api import protected_storage
from wagtail_learning.org.api import owner_field

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")

PLACEHOLDERS = {
    "learner_name": _("the learner's name"),
    "title": _("the course or module title"),
    "completion_date": _("the completion date"),
    "estimated_hours": _("the estimated hours"),
    "organisation": _("the organisation"),
    "contents": _("what the training contained (its required steps), in the design's language"),
    "contents_en": _("what the training contained, in English"),
}
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")

# What a certificate design may be written in (its texts are in our catalogue).
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]


def _placeholder_help() -> str:
    return ", ".join(f"{{{key}}}" for key in PLACEHOLDERS)


class CertificateDesign(RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel):
    """How a certificate looks. Chosen by a course, and optionally by each module."""

    class PageSize(models.TextChoices):
        A4 = "A4", "A4"
        A5 = "A5", "A5"
        LETTER = "letter", "Letter"

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    name = models.CharField(_("name"), max_length=200, help_text=_("For editors only."))
    owner = owner_field()  # org.ownership, decision 0035
    is_default = models.BooleanField(
        _("default design"),
        default=False,
        help_text=_(
            "Used for every course and module that names no design of its own. "
            "Only one design can be the default."
        ),
    )
    page_size = models.CharField(
        _("page size"), max_length=8, choices=PageSize.choices, default="A4"
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default="landscape"
    )
    # The languages our certificate texts exist in, not the site's LANGUAGES: a host's
    # list (Django's default has a hundred) would change the field and have its
    # makemigrations write a migration into our package.
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="sv")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    background = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("background image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    heading = models.CharField(_("heading"), max_length=200, default="Intyg")
    body = RichTextField(
        _("text"),
        features=["bold", "italic", "h2", "h3"],
        # format_lazy, not %: a string formatted at import would be in whatever language
        # was active then, and makemigrations would see a changed field.
        help_text=format_lazy(_("Placeholders: {list}."), list=_placeholder_help()),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Empty: the certificate never expires."),
    )
    extra_css = models.TextField(
        _("extra CSS"),
        blank=True,
        help_text=_("Optional. Only our own static and media files can be referenced."),
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="certificatedesign")

    panels = [
        FieldPanel("name"),
        FieldPanel("is_default"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("page_size"), FieldPanel("orientation")]),
                FieldRowPanel([FieldPanel("language"), FieldPanel("validity_months")]),
            ],
            heading=_("Format and validity"),
        ),
        FieldRowPanel([FieldPanel("logo"), FieldPanel("background")]),
        FieldPanel("heading"),
        FieldPanel("body"),
        FieldPanel("organisation"),
        InlinePanel("signatories", heading=_("Signatories"), label=_("Signatory"), max_num=3),
        FieldPanel("extra_css"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    preview_modes = [("", _("Web")), ("pdf", "PDF")]

    class Meta:
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")
        ordering = ["name"]
        constraints = [
            # The design issued when a page names none: at most one, so which is never a guess.
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="certificates_one_default_design",
                violation_error_message=_(
                    "Another design is the default already. Untick it there first."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def get_default(cls) -> CertificateDesign | None:
        """The design for courses and modules that name none (created by migration 0004)."""
        return cls.objects.filter(is_default=True).first()

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        if not html.unescape(strip_tags(self.body or "")).strip():
            # An editor that has not yet copied what was typed sends an empty paragraph
            # (Draftail, a quick Save): "required" must see through it, or the design is
            # saved without words (issue 21).
            raise ValidationError({"body": _("This field is required.")})
        unknown = sorted(set(_PLACEHOLDER_RE.findall(self.body or "")) - set(PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown placeholder(s): %(names)s. Use %(list)s.")
                    % {"names": ", ".join(f"{{{n}}}" for n in unknown), "list": _placeholder_help()}
                }
            )
        from .css import css_problems

        problems = css_problems(self.extra_css or "")
        if problems:
            raise ValidationError({"extra_css": problems[:10]})

    def expiry_for(self, completed_at: datetime) -> datetime | None:
        """When a certificate of this design completed at `completed_at` expires; None
        when it never does."""
        if not self.validity_months:
            return None
        return completed_at + relativedelta(months=self.validity_months)

    def get_preview_template(self, request, mode_name):
        return "certificates/certificate.html"

    def get_preview_context(self, request, mode_name):
        from .rendering import sample_context

        return {**super().get_preview_context(request, mode_name), **sample_context(self)}

    def serve_preview(self, request, mode_name):
        if mode_name == "pdf":
            from django.http import HttpResponse

            from .rendering import render_sample_pdf

            response = HttpResponse(render_sample_pdf(self), content_type="application/pdf")
            response["Content-Disposition"] = 'inline; filename="preview.pdf"'
            return response
        return super().serve_preview(request, mode_name)


class CertificateSignatory(Orderable):
    design = ParentalKey(CertificateDesign, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("title")]), FieldPanel("signature")]

    class Meta(Orderable.Meta):
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")


class Certificate(models.Model):
    """An issued certificate: a record. What it says is frozen when it is issued."""

    # A record about a person, not content: kept out of Wagtail's reference index, so the
    # "usage" pages of a course, a design or a user do not list learners' certificates to
    # everyone who may edit those (the wall, decision 0013).
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Validity(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        MODULE = "module", _("Module")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    page = models.ForeignKey(PAGE_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # One certificate per completion (learner, target and completion cycle).
    completion = models.OneToOneField(
        "lms.Completion", on_delete=models.SET_NULL, null=True, related_name="certificate"
    )
    design = models.ForeignKey(
        CertificateDesign, on_delete=models.SET_NULL, null=True, related_name="certificates"
    )
    design_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    learner_name = models.CharField(_("learner name"), max_length=300)
    title = models.CharField(_("title"), max_length=300)
    # A module's certificate names its course ("Grundmodul, in the course ..."); frozen too.
    course_title = models.CharField(_("course"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    estimated_hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    # The kinds of required steps and their counts, [[kind, count], ...], frozen at issue:
    # what the certificate says the training contained (certificates.contents).
    contents = models.JSONField(_("contents"), default=list, blank=True)
    language = models.CharField(max_length=8, default="sv")
    completed_at = models.DateTimeField(_("completed"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(storage=protected_storage, upload_to="certificates/%Y/", blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    render_claimed_at = models.DateTimeField(null=True, blank=True)
    # When a render task was last put on the queue: the sweep re-enqueues a pending one only
    # when that was CERTIFICATES_PENDING_GRACE_SECONDS ago, not on every run while a backlog drains.
    render_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["status", "issued_at"], name="cert_status_issued"),
            models.Index(fields=["user", "-issued_at"], name="cert_user_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.learner_name}: {self.title}"

    def get_design(self) -> CertificateDesign:
        """The design as it was when the certificate was issued (its revision). When the
        design was deleted (its revisions go with it) the record still holds every fact:
        the default layout prints them rather than fail."""
        if self.design_revision is not None:
            return self.design_revision.as_object()
        return self.design or CertificateDesign(language=self.language)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_ready(self) -> bool:
        """The PDF exists and can be downloaded."""
        return self.status == self.Status.READY and bool(self.pdf)

    @property
    def validity(self) -> Certificate.Validity:
        """Revoked, expired or valid (in that order): what every page and the training
        record say about the certificate."""
        if self.is_revoked:
            return self.Validity.REVOKED
        if self.is_expired:
            return self.Validity.EXPIRED
        return self.Validity.VALID

    def get_validity_display(self) -> str:
        return self.validity.label

    @property
    def valid_until(self):
        """The expiry date of a certificate that is valid now; None when it never expires
        or is no longer valid."""
        return self.expires_at if self.validity == self.Validity.VALID else None


class UnitCertificate(models.Model):
    """A unit's certificate: issued when the unit meets a certification rule, lapsed (with
    the date) when a day's evaluation finds it no longer does. A record, like Certificate;
    what it says is frozen when issued. At most one is in force per rule and unit."""

    wagtail_reference_index_ignore = True

    class Validity(models.TextChoices):
        VALID = "valid", _("Valid")
        LAPSED = "lapsed", _("Lapsed")

    rule = models.ForeignKey(
        "compliance.CertificationRule", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="unit_certificates"
    )
    design = models.ForeignKey(
        CertificateDesign, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    design_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    unit_name = models.CharField(_("unit"), max_length=300)
    title = models.CharField(_("rule"), max_length=300)
    course_title = models.CharField(_("course"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    language = models.CharField(max_length=8, default="sv")
    certified_at = models.DateTimeField(_("certified"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=Certificate.Status.choices,
        default=Certificate.Status.PENDING,
    )
    pdf = models.FileField(storage=protected_storage, upload_to="unit-certificates/%Y/", blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Each email goes out once: "about to lapse" and "lapsed".
    warned_at = models.DateTimeField(null=True, blank=True)
    lapse_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("unit certificate")
        verbose_name_plural = _("unit certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit"],
                condition=models.Q(lapsed_at__isnull=True),
                name="certificates_one_unit_certificate_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.unit_name}: {self.title}"

    @property
    def validity(self) -> UnitCertificate.Validity:
        return self.Validity.LAPSED if self.lapsed_at else self.Validity.VALID

    @property
    def is_ready(self) -> bool:
        return self.status == Certificate.Status.READY and bool(self.pdf)

    def get_design(self) -> CertificateDesign:
        if self.design_revision is not None:
            return self.design_revision.as_object()
        return self.design or CertificateDesign(language=self.language)
