"""A course document is handed out only through its module, never by its public URL."""

import pytest

from tests.factories import (
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    SuperuserFactory,
    document_step,
    enrolled_learner,
    route,
)


@pytest.mark.django_db
def test_a_module_document_is_refused_at_its_public_url_but_served_by_its_module(client):
    document = DocumentFactory()
    course = CoursePageFactory()
    step = document_step(document)
    module = ModulePageFactory(parent=course, steps=[step])

    assert client.get(document.url).status_code == 403
    client.force_login(enrolled_learner(course))
    assert client.get(document.url).status_code == 403
    assert client.get(route(module, "document", step["id"])).status_code == 200


@pytest.mark.django_db
def test_documents_not_used_in_modules_and_editors_are_unaffected(client):
    unused = DocumentFactory()
    used = DocumentFactory()
    ModulePageFactory(steps=[document_step(used)])

    assert client.get(unused.url).status_code == 200
    client.force_login(SuperuserFactory())
    assert client.get(used.url).status_code == 200
