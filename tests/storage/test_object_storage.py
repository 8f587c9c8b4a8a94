"""Protected files in object storage: what an S3-compatible bucket holds, what a learner's
browser is handed after the access check (a short-lived signed link it can seek in), and
that deleting or anonymising reaches the stored objects. Against a real SeaweedFS
(conftest.py); nothing of ours is mocked."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.certificates.conftest import complete_course, make_certified_course, pdf_text
from tests.factories import (
    CAPTIONS_SV,
    VIDEO_BYTES,
    ModulePageFactory,
    SuperuserFactory,
    UserFactory,
    enrolled_learner,
    learner_profile,
    lecture_step,
    lecture_with_captions,
    route,
)
from wagtail_learning.certificates.handlers import purge_certificates
from wagtail_learning.certificates.models import Certificate, CertificateDesign
from wagtail_learning.compliance import api as compliance
from wagtail_learning.lms.api import protected_storage
from wagtail_learning.modules.models import Lecture
from wagtail_learning.org.imports.jobs import start_staff_import
from wagtail_learning.org.models import Organisation, StaffImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(bucket):
    return lecture_with_captions()


@pytest.fixture
def module(lecture):
    return ModulePageFactory(steps=[lecture_step(lecture)])


@pytest.fixture
def video_url(module):
    return route(module, "video", module.steps[0].id)


@pytest.fixture
def learner_client(client, module):
    client.force_login(enrolled_learner(module.get_parent()))
    return client


def test_an_uploaded_video_and_its_captions_are_objects_in_the_bucket_not_files_on_disk(
    bucket, settings
):
    lecture = lecture_with_captions(video__filename=f"{uuid.uuid4().hex}.webm")
    track = lecture.caption_tracks.get()

    assert bucket.read(lecture.video.name) == VIDEO_BYTES
    assert bucket.read(track.file.name) == CAPTIONS_SV.encode()
    assert not (settings.PROTECTED_MEDIA_ROOT / lecture.video.name).exists()


def test_the_bucket_gives_nothing_to_a_request_without_a_signature(bucket, lecture):
    url = f"{bucket.store.endpoint_url}/lms-test/{bucket.key(lecture.video.name)}"

    fetched = bucket.fetch(url)

    assert fetched.status == 403
    assert VIDEO_BYTES[:16] not in fetched.body


def test_a_learner_is_sent_to_a_signed_link_that_serves_the_range_a_player_seeks(
    bucket, learner_client, video_url
):
    response = learner_client.get(video_url, headers={"range": "bytes=0-99"})

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    assert link.startswith(bucket.store.endpoint_url + "/")
    assert "X-Amz-Expires=300" in link

    fetched = bucket.fetch(link, {"Range": "bytes=0-99"})
    assert fetched.status == 206
    assert fetched.body == VIDEO_BYTES[:100]
    assert fetched.headers["Content-Range"] == f"bytes 0-99/{len(VIDEO_BYTES)}"
    assert fetched.headers["Content-Type"] == "video/webm"

    seek = bucket.fetch(link, {"Range": "bytes=2000-"})
    assert seek.status == 206
    assert seek.body == VIDEO_BYTES[2000:]


def test_a_signed_link_stops_working_when_it_expires(bucket, learner_client, video_url, settings):
    settings.LMS_S3_URL_EXPIRY_SECONDS = 1
    link = learner_client.get(video_url)["Location"]
    assert bucket.fetch(link, {"Range": "bytes=0-99"}).status == 206

    time.sleep(2.5)  # the object store's clock decides; its links count whole seconds

    expired = bucket.fetch(link, {"Range": "bytes=0-99"})
    assert expired.status == 403
    assert VIDEO_BYTES[:16] not in expired.body
    # Asking the site again (the access check again) gives a fresh link that works.
    assert bucket.fetch(learner_client.get(video_url)["Location"]).status == 200


def test_a_learner_without_access_gets_403_and_no_link_at_all(bucket, client, video_url):
    client.force_login(UserFactory())

    response = client.get(video_url, headers={"range": "bytes=0-99"})

    assert response.status_code == 403
    assert "Location" not in response
    assert b"X-Amz" not in response.content
    assert bucket.store.endpoint_url.encode() not in response.content


def test_an_anonymous_visitor_gets_403_and_no_link(bucket, client, video_url):
    response = client.get(video_url)

    assert response.status_code == 403
    assert "Location" not in response


def test_captions_come_from_the_site_itself_for_the_players_track(
    bucket, learner_client, module, lecture
):
    track = lecture.caption_tracks.get()

    response = learner_client.get(route(module, "captions", module.steps[0].id, track.pk))

    assert response.status_code == 200
    assert "Location" not in response
    assert b"".join(response.streaming_content) == CAPTIONS_SV.encode()


def test_behind_nginx_the_signed_link_is_handed_over_for_nginx_to_fetch(
    bucket, learner_client, video_url, settings
):
    settings.LMS_X_ACCEL_REDIRECT = {"protected": "/_protected/", "default": ""}

    response = learner_client.get(video_url, headers={"range": "bytes=0-99"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    internal = response["X-Accel-Redirect"]
    assert internal.startswith("/_protected/lms-test/")
    # What nginx's `proxy_pass <endpoint>/` makes of it: the signed request, Range and all.
    upstream = bucket.store.endpoint_url + internal.removeprefix("/_protected")
    fetched = bucket.fetch(upstream, {"Range": "bytes=0-99"})
    assert fetched.status == 206
    assert fetched.body == VIDEO_BYTES[:100]


# --- Deletion reaches the objects -----------------------------------------------------------


def test_deleting_a_lecture_deletes_its_video_and_captions_from_the_bucket(
    bucket, lecture, django_capture_on_commit_callbacks
):
    video, captions = lecture.video.name, lecture.caption_tracks.get().file.name
    assert bucket.holds(video) and bucket.holds(captions)

    with django_capture_on_commit_callbacks(execute=True):
        Lecture.objects.get(pk=lecture.pk).delete()

    assert not bucket.holds(video)
    assert not bucket.holds(captions)


def test_a_copied_lecture_keeps_the_video_it_shares_when_the_original_is_deleted(
    bucket, lecture, django_capture_on_commit_callbacks
):
    copy = Lecture.objects.create(title="Kopia", video=lecture.video.name)

    with django_capture_on_commit_callbacks(execute=True):
        Lecture.objects.get(pk=lecture.pk).delete()
    assert bucket.holds(copy.video.name)

    with django_capture_on_commit_callbacks(execute=True):
        copy.delete()
    assert not bucket.holds(lecture.video.name)


def test_a_replaced_video_leaves_no_object_behind(
    bucket, lecture, django_capture_on_commit_callbacks
):
    old = lecture.video.name
    lecture = Lecture.objects.get(pk=lecture.pk)  # as the edit form loads it

    with django_capture_on_commit_callbacks(execute=True):
        lecture.video = ContentFile(VIDEO_BYTES[::-1], name="ny-inspelning.webm")
        lecture.save()

    assert not bucket.holds(old)
    assert bucket.read(lecture.video.name) == VIDEO_BYTES[::-1]


def test_a_deletion_rolled_back_keeps_the_object(bucket, lecture):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Lecture.objects.get(pk=lecture.pk).delete()
        raise RuntimeError("the editor's request failed")

    assert bucket.holds(lecture.video.name)


def test_a_staff_import_runs_from_its_upload_in_the_bucket_and_then_removes_it(
    bucket, django_capture_on_commit_callbacks
):
    from wagtail_learning.org.imports.jobs import queue_staff_import
    from wagtail_learning.org.models import LearnerProfile

    huddinge = Organisation.add_root(name="Huddinge kommun")
    admin = SuperuserFactory()
    staff_import = start_staff_import(
        data="Anställningsnummer;Förnamn;Efternamn;Enhet\n1001;Åsa;Berg;Huddinge kommun\n".encode(),
        filename="personal.csv",
        scope=huddinge,
        full=False,
        create_units=False,
        user=admin,
    )
    staff_import.refresh_from_db()
    assert bucket.holds(staff_import.file)

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_staff_import(staff_import, mapping=staff_import.mapping, user=admin)

    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert LearnerProfile.objects.filter(employee_number="1001").exists()
    assert not bucket.holds(staff_import.file)


def test_deleting_a_staff_import_deletes_its_uploaded_file(
    bucket, django_capture_on_commit_callbacks
):
    huddinge = Organisation.add_root(name="Huddinge kommun")
    staff_import = start_staff_import(
        data="Anställningsnummer;Förnamn;Efternamn;Enhet\n1001;Åsa;Berg;Huddinge kommun\n".encode(),
        filename="personal.csv",
        scope=huddinge,
        full=False,
        create_units=False,
        user=SuperuserFactory(),
    )
    assert bucket.holds(staff_import.file)

    with django_capture_on_commit_callbacks(execute=True):
        StaffImport.objects.get(pk=staff_import.pk).delete()

    assert not bucket.holds(staff_import.file)


# --- Certificates -------------------------------------------------------------------------


@pytest.fixture
def certified(bucket):
    CertificateDesign.objects.filter(is_default=True).delete()
    return make_certified_course(revision=True)


@pytest.fixture
def leaver(certified):
    user = enrolled_learner(
        certified.course,
        first_name="Åsa",
        last_name="Öberg-Lindqvist",
        username="asa.oberg",
        email="asa.oberg@huddinge.se",
    )
    learner_profile(
        user,
        unit=Organisation.add_root(name="Huddinge kommun"),
        leave_date=date.today() - timedelta(days=1000),
    )
    return user


def _completed(user, certified, capture) -> Certificate:
    with capture(execute=True):  # the commit issues; issuing enqueues; sync mode renders
        complete_course(user, certified)
    return Certificate.objects.get(user=user, page_id=certified.course.pk)


def test_a_certificate_rendered_by_the_task_is_stored_in_the_bucket_and_downloadable(
    bucket, certified, leaver, client, django_capture_on_commit_callbacks
):
    certificate = _completed(leaver, certified, django_capture_on_commit_callbacks)
    assert certificate.status == Certificate.Status.READY
    assert bucket.read(certificate.pdf.name).startswith(b"%PDF")

    client.force_login(leaver)
    response = client.get(f"/certificates/{certificate.code}/pdf/")

    assert response.status_code == 302
    fetched = bucket.fetch(response["Location"])
    assert fetched.status == 200
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert f"intyg-{certificate.code}.pdf" in fetched.headers["Content-Disposition"]
    assert "Åsa Öberg-Lindqvist" in pdf_text(fetched.body)


def test_someone_elses_certificate_gives_no_link(
    bucket, certified, leaver, client, django_capture_on_commit_callbacks
):
    certificate = _completed(leaver, certified, django_capture_on_commit_callbacks)
    client.force_login(UserFactory())

    response = client.get(f"/certificates/{certificate.code}/pdf/")

    assert response.status_code == 404
    assert "Location" not in response


def test_anonymising_a_person_replaces_their_certificate_pdf_in_the_bucket(
    bucket, certified, leaver, django_capture_on_commit_callbacks
):
    certificate = _completed(leaver, certified, django_capture_on_commit_callbacks)
    old = certificate.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        assert compliance.anonymise_leavers(now=timezone.now(), after_days=730) == 1

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    # The PDF naming them is gone from the bucket; the one left is the new rendering.
    folder = old.rsplit("/", 1)[0]
    assert bucket.names(f"{folder}/{certificate.code}") == [certificate.pdf.name]
    text = pdf_text(bucket.read(certificate.pdf.name))
    assert "Anonymiserad deltagare" in text
    assert "Öberg-Lindqvist" not in text


def test_the_retention_purge_deletes_the_certificate_pdfs_from_the_bucket(
    bucket, certified, leaver, django_capture_on_commit_callbacks
):
    certificate = _completed(leaver, certified, django_capture_on_commit_callbacks)
    assert bucket.holds(certificate.pdf.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_certificates(before=timezone.now() + timedelta(days=1)) == 1

    assert not bucket.holds(certificate.pdf.name)


def test_the_protected_storage_in_use_is_the_bucket(bucket):
    """The fields' storage follows STORAGES (a test or a deployment switching to the bucket
    reaches every model field, which bound its storage at import)."""
    name = protected_storage().save("probe.txt", ContentFile(b"hej"))

    assert bucket.read(name) == b"hej"
    assert (
        urlsplit(protected_storage().url(name)).netloc == urlsplit(bucket.store.endpoint_url).netloc
    )


# --- A lecture upload kept across a failed save -------------------------------------------


def test_a_video_kept_in_the_bucket_after_a_failed_save_is_read_by_ffprobe(bucket):
    """The kept upload has no local path in a bucket: ffprobe reads a copy of it."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail_learning.modules.uploads import keep_upload, open_pending
    from wagtail_learning.modules.validators import probe_video

    webm = Path(__file__).resolve().parents[2] / "home/demo/lectures/jamlikhet-1-grundmodul.webm"
    kept = keep_upload(SimpleUploadedFile("inspelning.webm", webm.read_bytes()))
    pending = open_pending(kept.token)
    assert bucket.holds(pending.pending_path)

    probe = probe_video(pending)

    assert probe.has_video
    assert probe.duration and probe.duration.total_seconds() > 1
