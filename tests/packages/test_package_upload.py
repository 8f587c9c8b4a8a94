"""An editor uploads a package in the admin: a good one is unpacked into protected
storage; a bad one gets a message saying what is wrong, and nothing is stored."""

import html
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.packages.builders import (
    build_zip,
    cmi5_package,
    sco_files,
    scorm12_package,
    scorm2004_package,
)
from wagtail_learning.packages.api import ContentPackage

ADD = "wagtailsnippets_packages_contentpackage:add"


def _upload(client, data: bytes, title="Paketet", name="paket.zip"):
    return client.post(
        reverse(ADD),
        {"title": title, "description": "", "package_file": SimpleUploadedFile(name, data)},
    )


def _stored_files() -> list[Path]:
    root = Path(settings.STORAGES["protected"]["OPTIONS"]["location"]) / "packages"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "standard", "version"),
    [
        (scorm12_package(), "scorm12", "1.2"),
        (scorm2004_package(version="2004 3rd Edition"), "scorm2004", "2004 3rd Edition"),
        (scorm2004_package(version="2004 4th Edition"), "scorm2004", "2004 4th Edition"),
        (cmi5_package(), "cmi5", "cmi5"),
    ],
)
def test_each_supported_package_is_recognised_and_unpacked(editor_client, data, standard, version):
    before = set(_stored_files())
    response = _upload(editor_client, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    package = ContentPackage.objects.get()
    assert (package.standard, package.version) == (standard, version)
    assert package.launch_path == "index.html"
    assert set(package.files) >= {"index.html", "scripts/sco.js", "style/sco.css"}
    new = set(_stored_files()) - before
    assert len(new) == len(package.files)
    if standard == "cmi5":
        assert package.aus[0]["move_on"] == "CompletedAndPassed"
        assert package.aus[0]["mastery_score"] == 0.8
    if standard == "scorm12":
        assert package.mastery_score == 80
    assert new


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", scorm12_package())
        archive.writestr("padding.bin", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def _escaping() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(scorm12_package())) as good:
            for info in good.infolist():
                archive.writestr(info, good.read(info))
        archive.writestr("../../outside.html", "<p>ut</p>")
    return buffer.getvalue()


BAD = [
    (build_zip(sco_files()), "has no manifest"),
    (
        scorm2004_package(version="2004 2nd Edition"),
        "SCORM 2004 2nd Edition, which is not supported",
    ),
    (
        scorm12_package(launch="start.html"),
        "The launch file start.html named in the manifest is not in the package",
    ),
    (_escaping(), "would be unpacked outside the package"),
    (scorm12_package(launch="../index.html"), "outside the package's folder"),
    (_bomb(), "zip bomb"),
    (b"not a zip at all", "not a zip archive"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), BAD, ids=[m for _d, m in BAD])
def test_a_bad_package_is_refused_with_its_reason_and_nothing_is_stored(
    editor_client, data, message
):
    before = set(_stored_files())
    response = _upload(editor_client, data)

    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not ContentPackage.objects.exists()
    assert set(_stored_files()) == before


@pytest.mark.django_db
def test_a_package_over_the_size_limit_is_refused(editor_client, settings):
    settings.LMS_PACKAGE_MAX_BYTES = 1000
    before = set(_stored_files())
    response = _upload(editor_client, scorm12_package())

    assert "the limit is 1000" in response.content.decode().replace("\xa0", " ")
    assert not ContentPackage.objects.exists()
    assert set(_stored_files()) == before


@pytest.mark.django_db
def test_a_package_unpacking_past_the_limit_is_refused_before_unpacking(editor_client, settings):
    settings.LMS_PACKAGE_MAX_UNPACKED_BYTES = 2000
    response = _upload(editor_client, scorm12_package())

    assert "unpacks to" in response.content.decode()
    assert not ContentPackage.objects.exists()


@pytest.mark.django_db
def test_a_new_zip_replaces_the_files_and_the_old_folder_goes(
    editor_client, django_capture_on_commit_callbacks
):
    _upload(editor_client, scorm12_package())
    package = ContentPackage.objects.get()
    old = {p for p in _stored_files() if package.folder in p.parts}
    assert len(old) == len(package.files)
    edit = reverse("wagtailsnippets_packages_contentpackage:edit", args=[package.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            edit,
            {
                "title": "Ny",
                "description": "",
                "package_file": SimpleUploadedFile("p.zip", scorm2004_package()),
            },
        )

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.standard == "scorm2004"
    assert not old & set(_stored_files())
