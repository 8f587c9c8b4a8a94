"""Unit certificates: issued when a unit meets a certification rule, lapsed when it stops,
with an email to the unit's managers and the HR scope holders when it is about to lapse
and when it has lapsed (each once).

Compliance judges units and announces each rule's day (compliance.api.UNIT_RULES_EVALUATED);
this module answers it. "About to lapse": the unit meets the rule today but would not if
the completions expiring within compliance.api.WARNING_DAYS had expired (the snapshot's
`at_risk`). Per rule and day, the work is a fixed number of queries whatever the number
of units (issue 21): the codes checked at once, one bulk insert of the new certificates,
one locked read and one update per kind of email mark, the recipients of all the day's
emails read at once; one render task for the rule's new certificates. Emails go out only
on a change.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.models import Page

from wagtail_learning.compliance.api import UnitRuleSnapshot
from wagtail_learning.org.api import Membership, Organisation, ReportingScope

from .codes import new_code, normalise_code
from .models import Certificate, CertificateDesign, UnitCertificate
from .rendering import _context, get_renderer, verification_url

logger = logging.getLogger(__name__)

__all__ = [
    "find_unit_certificate",
    "render_unit_certificate",
    "unit_certificate_context",
    "update_unit_certificates",
]


def _unused_codes(count: int) -> list[str]:
    """`count` distinct codes that no certificate holds: one query (again only on a
    collision, which is astronomically rare)."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(
            Certificate.objects.filter(code__in=fresh)
            .order_by()
            .values_list("code", flat=True)
            .union(
                UnitCertificate.objects.filter(code__in=fresh)
                .order_by()
                .values_list("code", flat=True)
            )
        )
        codes |= fresh - taken
    return sorted(codes)


def find_unit_certificate(typed_code: str) -> UnitCertificate | None:
    code = normalise_code(typed_code)
    return UnitCertificate.objects.filter(code=code).first() if code else None


def unit_certificate_context(certificate: UnitCertificate) -> dict:
    context = _context(
        certificate.get_design(),
        learner_name=certificate.unit_name,
        title=certificate.title,
        course_title=certificate.course_title,
        completed_at=certificate.certified_at,
        estimated_hours=None,
        organisation=certificate.organisation,
        code=certificate.code,
        expires_at=certificate.lapsed_at,
        language=certificate.language,
        kind="unit",
    )
    return context


