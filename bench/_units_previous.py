"""The unit certificates' answer to a judged rule as it was before issue 21 (one insert,
one code lookup and, per email, a mark and the recipients' reads per certificate), kept
only so bench/units.py can measure it against the current one in the same run.
Not used by the application."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.models import Page

from wagtail_learning.certificates.codes import new_code
from wagtail_learning.certificates.models import Certificate, CertificateDesign, UnitCertificate
from wagtail_learning.certificates.rendering import verification_url
from wagtail_learning.compliance.api import UnitRuleSnapshot
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation, ReportingScope

logger = logging.getLogger(__name__)


def _unused_code() -> str:
    while True:
        code = new_code()
        taken = (
            Certificate.objects.filter(code=code).exists()
            or UnitCertificate.objects.filter(code=code).exists()
        )
        if not taken:
            return code


def update_unit_certificates(*, rule, day, now: datetime) -> dict[str, int]:
    """After a rule's day is judged: issue certificates to units that meet it and have
    none in force, lapse those of units that no longer do, warn those about to lapse.
    Called inside the evaluation's transaction."""
    snapshots = {
        s.unit_id: s
        for s in UnitRuleSnapshot.objects.filter(rule=rule, date=day).select_related("unit")
    }
    in_force = {
        c.unit_id: c for c in UnitCertificate.objects.filter(rule=rule, lapsed_at__isnull=True)
    }
    to_issue = [s for unit_id, s in snapshots.items() if s.met and unit_id not in in_force]
    to_lapse = [
        c for unit_id, c in in_force.items() if unit_id in snapshots and not snapshots[unit_id].met
    ]
    to_warn = [
        c
        for unit_id, c in in_force.items()
        if unit_id in snapshots and snapshots[unit_id].met and snapshots[unit_id].at_risk
        if c.warned_at is None
    ]
    if to_issue:
        # A unit certified today that is already about to lapse is told so today.
        issued = _issue(rule, to_issue, now)
        to_warn += [c for c in issued if snapshots[c.unit_id].at_risk]
    if to_lapse:
        UnitCertificate.objects.filter(pk__in=[c.pk for c in to_lapse]).update(lapsed_at=now)
        for certificate in to_lapse:
            certificate.lapsed_at = now
    for certificate in to_warn:
        _notify(certificate, "warned_at", "certificates/email/unit_about_to_lapse.txt", now)
    for certificate in to_lapse:
        _notify(certificate, "lapse_notified_at", "certificates/email/unit_lapsed.txt", now)
    return {"issued": len(to_issue), "lapsed": len(to_lapse), "warned": len(to_warn)}


def _issue(rule, snapshots: list[UnitRuleSnapshot], now: datetime) -> list[UnitCertificate]:
    course = Page.objects.filter(pk=rule.assignment.course_id).specific().first()
    design = getattr(course, "certificate_design", None) or CertificateDesign.get_default()
    roots = {
        o.path: o.name
        for o in Organisation.objects.filter(
            path__in={s.unit.path[: Organisation.steplen] for s in snapshots}
        )
    }
    created = []
    for snapshot in snapshots:
        certificate = UnitCertificate(
            rule=rule,
            unit=snapshot.unit,
            design=design,
            design_revision=design.latest_revision if design is not None else None,
            code=_unused_code(),
            unit_name=snapshot.unit.name,
            title=rule.name,
            course_title=course.title if course else "",
            organisation=(design.organisation if design and design.organisation else "")
            or roots.get(snapshot.unit.path[: Organisation.steplen], ""),
            language=design.language if design is not None else "sv",
            certified_at=now,
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:  # issued meanwhile by a concurrent run
            continue
        created.append(certificate)
    for certificate in created:
        transaction.on_commit(lambda pk=certificate.pk: _enqueue_render(pk))
    return created


def _enqueue_render(certificate_id: int) -> None:
    from django_q.tasks import async_task

    async_task(
        "wagtail_learning.certificates.tasks.render_unit_certificate_task",
        certificate_id,
        task_name=f"unit-certificate-{certificate_id}-{timezone.now():%Y%m%d%H%M%S%f}",
        group="certificates",
    )


def recipients(unit: Organisation) -> list[str]:
    """The unit's managers (placed in the unit) and the holders of a reporting scope over
    it (HR), by email address."""
    managers = LearnerProfile.objects.filter(
        is_manager=True,
        user__in=Membership.objects.filter(unit=unit).values("user"),
        user__is_active=True,
    ).values_list("user__email", flat=True)
    ancestors = [
        unit.path[:i] for i in range(Organisation.steplen, len(unit.path) + 1, Organisation.steplen)
    ]
    scopes = ReportingScope.objects.filter(unit__path__in=ancestors)
    from django.contrib.auth import get_user_model

    hr = (
        get_user_model()
        .objects.filter(
            Q(pk__in=scopes.values("user")) | Q(groups__in=scopes.values("group")),
            is_active=True,
        )
        .values_list("email", flat=True)
    )
    return sorted({email for email in [*managers, *hr] if email})


def _notify(certificate: UnitCertificate, field: str, template: str, now: datetime) -> None:
    """Send one of the two emails, once: the mark is set before sending (under the
    evaluation's transaction), so a second run finds it sent."""
    if not UnitCertificate.objects.filter(pk=certificate.pk, **{f"{field}__isnull": True}).update(
        **{field: now}
    ):
        return
    to = recipients(certificate.unit)
    if not to:
        return
    with translation.override(certificate.language):
        body = render_to_string(
            template, {"certificate": certificate, "verify_url": verification_url(certificate.code)}
        )
        subject, _blank, text = body.partition("\n")
    try:
        send_mail(subject.strip(), text.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to)
    except Exception:
        # Not sent: unmark it, so the next evaluation tries again; the day's verdicts stand.
        UnitCertificate.objects.filter(pk=certificate.pk).update(**{field: None})
        logger.exception("Email about unit certificate %s not sent", certificate.code)
