"""The site's answer to a bad request: the reason, when it is ours to give."""

from django.core.exceptions import BadRequest
from django.template.response import TemplateResponse


def bad_request(request, exception, template_name="wagtail_learning/400.html"):
    """400 with the message of a `BadRequest` our code raised (a page number that is not
    one, say); a SuspiciousOperation's details stay in the log, never on the page."""
    message = str(exception) if type(exception) is BadRequest else ""
    response = TemplateResponse(request, template_name, {"message": message}, status=400)
    return response.render()
