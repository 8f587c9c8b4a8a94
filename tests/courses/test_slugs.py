"""New courses and modules get ASCII slugs: å, ä and ö become a, a and o, not
percent-encoded bytes in every link."""

import pytest

from tests.factories import course_index
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.modules.forms import AsciiSlugPageForm
from wagtail_learning.modules.models import ModulePage

pytestmark = pytest.mark.django_db


def test_a_course_titled_in_swedish_gets_an_ascii_slug_and_address():
    course = course_index().add_child(
        instance=CoursePage(title="Tillgänglighet för äldre på hemmet", summary="Kort.")
    )
    module = course.add_child(instance=ModulePage(title="Grundmodul – Språk och åtgärder"))

    assert course.slug == "tillganglighet-for-aldre-pa-hemmet"
    assert module.slug == "grundmodul-sprak-och-atgarder"
    assert module.url.isascii()


def test_a_slug_typed_with_swedish_letters_is_transliterated_by_the_page_form():
    form = AsciiSlugPageForm.__new__(AsciiSlugPageForm)
    form.cleaned_data = {"slug": "tillgänglig-utbildning-ö"}

    assert form.clean_slug() == "tillganglig-utbildning-o"


def test_course_and_module_forms_keep_slugs_ascii():
    for model in (CoursePage, ModulePage):
        assert issubclass(model.get_edit_handler().get_form_class(), AsciiSlugPageForm)
