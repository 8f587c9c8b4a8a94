import pytest
from wagtail.users.models import UserProfile

from tests.factories import SuperuserFactory


@pytest.fixture
def editor_client(client):
    editor = SuperuserFactory()
    # The messages are checked in English; the admin would otherwise speak the site's Swedish.
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(editor)
    return client
