"""Serving pages in fewer queries than Wagtail's routing asks, with the same answers.

Wagtail looks the site up on every request and walks the URL one page at a time: two
queries a level (the child by slug, then its specific row), eight for a course page.
Here the site comes from the cache (until the next edit: lms.cached_until_edit, whose
generation any page or site saved or deleted renews), and `HomePage.route` loads the pages
along the path in one query, then only the page that routes the rest as its own class.
"""

from __future__ import annotations

from django.http import Http404
from django.http.request import split_domain_port
from wagtail.models import Page, Site

from wagtail_learning.lms import api as lms

__all__ = ["route_along_path", "serve"]

# Longer host names are looked up in the database every time (nothing sane is that long,
# and the cache key stays short).
MAX_CACHED_HOSTNAME = 100


def _cached_site(request) -> Site | None:
    # The host and port Wagtail's own lookup goes by (Site._find_for_request).
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    if len(hostname) > MAX_CACHED_HOSTNAME:
        return Site.find_for_request(request)

    def build() -> Site | None:
        site = Site.find_for_request(request)
        if site is not None:
            # Routing starts from the root page's specific class: kept with the site.
            site.root_page = site.root_page.specific
        return site

    return lms.cached_until_edit(f"site:{hostname}:{port}", build)


def serve(request, path):
    """Wagtail's page view, with the request's site taken from the cache (Wagtail keeps
    the site it finds on the request, `request._wagtail_site`, and asks no more)."""
    from wagtail import views as wagtail_views  # it loads models: not at import of ours

    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = _cached_site(request)
    return wagtail_views.serve(request, path)


def route_along_path(root: Page, request, path_components: list[str]):
    """What `root.route(request, path_components)` answers with Wagtail's own `Page.route`,
    in one query for the pages along the path plus one for the specific row of the page
    that routes the rest: the first on the path whose class routes on its own (a routable
    page) or else the last. Keeps the pages it read on the request for the breadcrumbs
    (`request.page_ancestry`, by tree path)."""
    prefixes = [
        root.url_path + "/".join(path_components[: i + 1]) + "/"
        for i in range(len(path_components))
    ]
    along = {
        page.depth: page
        for page in Page.objects.filter(url_path__in=prefixes, path__startswith=root.path)
    }
    request.page_ancestry = {root.path: root}
    parent = root
    for index, slug in enumerate(path_components):
        page = along.get(root.depth + index + 1)
        # What Wagtail's `self.get_children().get(slug=...)` finds, or does not.
        if page is None or page.slug != slug or page.path[: -Page.steplen] != parent.path:
            raise Http404
        page._cached_parent_obj = parent
        request.page_ancestry[page.path] = page
        last = index == len(path_components) - 1
        page_class = page.specific_class
        if last or page_class is None or page_class.route is not Page.route:
            return page.specific.route(request, path_components[index + 1 :])
        parent = page
    raise Http404  # not reached: the loop returns on its last component
