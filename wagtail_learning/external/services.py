"""The rules of external participation: registration and its emailed link, organisations'
approval and contact persons, recognition and consent. Views call these; nothing here
knows about requests."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning.certificates.codes import new_code
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.lms import api as lms
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation, ReportingScope

from .models import ExternalOrganisation, ExternalRegistration, Recognition, RecognitionRule
from .vocabulary import ApprovalStatus, RuleKind, VerifyOutcome

__all__ = [
    "EXTERNAL_KINDS",
    "LINK_MAX_AGE",
    "NewOrganisation",
    "approve_organisation",
    "evaluate_recognitions",
    "get_listed_organisations",
    "get_recognition",
    "get_register",
    "give_consent",
    "is_contact_person",
    "is_waiting_for_approval",
    "make_verification_token",
    "name_key",
    "register_participant",
    "reject_organisation",
    "resend_verification",
    "revoke_consent",
    "set_contact_person",
    "unconfirmed_registration",
    "verify_registration",
    "withdraw_recognition",
]

EXTERNAL_KINDS = (Organisation.Kind.ASSOCIATION, Organisation.Kind.BUSINESS)
LINK_MAX_AGE = timedelta(hours=48)
_SALT = "external.verify-email"


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    kind: str
    org_number: str = ""
    contact: bool = False  # the registrant will be its contact person


# --- Organisations ---------------------------------------------------------------------


def get_listed_organisations() -> QuerySet[Organisation]:
    """The associations and businesses a registering person may choose: roots of those
    kinds that no coordinator has yet to approve (one added by a coordinator has no
    pending record and is listed)."""
    return (
        Organisation.objects.filter(depth=1, kind__in=EXTERNAL_KINDS)
        .exclude(external__status__in=[ApprovalStatus.PENDING, ApprovalStatus.REJECTED])
        .order_by("name")
    )


def is_contact_person(user) -> bool:
    """Has `user` a reporting scope on an association or business (a contact person)?"""
    if not user.is_authenticated:
        return False
    return ReportingScope.objects.filter(user=user, unit__kind__in=EXTERNAL_KINDS).exists()


def _record(organisation: Organisation) -> ExternalOrganisation:
    record, _created = ExternalOrganisation.objects.get_or_create(
        organisation=organisation, defaults={"status": ApprovalStatus.APPROVED}
    )
    return record


def _is_waiting(organisation: Organisation | None) -> bool:
    """Does `organisation` wait for (or was it refused) a coordinator's approval?"""
    return ExternalOrganisation.objects.filter(
        organisation=organisation, status__in=[ApprovalStatus.PENDING, ApprovalStatus.REJECTED]
    ).exists()


# Words that make no difference to whose name it is: "Huddinge", "Huddinge kommun",
# "Huddinge stad" and "Region Huddinge" name the same place to a reader; "Cykel AB" and
# "Cykel Aktiebolag" the same business.
_AFFIXES = frozenset({"kommun", "stad", "region", "ab", "aktiebolag", "hb", "kb"})


def name_key(name: str) -> str:
    """What a reader takes a name to say: case, accents, punctuation and spacing dropped,
    then the affixes above at either end, then a genitive or plural "s" at the end of a
    longer last word ("Stockholms stad" is Stockholm, "Borås" and "Borås stad" alike)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = re.sub(r"[\W_]+", " ", text).split()
    while words and words[-1] in _AFFIXES:
        words.pop()
    while words and words[0] in _AFFIXES:
        words.pop(0)
    if words and len(words[-1]) > 3 and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _same_or_resembled(name: str) -> tuple[Organisation | None, Organisation | None]:
    """Among the existing roots: the association or business named `name` (case and
    spacing aside), else the organisation of any kind whose name reads like it."""
    spelled, key = name.casefold(), name_key(name)
    resembled = None
    for organisation in Organisation.objects.filter(depth=1).order_by("pk"):
        if organisation.kind in EXTERNAL_KINDS and (
            " ".join(organisation.name.split()).casefold() == spelled
        ):
            return organisation, None
        if resembled is None and key and name_key(organisation.name) == key:
            resembled = organisation
    return None, resembled


def _create_organisation(new: NewOrganisation, *, registrant) -> Organisation:
    """A new root of the kind given, waiting for approval. The same name typed again (by a
    colleague before approval) joins that association or business instead of making a
    duplicate. A name that reads like an existing organisation's (`name_key`: "huddinge
    stad" beside Huddinge kommun) is a new one waiting like any other, and its record
    names the organisation it resembles, for the approving coordinator."""
    name = " ".join(new.name.split())
    existing, resembles = _same_or_resembled(name)
    if existing is not None:
        return existing
    organisation = Organisation.add_root(name=name, kind=new.kind)
    ExternalOrganisation.objects.create(
        organisation=organisation,
        org_number=new.org_number.strip(),
        status=ApprovalStatus.PENDING,
        contact_person=registrant if new.contact else None,
        resembles=resembles,
    )
    return organisation


def _place(user, organisation: Organisation | None) -> None:
    """`user`'s learner profile as an external participant, and their place in
    `organisation` unless it waits for approval: an organisation nobody has approved is
    nobody's shown organisation (approving it places its people)."""
    unit = None if _is_waiting(organisation) else organisation
    profile, _created = LearnerProfile.objects.get_or_create(
        user=user, defaults={"unit": unit, "kind": LearnerProfile.Kind.EXTERNAL}
    )
    if unit is None:
        return
    if profile.unit_id is None:
        profile.unit = unit
        profile.save(update_fields=["unit"])
    Membership.objects.get_or_create(user=user, unit=unit)


