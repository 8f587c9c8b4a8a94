"""A page's <title> names each part once: a step titled as its module, a module titled as
its course or a home page titled as the site reads "Grund – Lärplattformen", not "Grund –
Grund – Lärplattformen" (a screen reader announces the title first, every time)."""

import re

import pytest
from wagtail.models import Site

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    UserFactory,
    enrol,
    reading_step,
    route,
    site_home,
)


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


@pytest.fixture
def learner_client(client):
    site_home()
    Site.objects.filter(is_default_site=True).update(site_name="Lärplattformen")
    course = CoursePageFactory(title="Likabehandling")
    same = ModulePageFactory(parent=course, title="Grund", steps=[reading_step("Grund")])
    other = ModulePageFactory(parent=course, title="Vidare", steps=[reading_step("Läs lagen")])
    learner = UserFactory()
    enrol(learner, course)
    client.force_login(learner)
    client.modules = {"same": same, "other": other}
    return client


@pytest.mark.django_db
def test_a_step_titled_as_its_module_is_named_once(learner_client):
    module = learner_client.modules["same"]
    response = learner_client.get(route(module, "step", module.steps[0].id))

    assert response.status_code == 200
    assert title_of(response) == "Grund – Lärplattformen"


@pytest.mark.django_db
def test_a_step_with_a_title_of_its_own_keeps_both(learner_client):
    module = learner_client.modules["other"]
    response = learner_client.get(route(module, "step", module.steps[0].id))

    assert title_of(response) == "Läs lagen – Vidare – Lärplattformen"


@pytest.mark.django_db
def test_a_home_page_titled_as_the_site_is_named_once(client):
    home = site_home()
    home.title = "Lärplattformen"
    home.save_revision().publish()
    Site.objects.filter(is_default_site=True).update(site_name="Lärplattformen")

    assert title_of(client.get("/")) == "Lärplattformen"
