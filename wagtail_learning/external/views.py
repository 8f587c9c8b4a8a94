"""Public pages (registration, the emailed link, the register and its verification) and
the contact person's page. Thin: a form, one service call, a template."""

from __future__ import annotations

import math
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wagtail_learning.accounts import api as accounts
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.http import page_of
from wagtail_learning.org.api import LearnerProfile, get_scope_units, scope_queryset

from .forms import RegistrationForm, ResendForm
from .models import Recognition, RecognitionRule
from .services import (
    EXTERNAL_KINDS,
    get_recognition,
    get_register,
    give_consent,
    is_waiting_for_approval,
    register_participant,
    resend_verification,
    revoke_consent,
    verify_registration,
)
from .vocabulary import RecognitionState, VerifyOutcome

REGISTRATIONS_PER_CLIENT = accounts.Limit("external-register-client", 10, timedelta(hours=1))
RESENDS_PER_ADDRESS = accounts.Limit("external-resend-address", 3, timedelta(hours=1))
RESENDS_PER_CLIENT = accounts.Limit("external-resend-client", 10, timedelta(hours=1))
CONFIRMS_PER_CLIENT = accounts.Limit("external-confirm-client", 20, timedelta(hours=1))
LOOKUPS_PER_CLIENT = accounts.Limit("external-verify-client", 30, timedelta(minutes=10))
PARTICIPANTS_PER_PAGE = 50


def _open_course(course_id: int) -> CoursePage:
    course = CoursePage.objects.live().public().filter(pk=course_id).first()
    if course is None or not course.accepts_external:
        raise Http404
    return course


def _throttled(request, template: str, context: dict, retry_at, *, status: int = 429):
    now = timezone.now()
    seconds = max(1, math.ceil((retry_at - now).total_seconds()))
    context = {**context, "throttled": True, "retry_minutes": math.ceil(seconds / 60)}
    response = render(request, template, context, status=status)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def register(request, course_id: int):
    """An external person registers for a course open to them."""
    course = _open_course(course_id)
    if request.user.is_authenticated:
        return redirect(course.url)
    if request.method != "POST":
        return render(
            request, "external/register.html", {"course": course, "form": RegistrationForm()}
        )
    form = RegistrationForm(request.POST)
    context = {"course": course, "form": form}
    retry_at = accounts.hit(REGISTRATIONS_PER_CLIENT, accounts.client_ip(request))
    if retry_at is not None:
        return _throttled(request, "external/register.html", context, retry_at)
    if not form.is_valid():
        return render(request, "external/register.html", context, status=400)
    register_participant(
        course=course,
        first_name=form.cleaned_data["first_name"],
        last_name=form.cleaned_data["last_name"],
        email=form.cleaned_data["email"],
        password=form.cleaned_data["password"],
        organisation=form.chosen_organisation(),
        new_organisation=form.new_organisation(),
    )
    # The same answer whether or not the address had an account (no enumeration).
    return redirect("external:sent")


@require_GET
def sent(request):
    return render(request, "external/sent.html", {"form": ResendForm()})


@require_http_methods(["GET", "POST"])
def resend(request):
    if request.method != "POST":
        return render(request, "external/resend.html", {"form": ResendForm()})
    form = ResendForm(request.POST)
    if not form.is_valid():
        return render(request, "external/resend.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    retry_at = accounts.hit(RESENDS_PER_CLIENT, accounts.client_ip(request)) or accounts.hit(
        RESENDS_PER_ADDRESS, email
    )
    if retry_at is not None:
        return _throttled(request, "external/resend.html", {"form": form}, retry_at)
    resend_verification(email)
    return redirect("external:sent")


