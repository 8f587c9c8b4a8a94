"""The page tree editors can build, and the pages learners and editors see."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage
from tests.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    HomePageFactory,
    LectureFactory,
    ModulePageFactory,
    SuperuserFactory,
    enrolled_learner,
    lecture_step,
    reading_step,
)
from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.events.models import EventIndexPage, EventPage
from wagtail_learning.modules.models import ModulePage


class TestPageTree(WagtailPageTestCase):
    def test_editors_build_home_then_catalogue_then_course_then_module(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
        self.assertCanCreateAt(CoursePage, ModulePage)

    def test_pages_cannot_skip_a_level_or_go_elsewhere(self):
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(HomePage, ModulePage)
        self.assertCanNotCreateAt(CoursePage, CoursePage)
        self.assertCanNotCreateAt(CoursePage, CourseIndexPage)
        self.assertCanNotCreateAt(Page, CoursePage)

    def test_a_course_holds_modules_and_events_and_a_module_holds_nothing(self):
        self.assertAllowedSubpageTypes(HomePage, [CourseIndexPage, EventIndexPage])
        self.assertAllowedSubpageTypes(CourseIndexPage, [CoursePage])
        self.assertAllowedSubpageTypes(CoursePage, [ModulePage, EventPage])
        self.assertAllowedSubpageTypes(EventIndexPage, [EventPage])
        self.assertAllowedSubpageTypes(EventPage, [])
        self.assertAllowedSubpageTypes(ModulePage, [])

    def test_a_host_site_puts_the_catalogue_and_the_calendar_under_a_page_type_of_its_own(self):
        # A site that adds the plugin has its own page types (`wagtail start` makes a
        # home.HomePage of its own; others have none of that name): Wagtail's plain Page
        # stands for them. Decision 0036, README "Add to an existing Wagtail site".
        self.assertCanCreateAt(Page, CourseIndexPage)
        self.assertCanCreateAt(Page, EventIndexPage)

    def test_a_home_page_has_one_catalogue(self):
        home = HomePageFactory()
        CourseIndexPageFactory(parent=home)

        self.assertFalse(CourseIndexPage.can_create_at(home))


class TestPreviews(WagtailPageTestCase):
    """Editors can preview every page type from the edit view."""

    @classmethod
    def setUpTestData(cls):
        cls.home = HomePageFactory(title="Start", intro="<p>Välkommen</p>")
        cls.index = CourseIndexPageFactory(parent=cls.home)
        cls.course = CoursePageFactory(parent=cls.index, title="Mänskliga rättigheter")
        cls.module = ModulePageFactory(
            parent=cls.course, title="Grunderna", steps=[reading_step("Läs detta")]
        )

    def test_the_home_page_is_previewable(self):
        self.assertPageIsPreviewable(self.home)

    def test_the_catalogue_is_previewable(self):
        self.assertPageIsPreviewable(self.index)

    def test_a_course_is_previewable(self):
        self.assertPageIsPreviewable(self.course)

    def test_a_module_with_a_lecture_and_a_reading_is_previewable(self):
        lecture = LectureFactory()
        post_data = nested_form_data(
            {
                "title": "Grunderna",
                "slug": self.module.slug,
                "level": "2",
                "estimated_minutes": "20",
                "summary": "Det viktigaste först.",
                "steps": streamfield(
                    [
                        (
                            "lecture",
                            {"lecture": lecture.pk, "required_share": "90", "required": "on"},
                        ),
                        (
                            "reading",
                            {
                                "title": "Läs detta",
                                "body": rich_text("<p>Lagen skyddar alla.</p>"),
                                "required": "on",
                            },
                        ),
                    ]
                ),
                "required_for_course": "on",
                "available_from": "",
            }
        )

        self.assertPageIsPreviewable(self.module, post_data=post_data)

    def test_the_module_preview_shows_the_edited_steps_without_access_checks(self):
        editor = SuperuserFactory()
        self.client.force_login(editor)
        preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[self.module.pk])
        post_data = nested_form_data(
            {
                "title": "Grunderna i förhandsvisning",
                "slug": self.module.slug,
                "level": "1",
                "summary": "",
                "steps": streamfield(
                    [
                        (
                            "reading",
                            {"title": "Ny läsning", "body": rich_text("<p>Text</p>")},
                        ),
                    ]
                ),
            }
        )
        posted = self.client.post(preview_url, post_data)
        self.assertJSONEqual(posted.content, {"is_valid": True, "is_available": True})

        response = self.client.get(preview_url, {"mode": ""})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Grunderna i förhandsvisning")
        self.assertContains(response, "Ny läsning")


# --- What learners see --------------------------------------------------------------------


@pytest.fixture
def tree():
    home = HomePageFactory(title="Start")
    index = CourseIndexPageFactory(parent=home, title="Alla kurser")
    course = CoursePageFactory(parent=index, title="Likabehandling i arbetslivet")
    basics = ModulePageFactory(parent=course, title="Grunderna", steps=[reading_step()])
    deeper = ModulePageFactory(
        parent=course,
        title="Fördjupning",
        steps=[lecture_step(LectureFactory())],
        prerequisites=[basics],
    )
    return {"home": home, "index": index, "course": course, "basics": basics, "deeper": deeper}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("home", "Likabehandling i arbetslivet"),  # the learner's own course, on the dashboard
        ("index", "<h1>Alla kurser</h1>"),
        ("course", "<h1>Likabehandling i arbetslivet</h1>"),
        ("basics", "<h1>Grunderna</h1>"),
    ],
)
def test_every_page_type_renders_for_an_enrolled_learner(client, tree, name, expected):
    client.force_login(enrolled_learner(tree["course"]))

    response = client.get(tree[name].url)

    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_the_catalogue_lists_live_courses_only(client, tree):
    CoursePageFactory(parent=tree["index"], title="Opublicerad kurs", live=False)

    html = client.get(tree["index"].url).content.decode()

    assert "Likabehandling i arbetslivet" in html
    assert "Opublicerad kurs" not in html


@pytest.mark.django_db
def test_the_course_page_lists_its_modules_in_order_with_prerequisite_names(client, tree):
    client.force_login(enrolled_learner(tree["course"]))

    soup = BeautifulSoup(client.get(tree["course"].url).content, "html.parser")

    items = soup.select("li.outline-item")
    assert [item.h3.get_text(strip=True) for item in items] == ["Grunderna", "Fördjupning"]
    assert items[0].select_one(".prereq") is None
    assert "Grunderna" in items[1].select_one(".prereq").get_text()


@pytest.mark.django_db
def test_an_anonymous_visitor_can_read_the_course_page(client, tree):
    response = client.get(tree["course"].url)

    assert response.status_code == 200
    assert "Grunderna" in response.content.decode()


@pytest.mark.django_db
def test_an_anonymous_visitor_who_opens_a_module_is_sent_to_log_in(client, tree):
    response = client.get(tree["basics"].url)

    assert response.status_code == 302
    assert response["Location"] == f"/konto/logga-in/?next={tree['basics'].url}"
