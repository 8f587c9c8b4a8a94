import pytest
from django.core.cache import cache

from tests.factories import CoursePageFactory, ModulePageFactory, reading_step
from wagtail_learning.org.models import Organisation


@pytest.fixture(autouse=True)
def fresh_cache():
    """The registration and resend limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_course(db):
    course = CoursePageFactory(title="Mångfald i praktiken", open_to_external=True)
    ModulePageFactory(parent=course, title="Introduktion", steps=[reading_step("Läs")])
    return course


@pytest.fixture
def association(db):
    return Organisation.add_root(name="IFK Öjebyn", kind=Organisation.Kind.ASSOCIATION)