def update_unit_certificates(*, rule, day, now: datetime) -> dict[str, int]:
    """After a rule's day is judged: issue certificates to units that meet it and have
    none in force, lapse those of units that no longer do, warn those about to lapse.
    Called inside the evaluation's transaction. A constant number of queries whatever the
    number of units: each kind of change is one bulk write, the recipients of all the
    day's emails are read at once."""
    snapshots = {
        s.unit_id: s
        for s in UnitRuleSnapshot.objects.filter(rule=rule, date=day).select_related("unit")
    }
    in_force = {
        c.unit_id: c
        for c in UnitCertificate.objects.filter(rule=rule, lapsed_at__isnull=True).select_related(
            "unit"
        )
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
    issued = []
    if to_issue:
        # A unit certified today that is already about to lapse is told so today.
        issued = _issue(rule, to_issue, now)
        to_warn += [c for c in issued if snapshots[c.unit_id].at_risk]
    if to_lapse:
        UnitCertificate.objects.filter(pk__in=[c.pk for c in to_lapse]).update(lapsed_at=now)
        for certificate in to_lapse:
            certificate.lapsed_at = now
    warned = _mark(to_warn, "warned_at", now)
    lapsed = _mark(to_lapse, "lapse_notified_at", now)
    if warned or lapsed:
        to = recipients_of([c.unit for c in [*warned, *lapsed]])
        for certificate in warned:
            _send(certificate, "warned_at", "certificates/email/unit_about_to_lapse.txt", to)
        for certificate in lapsed:
            _send(certificate, "lapse_notified_at", "certificates/email/unit_lapsed.txt", to)
    return {"issued": len(issued), "lapsed": len(to_lapse), "warned": len(to_warn)}


def _issue(rule, snapshots: list[UnitRuleSnapshot], now: datetime) -> list[UnitCertificate]:
    """One bulk insert; a unit issued meanwhile by a concurrent run is skipped (the
    constraint of one certificate in force per rule and unit), and only the certificates
    written here are returned."""
    course = Page.objects.filter(pk=rule.assignment.course_id).specific().first()
    design = getattr(course, "certificate_design", None) or CertificateDesign.get_default()
    revision = design.latest_revision if design is not None else None
    roots = {
        o.path: o.name
        for o in Organisation.objects.filter(
            path__in={s.unit.path[: Organisation.steplen] for s in snapshots}
        )
    }
    codes = _unused_codes(len(snapshots))
    UnitCertificate.objects.bulk_create(
        [
            UnitCertificate(
                rule=rule,
                unit=snapshot.unit,
                design=design,
                design_revision=revision,
                code=code,
                unit_name=snapshot.unit.name,
                title=rule.name,
                course_title=course.title if course else "",
                organisation=(design.organisation if design and design.organisation else "")
                or roots.get(snapshot.unit.path[: Organisation.steplen], ""),
                language=design.language if design is not None else "sv",
                certified_at=now,
            )
            for snapshot, code in zip(snapshots, codes, strict=True)
        ],
        ignore_conflicts=True,
    )
    created = list(
        UnitCertificate.objects.filter(rule=rule, code__in=codes)
        .select_related("unit")
        .order_by("unit__path")
    )
    if created:
        ids = [certificate.pk for certificate in created]
        transaction.on_commit(lambda: _enqueue_render(ids))
    return created


def _enqueue_render(certificate_ids: list[int]) -> None:
    """One task renders the day's new certificates of a rule (each its own render)."""
    from django_q.tasks import async_task

    async_task(
        "wagtail_learning.certificates.tasks.render_unit_certificates_task",
        certificate_ids,
        task_name=f"unit-certificates-{certificate_ids[0]}-{timezone.now():%Y%m%d%H%M%S%f}",
        group="certificates",
    )


def render_unit_certificate(certificate_id: int) -> UnitCertificate | None:
    """Render the PDF of a unit certificate; idempotent (a ready one is left alone)."""
    certificate = UnitCertificate.objects.filter(pk=certificate_id).first()
    if certificate is None or certificate.is_ready:
        return certificate
    try:
        rendered = get_renderer().render(unit_certificate_context(certificate))
    except Exception as error:
        UnitCertificate.objects.filter(pk=certificate.pk).update(
            status=Certificate.Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        logger.exception("Unit certificate %s failed to render", certificate.code)
        raise
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(rendered.content), save=False)
    certificate.status = Certificate.Status.READY
    certificate.rendered_at = timezone.now()
    certificate.last_error = ""
    certificate.save(update_fields=["pdf", "status", "rendered_at", "last_error"])
    return certificate


def recipients(unit: Organisation) -> list[str]:
    """The unit's managers (placed in the unit) and the holders of a reporting scope over
    it (HR), by email address."""
    return recipients_of([unit]).get(unit.pk, [])


def recipients_of(units: list[Organisation]) -> dict[int, list[str]]:
    """`recipients` for many units at once, by unit id: three queries whatever their
    number."""
    from django.contrib.auth import get_user_model

    units = list({unit.pk: unit for unit in units}.values())
    managers: dict[int, set[str]] = {}
    for unit_id, email in Membership.objects.filter(
        unit__in=units,
        user__learner_profile__is_manager=True,
        user__is_active=True,
    ).values_list("unit_id", "user__email"):
        managers.setdefault(unit_id, set()).add(email)
    ancestors = {
        unit.pk: [
            unit.path[:i]
            for i in range(Organisation.steplen, len(unit.path) + 1, Organisation.steplen)
        ]
        for unit in units
    }
    scopes = list(
        ReportingScope.objects.filter(
            unit__path__in={path for paths in ancestors.values() for path in paths}
        ).values_list("unit__path", "user_id", "group_id")
    )
    user_ids = {user_id for _path, user_id, _group in scopes if user_id}
    group_ids = {group_id for _path, _user, group_id in scopes if group_id}
    by_user: dict[int, str] = {}
    by_group: dict[int, set[str]] = {}
    if user_ids or group_ids:
        rows = (
            get_user_model()
            .objects.filter(Q(pk__in=user_ids) | Q(groups__in=group_ids), is_active=True)
            .values_list("pk", "email", "groups")
        )
        for pk, email, group_id in rows:
            by_user[pk] = email
            if group_id in group_ids:
                by_group.setdefault(group_id, set()).add(email)
    result = {}
    for unit in units:
        over = set(ancestors[unit.pk])
        hr: set[str] = set()
        for path, user_id, group_id in scopes:
            if path not in over:
                continue
            if user_id and user_id in by_user:
                hr.add(by_user[user_id])
            if group_id:
                hr |= by_group.get(group_id, set())
        result[unit.pk] = sorted({e for e in managers.get(unit.pk, set()) | hr if e})
    return result


def _mark(certificates: list[UnitCertificate], field: str, now: datetime):
    """Mark the certificates whose email (`field`) is not sent yet, and return those: the
    mark is set before sending (under the evaluation's transaction, the rows locked), so
    a second or concurrent run finds it sent. Two queries for all of them."""
    if not certificates:
        return []
    unsent = set(
        UnitCertificate.objects.select_for_update()
        .filter(pk__in=[c.pk for c in certificates], **{f"{field}__isnull": True})
        .values_list("pk", flat=True)
    )
    if unsent:
        UnitCertificate.objects.filter(pk__in=unsent).update(**{field: now})
    marked = [c for c in certificates if c.pk in unsent]
    for certificate in marked:
        setattr(certificate, field, now)
    return marked


def _send(certificate: UnitCertificate, field: str, template: str, to: dict) -> None:
    """Send one of the two emails (already marked as sent)."""
    to = to.get(certificate.unit_id, [])
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
