"""A course document is handed out only through its module, never by its public URL."""

import pytest

from tests.factories import (
    CoursePageFactory,
    DocumentFactory,
    ModulePageFactory,
    SuperuserFactory,
    UserFactory,
    document_step,
    editor_of,
    enrolled_learner,
    hr_user,
    org_unit,
    reading_step,
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


def reading_linking(*documents) -> dict:
    links = "".join(
        f'<p>Läs <a linktype="document" id="{d.pk}">{d.title}</a>.</p>' for d in documents
    )
    return reading_step(body=f"<p>Inledning.</p>{links}")


@pytest.fixture
def linked():
    """A course of two modules, the second locked behind the first; each has a reading
    that links a document of its own."""
    course = CoursePageFactory()
    first_doc, locked_doc, elsewhere = DocumentFactory(), DocumentFactory(), DocumentFactory()
    first_step = reading_linking(first_doc)
    first = ModulePageFactory(parent=course, steps=[first_step])
    locked_step = reading_linking(locked_doc)
    locked = ModulePageFactory(parent=course, steps=[locked_step], prerequisites=[first])
    return {
        "course": course,
        "first": (first, first_step["id"], first_doc),
        "locked": (locked, locked_step["id"], locked_doc),
        "elsewhere": elsewhere,
    }


def linked_url(module, step_id, document) -> str:
    return route(module, "linked_document", step_id, document.pk)


@pytest.mark.django_db
def test_a_reading_links_its_document_through_the_module_and_learners_get_it(client, linked):
    module, step_id, document = linked["first"]
    client.force_login(enrolled_learner(linked["course"]))

    html = client.get(route(module, "step", step_id)).content.decode()

    assert f'href="{linked_url(module, step_id, document)}"' in html
    assert f'href="{document.url}"' not in html
    response = client.get(linked_url(module, step_id, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% not a real pdf\n"


@pytest.mark.django_db
def test_a_linked_document_is_refused_to_everyone_without_access(client, linked):
    module, step_id, document = linked["first"]
    locked, locked_step_id, locked_doc = linked["locked"]
    url = linked_url(module, step_id, document)

    anonymous = client.get(url)
    assert anonymous.status_code in (302, 403)
    if anonymous.status_code == 302:
        assert "/logga-in/" in anonymous["Location"]

    client.force_login(UserFactory())  # not enrolled
    assert client.get(url).status_code == 403

    client.force_login(hr_user(org_unit("Annan kommun")))  # HR of another organisation
    assert client.get(url).status_code == 403

    client.force_login(enrolled_learner(linked["course"]))  # the second module is locked
    assert client.get(linked_url(locked, locked_step_id, locked_doc)).status_code == 403


@pytest.mark.django_db
def test_only_documents_the_step_links_are_served_through_it(client, linked):
    module, step_id, _document = linked["first"]
    _locked, _locked_step_id, locked_doc = linked["locked"]
    client.force_login(enrolled_learner(linked["course"]))

    assert client.get(linked_url(module, step_id, linked["elsewhere"])).status_code == 404
    assert client.get(linked_url(module, step_id, locked_doc)).status_code == 404