VERIFY_STATUS = {
    VerifyOutcome.EXPIRED: 410,
    VerifyOutcome.USED: 410,
    VerifyOutcome.INVALID: 400,
    VerifyOutcome.WRONG_PASSWORD: 400,
}


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """The emailed link. A GET shows the password field and a button (mail scanners open
    links); the POST, with the password given when registering, uses the link up, logs
    the person in and takes them to their course."""
    if request.method == "POST":
        retry_at = accounts.hit(CONFIRMS_PER_CLIENT, accounts.client_ip(request))
        if retry_at is not None:
            return _throttled(
                request, "external/verify.html", {"outcomes": VerifyOutcome}, retry_at
            )
        password = request.POST.get("password", "")
    else:
        password = None
    outcome, registration = verify_registration(token, password=password)
    context = {"outcome": outcome, "outcomes": VerifyOutcome, "registration": registration}
    if outcome != VerifyOutcome.VERIFIED:
        return render(request, "external/verify.html", context, status=VERIFY_STATUS[outcome])
    if request.method != "POST":
        return render(request, "external/verify.html", context)
    # The password backend by name (it also applies "passwords off" per organisation).
    login(request, registration.user, backend="wagtail_learning.identity.backends.PasswordBackend")
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    if is_waiting_for_approval(registration):
        messages.info(
            request,
            _(
                "%(organisation)s waits for a coordinator's approval. Until then it is not "
                "shown as your organisation; you can study meanwhile."
            )
            % {"organisation": registration.organisation.name},
        )
    course = registration.course
    return HttpResponseRedirect(course.url if course is not None and course.live else "/")


@require_GET
def register_page(request, course_id: int):
    """The public register of a course: organisations recognised, with their consent."""
    course = CoursePage.objects.live().public().filter(pk=course_id).first()
    rule = RecognitionRule.objects.filter(course_id=course_id).first()
    if course is None or rule is None:
        raise Http404
    return render(
        request,
        "external/register_page.html",
        {"course": course, "rule": rule, "recognitions": get_register(course)},
    )


@require_GET
def verify_recognition(request, code: str):
    """Public verification of one organisation's recognition, whoever holds the code."""
    retry_at = accounts.hit(LOOKUPS_PER_CLIENT, accounts.client_ip(request))
    if retry_at is not None:
        return _throttled(request, "external/verify_recognition.html", {}, retry_at)
    recognition = (
        Recognition.objects.filter(code=code.strip().upper())
        .select_related("organisation", "course")
        .first()
    )
    if recognition is None:
        return render(request, "external/verify_recognition.html", {"not_found": True}, status=404)
    return render(
        request,
        "external/verify_recognition.html",
        {"recognition": recognition, "states": RecognitionState},
    )


def _contact_organisations(user):
    """The associations and businesses whose participants `user` may see: the wall's
    scope, nothing of its own."""
    return [unit for unit in get_scope_units(user) if unit.kind in EXTERNAL_KINDS]


@login_required
@require_GET
def organisation(request):
    """The contact person's page: their organisation's participants and their progress,
    and consent to the public register. Everything through the wall."""
    organisations = _contact_organisations(request.user)
    if not organisations:
        raise Http404
    people = (
        scope_queryset(
            request.user,
            LearnerProfile.objects.filter(kind=LearnerProfile.Kind.EXTERNAL, user__is_active=True),
        )
        .select_related("user", "unit")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    page = page_of(request, people, PARTICIPANTS_PER_PAGE)
    people = list(page.object_list)
    enrolments = scope_queryset(
        request.user, lms.Enrolment.objects.filter(user__in=[p.user_id for p in people])
    )
    courses = {
        page.pk: page
        for page in CoursePage.objects.filter(pk__in=enrolments.values("course_id")).specific()
    }
    rows = []
    by_user: dict[int, list] = {}
    for enrolment in enrolments:
        course = courses.get(enrolment.course_id)
        if course is None:
            continue
        progress = lms.get_course_progress(user=enrolment.user, course=course)
        by_user.setdefault(enrolment.user_id, []).append((course, progress))
    for profile in people:
        rows.append((profile, by_user.get(profile.user_id, [])))
    recognitions = []
    for org in organisations:
        ruled = CoursePage.objects.filter(recognition_rule__isnull=False, pk__in=list(courses))
        for course in ruled.order_by("title"):
            recognitions.append(get_recognition(org, course))
    return render(
        request,
        "external/organisation.html",
        {
            "organisations": organisations,
            "rows": rows,
            "people_page": page,
            "recognitions": recognitions,
            "states": RecognitionState,
        },
    )


@login_required
@require_POST
def consent(request, recognition_id: int):
    """The contact person gives or takes back consent to be on the public register."""
    organisations = _contact_organisations(request.user)
    recognition = get_object_or_404(
        Recognition, pk=recognition_id, organisation__in=[o.pk for o in organisations]
    )
    if request.POST.get("consent") == "yes":
        give_consent(recognition, user=request.user)
        messages.success(request, _("Your organisation may now appear on the public register."))
    else:
        revoke_consent(recognition, user=request.user)
        messages.success(request, _("Your organisation no longer appears on the public register."))
    return redirect("external:organisation")
