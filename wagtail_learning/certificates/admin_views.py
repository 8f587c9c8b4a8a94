"""Admin actions on issued certificates: revoke (with a reason) and render again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.permissions import policy_registry

from .models import Certificate
from .services import rerender_certificate, revoke_certificate


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=gettext_lazy("Shown in the audit log, not to the public."),
    )


def _certificate_to_change(request, pk: int) -> Certificate:
    """The certificate, if the user may change it: the change permission, and the wall (a
    certificate of someone outside the user's scope is not found)."""
    policy = policy_registry.get_by_type(Certificate)
    if not policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    allowed = policy.instances_user_has_permission_for(request.user, "change")
    return get_object_or_404(allowed, pk=pk)


def revoke(request, pk: int):
    certificate = _certificate_to_change(request, pk)
    # Bound on every POST, an empty one too, so a missing reason is reported as such.
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        revoke_certificate(certificate, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Certificate %(code)s revoked.") % {"code": certificate.code})
        return redirect("certificates_certificate:index")
    return TemplateResponse(
        request,
        "certificates/admin/revoke.html",
        {"certificate": certificate, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def rerender(request, pk: int):
    certificate = _certificate_to_change(request, pk)
    if request.method != "POST":
        return TemplateResponse(
            request, "certificates/admin/rerender.html", {"certificate": certificate}
        )
    rerender_certificate(certificate, user=request.user)
    messages.success(
        request, _("Certificate %(code)s is being rendered again.") % {"code": certificate.code}
    )
    return redirect("certificates_certificate:index")