def set_contact_person(organisation: Organisation, user) -> None:
    """`user` becomes the organisation's contact person: a reporting scope on its root, so
    the wall shows them its participants and nobody else's. The previous contact person's
    scope on it goes."""
    with transaction.atomic():
        record = _record(organisation)
        if record.contact_person_id and record.contact_person_id != user.pk:
            ReportingScope.objects.filter(
                user_id=record.contact_person_id, unit=organisation
            ).delete()
        record.contact_person = user
        record.save(update_fields=["contact_person"])
        if record.is_approved:
            ReportingScope.objects.get_or_create(user=user, unit=organisation)


def approve_organisation(record: ExternalOrganisation, *, user) -> None:
    """A coordinator approves an organisation typed in at registration: it is listed for
    others to choose, may appear on registers, the people who registered with it are
    placed in it, and its contact person gets their scope."""
    with transaction.atomic():
        record.status = ApprovalStatus.APPROVED
        record.decided_at = timezone.now()
        record.decided_by = user
        record.save(update_fields=["status", "decided_at", "decided_by"])
        registrations = ExternalRegistration.objects.filter(
            organisation=record.organisation, verified_at__isnull=False
        ).select_related("user")
        for registration in registrations:
            _place(registration.user, record.organisation)
        if record.contact_person_id:
            ReportingScope.objects.get_or_create(
                user_id=record.contact_person_id, unit=record.organisation
            )


def reject_organisation(record: ExternalOrganisation, *, user) -> None:
    """Not listed, never on a register; its people keep studying (their certificates are
    theirs). No contact person scope is granted."""
    record.status = ApprovalStatus.REJECTED
    record.decided_at = timezone.now()
    record.decided_by = user
    record.save(update_fields=["status", "decided_at", "decided_by"])


# --- Registration and the emailed link -------------------------------------------------


def make_verification_token(registration: ExternalRegistration) -> str:
    return signing.dumps({"r": registration.pk, "n": registration.nonce}, salt=_SALT)


def _send_link(registration: ExternalRegistration) -> None:
    registration.nonce = secrets.token_hex(16)
    registration.sent_at = timezone.now()
    registration.save(update_fields=["nonce", "sent_at"])
    token = make_verification_token(registration)
    context = {
        "user": registration.user,
        "course": registration.course,
        "link": lms.public_url(reverse("external:verify", args=[token])),
        "hours": LINK_MAX_AGE // timedelta(hours=1),
    }
    send_mail(
        _("Confirm your email address"),
        render_to_string("external/email/verify.txt", context),
        None,
        [registration.user.email],
    )


def _tell_existing_account(user, course) -> None:
    """The address already has an account: tell its owner, not the person on the form
    (who sees the same page either way, so the form reveals no accounts)."""
    context = {
        "user": user,
        "course": course,
        "login": lms.public_url(reverse("login")),
    }
    send_mail(
        _("Someone tried to register with your email address"),
        render_to_string("external/email/already_registered.txt", context),
        None,
        [user.email],
    )


def _account_for(email: str):
    return (
        get_user_model()
        .objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
        .first()
    )


def register_participant(
    *,
    course,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    organisation: Organisation | None = None,
    new_organisation: NewOrganisation | None = None,
) -> None:
    """Register an external participant for `course` and email them a link to confirm
    their address. The account is inactive until then. The rows are written atomically;
    the email goes after (if it fails, "send the link again" works).

    An unconfirmed registration of the address is replaced by this attempt (its password,
    name and organisation) with a new link: older links stop working, and confirming needs
    this attempt's password, so whoever registered first (perhaps with somebody else's
    address) owns nothing. An address with any other account: nothing is created or
    changed, its owner is told by email.
    `organisation` must be a listed one; otherwise `new_organisation` is created, waiting
    for a coordinator's approval, when the address is confirmed."""
    email = email.strip().lower()
    details = {
        "course": course,
        "first_name": first_name,
        "last_name": last_name,
        "password": password,
        "organisation": organisation,
        "new_organisation": new_organisation,
    }
    try:
        with transaction.atomic():
            existing = _account_for(email)
            if existing is None:
                registration = _create_registration(email=email, **details)
            else:
                registration = (
                    ExternalRegistration.objects.select_for_update()
                    .filter(user=existing, verified_at__isnull=True)
                    .first()
                )
                if registration is not None:
                    _replace_attempt(registration, **details)
    except IntegrityError:  # the same address registered at the same moment: theirs stands
        return
    if registration is None:
        _tell_existing_account(existing, course)
    else:
        _send_link(registration)


