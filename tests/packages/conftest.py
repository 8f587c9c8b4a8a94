import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import new_id


def make_package(data: bytes, title: str = "Paket"):
    """A package stored as the admin form stores one."""
    from wagtail_learning.packages.forms import PackageForm
    from wagtail_learning.packages.models import ContentPackage

    class Form(PackageForm):
        class Meta:
            model = ContentPackage
            fields = ["title", "description"]

    form = Form(
        data={"title": title, "description": ""},
        files={"package_file": SimpleUploadedFile("paket.zip", data, "application/zip")},
    )
    assert form.is_valid(), form.errors
    return form.save()


def package_step(package, *, completes_on="completed", min_score=None, required=True) -> dict:
    return {
        "type": "package",
        "id": new_id(),
        "value": {
            "package": package.pk,
            "completes_on": completes_on,
            "min_score": min_score,
            "required": required,
        },
    }


@pytest.fixture
def editor_client(client):
    from wagtail.users.models import UserProfile

    from tests.factories import SuperuserFactory

    editor = SuperuserFactory()
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(editor)
    return client
