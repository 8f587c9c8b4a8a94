"""Sign-in through an organisation's provider: the login page's provider buttons, the
start, the OIDC callback, the SAML ACS and its finishing step, and logout (single logout
where the provider offers it; our session ends in any case).

Hostile or broken input (a forged state, token or SAML response, an unknown provider)
gets the refusal page with a 4xx and is logged; it never reaches a 500.

`identity.saml` (pysaml2, which loads its XML schemas on import and logs about it) is
imported inside the views that handle SAML, never at startup: every management command
loads the URLconf, and only a SAML request needs the library."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import oidc
from .errors import SignInRefused
from .forms import EmailForm, LoginForm
from .models import IdentityProvider, SamlSession
from .provisioning import identity_from_claims, sign_in_user
from .rules import active_providers, provider_for_email
from .vocabulary import Protocol

logger = logging.getLogger("identity")

BACKEND = "wagtail_learning.identity.backends.ProviderBackend"
SESSION_PROVIDER = "identity_provider"
SESSION_ID_TOKEN = "identity_id_token"  # noqa: S105 (a session key)
SESSION_SAML = "identity_saml"


def refused(request, exc: SignInRefused) -> HttpResponse:
    logger.warning("sign-in refused (%s): %s", request.path, exc.reason)
    response = render(request, "identity/refused.html", {"message": exc.message}, status=exc.status)
    response.refusal_reason = exc.reason  # for the tests: which check refused it
    return response


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _provider(slug: str) -> IdentityProvider:
    provider = active_providers().filter(slug=slug).first()
    if provider is None:
        raise SignInRefused(f"no active provider {slug!r}", status=404)
    return provider


class LoginView(auth_views.LoginView):
    """Password login, with a button per active provider, and an email field that picks
    the provider owning the address's domain."""

    form_class = LoginForm
    template_name = "identity/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = self.get_redirect_url()
        email_form = EmailForm(self.request.GET if "email" in self.request.GET else None)
        matched = None
        if email_form.is_bound and email_form.is_valid():
            matched = provider_for_email(email_form.cleaned_data["email"])
        suffix = "?" + urlencode({REDIRECT_FIELD_NAME: next_url}) if next_url else ""
        context.update(
            providers=[
                (p, reverse("identity:start", args=[p.slug]) + suffix) for p in active_providers()
            ],
            email_form=email_form,
            matched=matched,
            matched_url=(reverse("identity:start", args=[matched.slug]) + suffix)
            if matched
            else "",
        )
        return context


@require_GET
@never_cache
def start(request, slug: str):
    try:
        provider = _provider(slug)
        next_url = _safe_next(request, request.GET.get(REDIRECT_FIELD_NAME))
        if provider.protocol == Protocol.OIDC:
            url = oidc.start(
                request,
                provider,
                redirect_uri=request.build_absolute_uri(reverse("identity:oidc_callback")),
                next_url=next_url,
            )
        else:
            from . import saml

            url = saml.start(request, provider, next_url=next_url)
    except SignInRefused as exc:
        return refused(request, exc)
    return redirect(url)


def _complete(request, provider: IdentityProvider, identity, next_url: str):
    user = sign_in_user(provider, identity)
    login(request, user, backend=BACKEND)
    request.session[SESSION_PROVIDER] = provider.pk
    return user


@require_GET
@never_cache
def oidc_callback(request):
    try:
        attempt = oidc.pop_pending(request, request.GET.get("state"))
        provider = active_providers().filter(pk=attempt["provider"], protocol=Protocol.OIDC)
        provider = provider.first()
        if provider is None:
            raise SignInRefused("provider gone since the attempt started", status=404)
        if "error" in request.GET:
            raise SignInRefused(
                f"provider answered error {request.GET.get('error')!r}",
                status=403,
            )
        code = request.GET.get("code")
        if not code:
            raise SignInRefused("no code in the callback")
        claims, id_token = oidc.finish(
            provider,
            attempt,
            code=code,
            redirect_uri=request.build_absolute_uri(reverse("identity:oidc_callback")),
        )
        _complete(request, provider, identity_from_claims(provider, claims), attempt["next"])
        request.session[SESSION_ID_TOKEN] = id_token
    except SignInRefused as exc:
        return refused(request, exc)
    return redirect(_safe_next(request, attempt["next"]))


