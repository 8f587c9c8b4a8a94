"""Every model of ours names itself in Swedish, singular and plural.

The person's own record ("Allt som sparas om dig", /min-utbildning/) lists what is held
about them by each model's plural name; without one of its own, Django appends an "s" to
the Swedish singular ("tillhörighet till enhets", seen in the demo), and a model without a
translated name shows English ("saml request")."""

import pytest
from django.apps import apps
from django.utils import translation

OUR_APPS = {
    "accounts", "certificates", "compliance", "courses", "events", "external", "home", "hr",
    "identity", "lms", "modules", "org", "packages",
}  # fmt: skip


def our_models():
    return [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", our_models(), ids=lambda model: model._meta.label)
def test_a_model_names_itself_in_swedish_singular_and_plural(model):
    declared = model._meta.original_attrs
    assert "verbose_name" in declared and "verbose_name_plural" in declared
    with translation.override("sv"):
        singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    with translation.override("en"):
        english = str(model._meta.verbose_name_plural)
    assert plural != singular + "s"
    assert plural != english or plural == singular  # translated (or the same in both)
