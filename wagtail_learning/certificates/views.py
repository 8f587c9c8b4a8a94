"""Public verification, the learner's own certificates, and downloads."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from wagtail.permissions import policy_registry

from wagtail_learning.accounts import api as accounts
from wagtail_learning.lms import api as lms
from wagtail_learning.lms import http as lms_http

from .codes import normalise_code
from .models import Certificate
from .rendering import certificate_context
from .services import find_certificate
from .units import find_unit_certificate

VERIFY_LIMIT = 30  # lookups per client and window
VERIFY_WINDOW = 600  # seconds


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=20,
        help_text=gettext_lazy("The code printed on the certificate, e.g. 7KQ4-XM2P-9D."),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("A verification code has 10 letters and digits, e.g. 7KQ4-XM2P-9D.")
            )
        return code


def _client_key(request) -> str:
    # The same client address as the login throttle: LMS_CLIENT_IP_HEADER behind a proxy.
    return "cert-verify:" + (accounts.client_ip(request) or "-")


def _throttled(request) -> bool:
    """Too many lookups from this client: guessing codes is made slow as well as unlikely."""
    key = _client_key(request)
    cache.add(key, 0, VERIFY_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, VERIFY_WINDOW)
        count = 1
    return count > VERIFY_LIMIT


def _too_many(request):
    response = render(
        request, "certificates/verify.html", {"form": VerifyForm(), "throttled": True}, status=429
    )
    response["Retry-After"] = str(VERIFY_WINDOW)
    return response


@require_GET
def verify(request):
    if "code" not in request.GET:
        return render(request, "certificates/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return render(request, "certificates/verify.html", {"form": form}, status=400)
    return redirect("certificates:verify_code", code=form.cleaned_data["code"])


@require_GET
def verify_code(request, code: str):
    if _throttled(request):
        return _too_many(request)
    certificate = find_certificate(code)
    if certificate is None:
        unit_certificate = find_unit_certificate(code)
        if unit_certificate is not None:
            return render(
                request, "certificates/verify_result.html", {"unit_certificate": unit_certificate}
            )
        return render(
            request,
            "certificates/verify_result.html",
            {"not_found": True, "form": VerifyForm(initial={"code": code})},
            status=404,
        )
    return render(request, "certificates/verify_result.html", {"certificate": certificate})


@login_required
def mine(request):
    certificates = Certificate.objects.filter(user=request.user).order_by("-issued_at")
    return render(request, "certificates/mine.html", {"certificates": certificates})


def _may_read(user, certificate: Certificate) -> bool:
    """The learner; and whom the wall's policy lets view it: superusers, HR (view
    permission) for people in their reporting scope only."""
    if certificate.user_id == user.pk:
        return True
    policy = policy_registry.get_by_type(Certificate)
    return policy.user_has_permission_for_instance(user, "view", certificate)


@login_required
def download(request, code: str):
    certificate = get_object_or_404(Certificate, code=normalise_code(code) or "-")
    if not _may_read(request.user, certificate):
        raise Http404
    if not certificate.is_ready:
        return render(
            request, "certificates/not_ready.html", {"certificate": certificate}, status=409
        )
    return lms_http.serve_protected_file(
        request,
        storage_alias=lms.storage_alias_of(certificate.pdf.storage),
        name=certificate.pdf.name,
        content_type="application/pdf",
        download_name=f"intyg-{certificate.code}.pdf",
    )


@login_required
def detail(request, code: str):
    """The certificate as a web page (the same design as the PDF)."""
    certificate = get_object_or_404(Certificate, code=normalise_code(code) or "-")
    if not _may_read(request.user, certificate):
        raise Http404
    return render(request, "certificates/certificate.html", certificate_context(certificate))
