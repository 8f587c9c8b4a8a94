from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .defaults import value


class SwedishFirstLocaleMiddleware:
    """Activate the language the visitor chose with the language switch, else Swedish.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a Swedish
    municipality's platform speaks Swedish unless the visitor asks otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: CONTENT_SECURITY_POLICY everywhere, with the directives in
    ADMIN_CONTENT_SECURITY_POLICY_REPLACE replaced under Wagtail's admin, which needs
    inline scripts and styles. A view's own @csp_replace still wins there."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.replace is None
            and request.path_info.startswith(reverse("wagtailadmin_home"))
        ):
            parts.replace = value("ADMIN_CONTENT_SECURITY_POLICY_REPLACE")
        return parts


class BadRequestMiddleware:
    """A `BadRequest` a view raises (a page number that is not one, say) is answered with
    the site's 400 page and its reason, with DEBUG on too: Django would show its technical
    page there, and the demo runs with DEBUG. Other exceptions go on as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import BadRequest

        from .errors import bad_request

        if type(exception) is BadRequest:
            return bad_request(request, exception)
        return None
