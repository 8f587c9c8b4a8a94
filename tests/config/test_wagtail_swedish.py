"""Wagtail's own messages in the editors' flows are in Swedish: the ones Wagtail 8's Swedish
catalogue lacks come from ours (config/wagtail_messages.py, locale/sv)."""

import pytest
from django.utils import translation

from wagtail_learning.wagtail_messages import WAGTAIL_MESSAGES


@pytest.mark.parametrize("message", WAGTAIL_MESSAGES)
def test_each_supplemented_wagtail_message_has_swedish(message):
    with translation.override("sv"):
        assert translation.gettext(message) != message


def test_publishing_a_quiz_is_announced_in_swedish():
    with translation.override("sv"):
        text = translation.gettext("%(model_name)s '%(object)s' updated and published.") % {
            "model_name": "Kunskapstest",
            "object": "Lagen",
        }
    assert text == "Kunskapstest 'Lagen' uppdaterad och publicerad."


@pytest.mark.django_db
def test_the_admin_speaks_swedish_to_an_editor_without_a_language_preference(client):
    from django.urls import reverse

    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory())

    response = client.get(reverse("wagtailsnippets_modules_lecture:list"))

    assert '<html lang="sv"' in response.content.decode()
    html = response.content.decode()
    assert "Föreläsningar" in html
    assert "Sök" in html