def _keep_attempt(
    registration, *, course, first_name, last_name, password, organisation, new_organisation
) -> None:
    """This attempt's details, on the inactive user and the registration (the previous
    attempt's are gone)."""
    user = registration.user
    user.first_name, user.last_name = first_name, last_name
    user.set_password(password)
    user.save(update_fields=["first_name", "last_name", "password"])
    new = new_organisation if organisation is None else None
    registration.course = course
    registration.organisation = organisation
    registration.new_name = new.name.strip() if new else ""
    registration.new_kind = new.kind if new else ""
    registration.new_org_number = new.org_number.strip() if new else ""
    registration.new_contact = bool(new and new.contact)
    registration.save()


def _create_registration(*, email, **details) -> ExternalRegistration:
    user = get_user_model()(username=email, email=email)
    user.is_active = False
    user.save()
    registration = ExternalRegistration(user=user, nonce="")
    _keep_attempt(registration, **details)
    return registration


def _replace_attempt(registration, **details) -> None:
    # Nothing of an earlier attempt stays: not its password, nor a place it was given
    # (registrations made before attempts were kept apart placed people at once).
    LearnerProfile.objects.filter(user=registration.user).delete()
    Membership.objects.filter(user=registration.user).delete()
    _keep_attempt(registration, **details)


def unconfirmed_registration(user) -> ExternalRegistration | None:
    """`user`'s registration still waiting for its address to be confirmed, if any."""
    return ExternalRegistration.objects.filter(user=user, verified_at__isnull=True).first()


def resend_verification(email: str) -> None:
    """A new link for an unconfirmed registration of `email` (older links stop working);
    nothing when there is none (callers answer the same either way)."""
    registration = (
        ExternalRegistration.objects.filter(
            user__email__iexact=email.strip(), verified_at__isnull=True
        )
        .select_related("user", "course")
        .first()
    )
    if registration is not None:
        _send_link(registration)


def verify_registration(
    token: str, *, password: str | None = None, now: datetime | None = None
) -> tuple[VerifyOutcome, ExternalRegistration | None]:
    """Follow an emailed link: with the password of the attempt the link was sent for, the
    first use of a valid, unexpired, latest link activates the account, creates the new
    organisation asked for (waiting for approval), places the person and enrols them in
    the course they registered for, if it still accepts external participants. Atomic; a
    link used twice at once activates once. Without a password it only checks the link
    (the page a GET shows: mail scanners open links, and must not use them up); a wrong
    one uses up nothing."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        return VerifyOutcome.EXPIRED, None
    except signing.BadSignature:
        return VerifyOutcome.INVALID, None
    if not isinstance(data, dict):
        return VerifyOutcome.INVALID, None
    registration = (
        ExternalRegistration.objects.filter(pk=data.get("r"))
        .select_related("user", "course")
        .first()
    )
    if registration is None:
        return VerifyOutcome.INVALID, None
    if registration.verified_at is not None:
        return VerifyOutcome.USED, registration
    if registration.nonce != data.get("n"):
        return VerifyOutcome.EXPIRED, registration  # a newer link was sent since
    if password is None:
        return VerifyOutcome.VERIFIED, registration
    if not registration.user.check_password(password):
        return VerifyOutcome.WRONG_PASSWORD, registration
    with transaction.atomic():
        won = ExternalRegistration.objects.filter(
            pk=registration.pk, verified_at__isnull=True, nonce=data.get("n")
        ).update(verified_at=now)
        if not won:
            return VerifyOutcome.USED, registration
        registration.verified_at = now
        user = registration.user
        user.is_active = True
        user.save(update_fields=["is_active"])
        if registration.new_name:  # (then no organisation was chosen)
            registration.organisation = _create_organisation(
                NewOrganisation(
                    name=registration.new_name,
                    kind=registration.new_kind,
                    org_number=registration.new_org_number,
                    contact=registration.new_contact,
                ),
                registrant=user,
            )
            registration.save(update_fields=["organisation"])
        _place(user, registration.organisation)
        course = registration.course
        if course is not None and course.specific.accepts_external:
            lms.enrol_learner(user, course=course.specific)
    return VerifyOutcome.VERIFIED, registration


def is_waiting_for_approval(registration: ExternalRegistration) -> bool:
    """Does the organisation `registration` is for wait for a coordinator's approval?"""
    return _is_waiting(registration.organisation)


