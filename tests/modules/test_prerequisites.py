"""Prerequisites that lock each other for ever are refused on every save path: code,
revisions and publishing, and the admin form (as a field error)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import CoursePageFactory, ModulePageFactory, reading_step
from wagtail_learning.modules.models import ModulePage

pytestmark = pytest.mark.django_db

MESSAGE = "These prerequisites would lock each other for ever"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def chain():
    """Grund <- Fördjupning 1 <- Fördjupning 2 (each requires the one before)."""
    course = CoursePageFactory()
    basic = ModulePageFactory(parent=course, title="Grund", steps=[reading_step()])
    first = ModulePageFactory(
        parent=course, title="Fördjupning 1", steps=[reading_step()], prerequisites=[basic]
    )
    second = ModulePageFactory(
        parent=course, title="Fördjupning 2", steps=[reading_step()], prerequisites=[first]
    )
    return basic, first, second


def fresh(page):
    return ModulePage.objects.get(pk=page.pk)


def test_saving_a_cycle_through_code_is_refused_naming_the_chain(chain):
    basic, _first, second = chain
    basic = fresh(basic)
    basic.prerequisites.set([second])

    with pytest.raises(ValidationError) as raised:
        basic.save()

    assert raised.value.message_dict["prerequisites"] == [
        f"{MESSAGE}: Fördjupning 2 → Fördjupning 1 → Grund → this module."
    ]
    assert list(fresh(basic).prerequisites.all()) == []


def test_a_module_requiring_itself_is_refused(chain):
    basic = fresh(chain[0])
    basic.prerequisites.set([basic])

    with pytest.raises(ValidationError, match=MESSAGE):
        basic.save()


def test_a_revision_holding_a_cycle_is_refused_before_it_can_be_published(chain):
    basic, first, _second = chain
    basic = fresh(basic)
    basic.prerequisites.set([first])

    with pytest.raises(ValidationError, match=MESSAGE):
        basic.save_revision()


def test_prerequisites_without_a_cycle_save(chain):
    basic, _first, second = chain
    other = ModulePageFactory(parent=basic.get_parent(), title="Fristående")
    other.prerequisites.set([second, basic])

    other.save()

    assert set(fresh(other).prerequisites.all()) == {fresh(second), fresh(basic)}


def test_the_admin_form_gives_the_same_message_as_a_field_error(chain):
    basic, _first, second = chain
    form_class = ModulePage.get_edit_handler().get_form_class()
    form = form_class(instance=fresh(basic), for_user=None)
    form.cleaned_data = {"prerequisites": [fresh(second)]}

    with pytest.raises(ValidationError) as raised:
        form.clean_prerequisites()

    assert raised.value.messages == [
        f"{MESSAGE}: Fördjupning 2 → Fördjupning 1 → Grund → this module."
    ]
