"""A course document is handed out only through its module, never by its public URL."""

import pytest

from tests.factories import (
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    SuperuserFactory,
    document_step,
    editor_of,
    enrolled_learner,
    hr_user,
    org_unit,
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


@pytest.mark.django_db
def test_admin_access_alone_does_not_open_a_module_document_only_editing_the_module(client):
    document = DocumentFactory()
    module = ModulePageFactory(steps=[document_step(document)])
    other_module = ModulePageFactory()

    client.force_login(hr_user(org_unit("Kommun B"), username="hr-b"))
    assert client.get(document.url).status_code == 403
    client.force_login(editor_of(other_module))
    assert client.get(document.url).status_code == 403
    client.force_login(editor_of(module))
    assert client.get(document.url).status_code == 200


def test_with_debug_on_documents_are_not_served_from_media(settings, tmp_path):
    """runserver with DEBUG serves public uploads from MEDIA_URL, but not documents/."""
    import importlib

    from django.urls import Resolver404, resolve

    import config.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)
    try:
        urls = importlib.reload(config.urls)
        assert resolve("/media/images/poster.jpg", urls).url_name is None
        with pytest.raises(Resolver404):
            resolve("/media/documents/handbok.pdf", urls)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
