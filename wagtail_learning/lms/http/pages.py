"""Lists of people in pages: the one way every people listing reads its page number."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.utils.translation import gettext as _


def page_of(request, items, per_page: int, *, param: str = "page") -> Page:
    """The page of `items` the request asks for (`?page=N`, the first without one).

    A page number that is not a whole number from 1 is a 400 (Django answers BadRequest
    so), one past the last page a 404; never a 500, never a silent first page."""
    raw = request.GET.get(param, "1").strip() or "1"
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise BadRequest(_("The page number must be a whole number from 1."))
    paginator = Paginator(items, per_page)
    number = int(raw)
    if number > paginator.num_pages:
        raise Http404(_("There is no such page."))
    return paginator.page(number)


def query_without(request, *names: str) -> str:
    """The request's query string without `names` (to add a page or an export to it)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
