"""The accessibility statement (one per site, edited under Settings) and the barriers people
report through the statement's form."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField

from .blocks import BarrierBlock
from .vocabulary import AssessmentMethod, Conformance, ReportStatus

# The standard the law points at (EN 301 549 takes in WCAG 2.1 AA): a name, not prose.
DEFAULT_STANDARD = "WCAG 2.1 AA (EN 301 549 V3.2.1)"


@register_setting(icon="info-circle")
class AccessibilityStatement(BaseGenericSetting):
    """The platform's accessibility statement (one: the platform is one service, decision
    0037), on the structure DIGG recommends (the EU model statement): who stands behind
    the service, how accessible it is, the known barriers and their plan, how to report
    one, the enforcement procedure (fixed text with DIGG's link, in the template), and
    when and how the service was assessed."""

    organisation_name = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("Who stands behind the service, e.g. Huddinge kommun."),
    )
    conformance = models.CharField(
        _("how accessible the service is"),
        max_length=16,
        choices=Conformance.choices,
        default=Conformance.PARTIAL,
    )
    standard = models.CharField(
        _("standard"),
        max_length=200,
        default=DEFAULT_STANDARD,
        help_text=_("The requirements the service is measured against."),
    )
    conformance_note = models.TextField(
        _("about the level"),
        blank=True,
        help_text=_("Optional: a sentence or two on how accessible the service is."),
    )
    barriers = StreamField(
        [("barrier", BarrierBlock())],
        verbose_name=_("known barriers"),
        blank=True,
    )
    alternatives = models.TextField(
        _("if you cannot use parts of the service"),
        blank=True,
        help_text=_("How people can get the content or service in another way."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Receives the barrier reports sent through the form."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    response_time = models.CharField(
        _("response time"),
        max_length=200,
        blank=True,
        help_text=_("E.g. We answer within five working days."),
    )
    assessment_method = models.CharField(
        _("how the service was assessed"),
        max_length=16,
        choices=AssessmentMethod.choices,
        default=AssessmentMethod.SELF,
    )
    assessment_note = models.TextField(
        _("about the assessment"),
        blank=True,
        help_text=_("Who assessed it and how: tools, manual checks, user tests."),
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    published_on = models.DateField(_("service published on"), null=True, blank=True)
    reviewed_on = models.DateField(_("statement last reviewed on"), null=True, blank=True)

    panels = [
        HelpPanel(
            content=_(
                "Shown at /tillganglighet/ and linked from every page. The enforcement "
                "procedure (Myndigheten för digital förvaltning, DIGG) is always part of it."
            )
        ),
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("conformance"), FieldPanel("standard")]),
                FieldPanel("conformance_note"),
            ],
            heading=_("How accessible is the service?"),
        ),
        FieldPanel("barriers"),
        FieldPanel("alternatives"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("response_time")]),
            ],
            heading=_("Contact and reports"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("assessment_method"),
                FieldPanel("assessment_note"),
                FieldRowPanel(
                    [
                        FieldPanel("assessed_on"),
                        FieldPanel("published_on"),
                        FieldPanel("reviewed_on"),
                    ]
                ),
            ],
            heading=_("How we tested the service"),
        ),
    ]

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")


class BarrierReport(models.Model):
    """A barrier someone met, as they reported it, and how it is being handled. The
    contact details are the reporter's own choice and leave with the retention rule
    (accessibility.services.purge_report_contacts) or the person's anonymisation."""

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    description = models.TextField(_("description"))
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email address"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.NEW,
        db_index=True,
    )
    note = models.TextField(
        _("handling note"),
        blank=True,
        help_text=_("For those who handle reports: what was done, or why it was rejected."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("barrier report")
        verbose_name_plural = _("barrier reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="accessibility_report_closed_iff_fixed_or_rejected",
                condition=(
                    Q(status__in=ReportStatus.closed(), closed_at__isnull=False)
                    | (~Q(status__in=ReportStatus.closed()) & Q(closed_at__isnull=True))
                ),
            )
        ]

    def __str__(self) -> str:
        return Truncator(self.description).chars(60)