# --- Recognition -----------------------------------------------------------------------


def get_recognition(organisation: Organisation, course) -> Recognition:
    recognition, _created = Recognition.objects.get_or_create(
        organisation=organisation, course_id=course.pk, defaults={"code": new_code()}
    )
    return recognition


def _valid_certificates(course_id: int, root: Organisation, now: datetime) -> QuerySet:
    people = Membership.objects.filter(unit__path__startswith=root.path).values("user_id")
    return Certificate.objects.filter(
        page_id=course_id, kind="course", revoked_at__isnull=True, user_id__in=people
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _met_at(rule: RecognitionRule, root: Organisation, now: datetime) -> datetime | None:
    """When the rule became true with the certificates valid now; None when it is not."""
    certificates = _valid_certificates(rule.course_id, root, now)
    if rule.kind == RuleKind.CONTACT_PERSON:
        contact = ExternalOrganisation.objects.filter(organisation=root).values_list(
            "contact_person_id", flat=True
        )
        certificates = certificates.filter(user_id__in=contact)
        needed = 1
    else:
        needed = max(1, rule.min_certified)
    # One certificate per person counts (a renewal is not a second participant).
    firsts = sorted(
        {
            user_id: completed_at
            for user_id, completed_at in certificates.order_by("-completed_at").values_list(
                "user_id", "completed_at"
            )
        }.values()
    )
    return firsts[needed - 1] if len(firsts) >= needed else None


def evaluate_recognitions(*, course_ids=None, user_ids=None, now: datetime | None = None) -> int:
    """Bring recognitions up to date: an organisation that meets its course's rule is
    recognised (since the certificate that met it), one that no longer does expires.
    Limited to some courses or to the organisations of some people when given (after a
    certificate changed); the daily run does all. Returns how many changed."""
    now = now or timezone.now()
    rules = RecognitionRule.objects.select_related("course")
    if course_ids is not None:
        rules = rules.filter(course_id__in=course_ids)
    changed = 0
    for rule in rules:
        enrolled = lms.Enrolment.objects.filter(course_id=rule.course_id).values("user_id")
        roots = Organisation.objects.filter(
            depth=1, kind__in=EXTERNAL_KINDS, memberships__user_id__in=enrolled
        )
        if user_ids is not None:
            roots = roots.filter(memberships__user_id__in=user_ids)
        existing = Recognition.objects.filter(course_id=rule.course_id).values("organisation_id")
        roots = Organisation.objects.filter(Q(pk__in=roots) | Q(pk__in=existing), depth=1)
        for root in roots.distinct():
            recognition = get_recognition(root, rule.course)
            met_at = _met_at(rule, root, now)
            fields = ["evaluated_at"]
            recognition.evaluated_at = now
            if met_at is not None and recognition.met_since is None:
                recognition.met_since, recognition.lapsed_at = met_at, None
                fields += ["met_since", "lapsed_at"]
            elif met_at is None and recognition.met_since is not None:
                recognition.met_since, recognition.lapsed_at = None, now
                fields += ["met_since", "lapsed_at"]
            changed += len(fields) > 1
            recognition.save(update_fields=fields)
    return changed


def get_register(course) -> QuerySet[Recognition]:
    """The public register of `course`: recognised now, consented, not withdrawn, of an
    organisation no coordinator has yet to approve."""
    return (
        Recognition.objects.filter(
            course_id=course.pk,
            met_since__isnull=False,
            consent_at__isnull=False,
            withdrawn_at__isnull=True,
        )
        .exclude(
            organisation__external__status__in=[ApprovalStatus.PENDING, ApprovalStatus.REJECTED]
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )


def give_consent(recognition: Recognition, *, user) -> None:
    recognition.consent_at = timezone.now()
    recognition.consent_by = user
    recognition.save(update_fields=["consent_at", "consent_by"])


def revoke_consent(recognition: Recognition, *, user) -> None:
    recognition.consent_at = None
    recognition.consent_by = user
    recognition.save(update_fields=["consent_at", "consent_by"])


class RecognitionNotGranted(Exception):
    """Only a granted recognition can be withdrawn (Recognition.can_be_withdrawn)."""


def withdraw_recognition(recognition: Recognition, *, user, reason: str) -> None:
    """A coordinator withdraws a granted recognition, with the reason: it leaves the
    register for good; the verification page says withdrawn (and why).

    Raises RecognitionNotGranted."""
    if not recognition.can_be_withdrawn:
        raise RecognitionNotGranted(recognition.pk)
    if not reason.strip():
        raise ValueError("A reason is required.")
    recognition.withdrawn_at = timezone.now()
    recognition.withdrawn_by = user
    recognition.withdrawn_reason = reason.strip()
    recognition.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
