"""The course page keeps its site, module list and who may use the admin in the cache and
routes along the path in one query (decision 0028); no edit is outlived: whatever an
editor publishes, unpublishes, renames, moves, deletes or restricts shows on the very next
request."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from tests.courses.test_queries import COURSE_PAGE_QUERIES
from tests.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    ModulePageFactory,
    UserFactory,
    course_index,
    enrol,
    in_english,
    reading_step,
    site_home,
)


def outline(html: str) -> list[str]:
    """The module titles the course page lists, in order."""
    return re.findall(r'<li class="outline-item".*?<h3>(?:<a [^>]*>)?([^<]+)<', html, re.S)


def crumbs(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs.*?</nav>', html, re.S).group(0)
    return re.findall(r"<(?:a [^>]*|span [^>]*)>([^<]+)<", nav)


@pytest.fixture
def course():
    return CoursePageFactory(title="Likabehandling")


@pytest.fixture
def first(course):
    return ModulePageFactory(parent=course, title="Grunderna", steps=[reading_step()])


@pytest.fixture
def second(course, first):
    return ModulePageFactory(parent=course, title="Fördjupningen", steps=[reading_step()])


@pytest.fixture
def learner_client(client, course):
    learner = UserFactory()
    enrol(learner, course)
    client.force_login(learner)
    return client


def page_html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_newly_published_module_shows_on_the_next_request(learner_client, course, first):
    assert outline(page_html(learner_client, course.url)) == ["Grunderna"]

    ModulePageFactory(parent=course, title="Nyheten", steps=[reading_step()])

    assert outline(page_html(learner_client, course.url)) == ["Grunderna", "Nyheten"]


@pytest.mark.django_db
def test_a_draft_published_later_shows_on_the_next_request(learner_client, course, first):
    draft = ModulePageFactory(parent=course, title="Utkastet", steps=[reading_step()], live=False)
    assert outline(page_html(learner_client, course.url)) == ["Grunderna"]

    draft.save_revision().publish()

    assert outline(page_html(learner_client, course.url)) == ["Grunderna", "Utkastet"]


@pytest.mark.django_db
def test_an_unpublished_module_is_gone_on_the_next_request(learner_client, course, first, second):
    assert outline(page_html(learner_client, course.url)) == ["Grunderna", "Fördjupningen"]

    second.unpublish()

    assert outline(page_html(learner_client, course.url)) == ["Grunderna"]


@pytest.mark.django_db
def test_a_renamed_module_shows_its_new_title_on_the_next_request(
    learner_client, course, first, second
):
    page_html(learner_client, course.url)

    first.title = "Grunderna i likabehandling"
    first.save_revision().publish()

    assert outline(page_html(learner_client, course.url)) == [
        "Grunderna i likabehandling",
        "Fördjupningen",
    ]


@pytest.mark.django_db
def test_a_moved_or_deleted_module_leaves_the_course_on_the_next_request(
    learner_client, course, first, second
):
    other = CoursePageFactory(title="Annan kurs")
    page_html(learner_client, course.url)
    page_html(learner_client, other.url)

    second.move(other, pos="last-child")

    assert outline(page_html(learner_client, course.url)) == ["Grunderna"]
    assert outline(page_html(learner_client, other.url)) == ["Fördjupningen"]

    Page.objects.get(pk=first.pk).delete()

    assert outline(page_html(learner_client, course.url)) == []


@pytest.mark.django_db
def test_a_renamed_course_slug_moves_its_modules_links_on_the_next_request(
    learner_client, course, first
):
    assert f'href="{first.url}"' in page_html(learner_client, course.url)

    course.slug = "likabehandling-ny"
    course.save_revision().publish()
    course.refresh_from_db()
    first.refresh_from_db()

    html = page_html(learner_client, course.url)
    assert "/likabehandling-ny/" in first.url
    assert f'href="{first.url}"' in html


@pytest.mark.django_db
def test_an_unpublished_course_answers_404_on_the_next_request(learner_client, course, first):
    page_html(learner_client, course.url)

    course.unpublish()

    assert learner_client.get(course.url).status_code == 404


@pytest.mark.django_db
def test_a_view_restriction_applies_on_the_next_request(client, course, first):
    page_html(client, course.url)

    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(course.url)
    assert response.status_code == 302
    assert "next=" in response["Location"]


@pytest.mark.django_db
def test_a_renamed_ancestor_shows_in_the_breadcrumbs_on_the_next_request(learner_client, course):
    index = course_index()
    assert crumbs(page_html(learner_client, course.url)) == [
        site_home().title,
        index.title,
        "Likabehandling",
    ]

    index.title = "Alla kurser"
    index.save_revision().publish()
    home = site_home()
    home.title = "Lärplattformen"
    home.save_revision().publish()

    assert crumbs(page_html(learner_client, course.url)) == [
        "Lärplattformen",
        "Alla kurser",
        "Likabehandling",
    ]


@pytest.mark.django_db
def test_the_admin_link_follows_a_permission_granted_and_taken_away(learner_client, course):
    assert 'href="/admin/"' not in page_html(learner_client, course.url)
    learner = learner_client.session["_auth_user_id"]
    group = Group.objects.create(name="Redaktörer")
    group.user_set.add(learner)
    assert 'href="/admin/"' not in page_html(learner_client, course.url)

    group.permissions.add(Permission.objects.get(codename="access_admin"))

    assert 'href="/admin/"' in page_html(learner_client, course.url)

    group.user_set.remove(learner)

    assert 'href="/admin/"' not in page_html(learner_client, course.url)


@pytest.mark.django_db
def test_a_site_given_another_host_name_is_found_by_it_on_the_next_request(client, course, first):
    page_html(client, course.url)
    site = Site.objects.get(is_default_site=True)
    site.is_default_site = False
    site.hostname = "kurser.example.se"
    site.save()

    assert client.get(course.url).status_code == 404
    assert client.get(course.url, HTTP_HOST="kurser.example.se").status_code == 200


# --- Routing gives Wagtail's answers -------------------------------------------------------


@pytest.mark.django_db
def test_routing_answers_404_for_a_missing_page_and_serves_a_routable_subpage(
    learner_client, course
):
    assert learner_client.get(course.url + "finns-inte/").status_code == 404
    assert learner_client.get(course.url + "finns/inte/").status_code == 404
    assert learner_client.get(course_index().url + "finns-inte/").status_code == 404
    # The course's own route (a POST only): the course page answers it, not a 404.
    assert learner_client.get(course.url + "anmal/").status_code == 405


@pytest.mark.django_db
def test_routing_passes_a_draft_section_on_the_way_to_a_live_page(learner_client):
    section = CourseIndexPageFactory(parent=site_home(), title="Arkiv", slug="arkiv", live=False)
    course = CoursePageFactory(parent=section, title="Gammal kurs")

    assert learner_client.get(section.url or "/arkiv/").status_code == 404
    assert learner_client.get("/arkiv/" + course.slug + "/").status_code == 200


@pytest.mark.django_db
def test_without_a_shared_cache_every_request_reads_afresh(learner_client, course, first):
    with override_settings(LMS_CACHE_UNTIL_EDIT=False):
        page_html(learner_client, course.url)
        with CaptureQueriesContext(connection) as captured:
            page_html(learner_client, course.url)

    # The site (1), the home page (1), the modules and their prerequisites (2; reading steps
    # have nothing behind them), who may use the admin (1) and the events calendar's link
    # in the navigation (2: the view restrictions that .public() reads, then the page), and
    # the course's live events that it links (2: the events, their view restrictions).
    assert len(captured.captured_queries) == COURSE_PAGE_QUERIES + 9


def _route_answer(route, request, url: str):
    try:
        page, args, kwargs = route(request, [part for part in url.split("/") if part])
    except Http404:
        return 404
    view = args[0] if args else None
    return page.pk, type(page), getattr(view, "__name__", None), args[1:], kwargs


@pytest.mark.django_db
def test_routing_along_the_path_finds_what_wagtail_finds(rf, course, first):
    home = site_home()
    draft = ModulePageFactory(parent=course, title="Utkast", live=False)
    urls = [
        "/",
        course_index().url,
        course.url,
        course.url + "anmal/",
        first.url,
        first.url + "steg/abc/",
        course.url + draft.slug + "/",
        course.url + "finns-inte/",
        "/finns-inte/" + course.slug + "/",
        course_index().url + first.slug + "/",
    ]
    for url in urls:
        ours = _route_answer(home.route, rf.get(url), url)
        wagtails = _route_answer(lambda r, c: Page.route(home, r, c), rf.get(url), url)
        assert ours == wagtails, url


def outline_html(html: str) -> str:
    section = re.search(r'<ol class="outline">.*?</ol>', html, re.S).group(0)
    return re.sub(r"\s+", " ", section)


@pytest.mark.django_db
def test_the_kept_outline_reads_as_the_one_built_afresh(learner_client, course, first):
    ModulePageFactory(
        parent=course,
        title="Valfri & <fördjupning>",
        summary="Om <b>diskriminering</b>",
        steps=[reading_step()],
        prerequisites=[first],
        required_for_course=False,
        estimated_minutes=135,
    )
    with override_settings(LMS_CACHE_UNTIL_EDIT=False):
        afresh = outline_html(page_html(learner_client, course.url))
    page_html(learner_client, course.url)
    kept = outline_html(page_html(learner_client, course.url))

    assert kept == afresh
    assert "Valfri &amp; &lt;fördjupning&gt;" in kept
    assert "Om &lt;b&gt;diskriminering&lt;/b&gt;" in kept
    assert "2 h 15 min" in kept


@pytest.mark.django_db
def test_the_kept_cards_follow_the_language_of_the_request(client, course, first):
    assert "Nivå 1" in outline_html(page_html(client, course.url))

    in_english(client)

    assert "Level 1" in outline_html(page_html(client, course.url))