@csrf_exempt  # the IdP's page posts here; the signed response and InResponseTo protect it
@require_POST
@never_cache
def saml_acs(request, slug: str):
    from . import saml

    try:
        provider = _provider(slug)
        if provider.protocol != Protocol.SAML:
            raise SignInRefused("not a SAML provider", status=404)
        token = saml.accept_response(request, provider)
    except SignInRefused as exc:
        return refused(request, exc)
    # Back to us with a GET: the session cookie (SameSite=Lax) comes with it.
    return redirect(reverse("identity:saml_finish") + f"?t={token}", permanent=False)


@require_GET
@never_cache
def saml_finish(request):
    from . import saml

    try:
        provider, identity, session_info, next_url = saml.take_answer(request)
        _complete(request, provider, identity, next_url)
        request.session[SESSION_SAML] = session_info
        _remember_saml_session(request, provider, session_info)
    except SignInRefused as exc:
        return refused(request, exc)
    return redirect(_safe_next(request, next_url))


def _remember_saml_session(request, provider: IdentityProvider, info: dict) -> None:
    """Which Django session this NameID and SessionIndex opened: an IdP-initiated
    LogoutRequest ends it. Rows older than any session can live are dropped."""
    if not info.get("name_id"):
        return
    if request.session.session_key is None:
        request.session.save()
    SamlSession.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    SamlSession.objects.create(
        provider=provider,
        name_id=info["name_id"],
        session_index=info.get("session_index") or "",
        session_key=request.session.session_key,
    )


def _end_sessions(request, keys) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        if key == request.session.session_key:
            logout(request)
        else:
            store(session_key=key).delete()


@require_GET
def saml_metadata(request, slug: str):
    from . import saml

    try:
        provider = _provider(slug)
        if provider.protocol != Protocol.SAML:
            raise SignInRefused("not a SAML provider", status=404)
        xml = saml.sp_metadata(request, provider)
    except SignInRefused as exc:
        return refused(request, exc)
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_GET
@never_cache
def saml_sls(request, slug: str):
    """The single logout service (HTTP-Redirect), both directions.

    - `SAMLResponse`: the IdP answers the LogoutRequest we sent at logout. Our session
      ended before it went out; the answer is checked (signature, InResponseTo, our
      Destination, status) and a bad one gets a page saying the provider's logout is not
      confirmed.
    - `SAMLRequest`: the IdP asks us to end the sessions of one of its people (they
      logged out elsewhere). Only a request signed by the IdP ends anything (a GET that
      logs out is otherwise refused, decision 0010); we answer with a signed
      LogoutResponse."""
    from . import saml

    try:
        provider = _provider(slug)
        if provider.protocol != Protocol.SAML:
            raise SignInRefused("not a SAML provider", status=404)
        if "SAMLResponse" in request.GET:
            saml.accept_logout_response(request, provider)
            return redirect("/")
        if "SAMLRequest" in request.GET:
            keys, answer = saml.accept_logout_request(request, provider)
            _end_sessions(request, keys)
            logger.info("single logout from %s ended %d session(s)", provider.slug, len(keys))
            return redirect(answer or "/")
        raise SignInRefused("neither SAMLRequest nor SAMLResponse")
    except SignInRefused as exc:
        return refused(request, exc)


@never_cache
def logout_view(request):
    """POST-only logout (decision 0010). Our session ends first; then, when the person
    came through a provider that offers single logout, a page that sends them on to it
    (a meta refresh and a link: a redirect after a form post would be blocked by our
    CSP's form-action)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    provider_pk = request.session.get(SESSION_PROVIDER)
    id_token = request.session.get(SESSION_ID_TOKEN)
    saml_info = request.session.get(SESSION_SAML)
    if request.session.session_key:
        SamlSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)
    provider = IdentityProvider.objects.filter(pk=provider_pk).first() if provider_pk else None
    url = None
    if provider is not None:
        try:
            if provider.protocol == Protocol.OIDC and id_token:
                url = oidc.end_session_url(
                    provider,
                    id_token,
                    return_to=request.build_absolute_uri(reverse("identity:logged_out")),
                )
            elif provider.protocol == Protocol.SAML and saml_info:
                from . import saml

                url = saml.logout_url(request, provider, saml_info)
        except SignInRefused as exc:
            logger.warning("single logout at %s not possible: %s", provider.slug, exc.reason)
    if not url:
        return redirect("/")
    return render(request, "identity/single_logout.html", {"url": url, "provider": provider})


@require_GET
def logged_out(request):
    return redirect("/")
