"""Reading a lecture's video file after it is stored: ffprobe's facts and a poster frame
made with ffmpeg. Runs inline on save for ordinary files, in the task queue for large ones
(LMS_LECTURE_PROBE_ASYNC_BYTES)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from .validators import probe_path_or_upload

logger = logging.getLogger(__name__)

FFMPEG_TIMEOUT = 60  # seconds; one frame near the start of the file


@contextlib.contextmanager
def _local_path(field_file) -> Iterator[str]:
    """A path ffprobe/ffmpeg can read: the stored file itself on local storage, else a copy."""
    try:
        yield field_file.storage.path(field_file.name)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(field_file.name).suffix) as handle:
        with field_file.open("rb") as source:
            shutil.copyfileobj(source, handle)
        handle.flush()
        yield handle.name


def make_poster(lecture) -> bool:
    """Give a lecture without a poster a frame of its video (at a tenth of its length, at
    most 5 s in) as its poster image. Returns whether one was made."""
    if lecture.poster_id or not lecture.width or not lecture.video:
        return False
    executable = shutil.which("ffmpeg")
    if executable is None:
        logger.warning("ffmpeg is missing: no poster frame for lecture %s", lecture.pk)
        return False
    seconds = lecture.duration.total_seconds() if lecture.duration else 0
    at = min(5.0, seconds / 10)
    with _local_path(lecture.video) as path, tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "poster.jpg"
        result = subprocess.run(  # noqa: S603 - a fixed program and paths of our own
            [
                executable,
                "-v",
                "error",
                "-ss",
                f"{at:.2f}",
                "-i",
                path,
                "-frames:v",
                "1",
                "-q:v",
                "3",
                "-y",
                str(target),
            ],
            capture_output=True,
            timeout=FFMPEG_TIMEOUT,
            check=False,
        )
        if result.returncode != 0 or not target.exists() or not target.stat().st_size:
            logger.warning("ffmpeg made no poster for lecture %s: %s", lecture.pk, result.stderr)
            return False
        with target.open("rb") as handle:
            image = get_image_model()(
                title=_("Poster: %(title)s") % {"title": lecture.title},
                file=ImageFile(handle, name=f"lecture-{lecture.pk}-poster.jpg"),
            )
            image.save()
    type(lecture).objects.filter(pk=lecture.pk, poster__isnull=True).update(poster=image)
    lecture.poster = image
    return True


def process_lecture_video(lecture_id: int) -> None:
    """The task behind a large upload: probe the stored file, record what it is (or why it
    was refused), then make a poster. Idempotent: a lecture that is no longer processing is
    left alone, so a redelivered task does nothing."""
    from .models import Lecture, LectureStatus

    # The refusal is kept as text for the editors, who read the admin in the site's language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        lecture = Lecture.objects.select_for_update().filter(pk=lecture_id).first()
        if lecture is None or lecture.status != LectureStatus.PROCESSING:
            return
        with lecture.video.open("rb") as handle:
            head = handle.read(64)
        try:
            with _local_path(lecture.video) as path:
                probe = probe_path_or_upload(None, head, path=path)
        except ValidationError as error:
            lecture.status = LectureStatus.FAILED
            lecture.status_message = " ".join(error.messages)
        else:
            lecture.apply_probe(probe)
            if lecture.duration is None:
                lecture.status = LectureStatus.FAILED
                lecture.status_message = _(
                    "The duration could not be read from the video: give it and save again."
                )
        lecture.save()
    if lecture.status == LectureStatus.READY:
        make_poster(lecture)


def after_lecture_saved(lecture) -> None:
    """Called by the admin after a lecture is created or edited: a large file goes to the
    task queue; an ordinary one, probed already, gets its poster now."""
    if lecture.status == "processing":
        from django_q.tasks import async_task

        transaction.on_commit(
            lambda: async_task("wagtail_learning.modules.media.process_lecture_video", lecture.pk)
        )
    elif lecture.status == "ready":
        make_poster(lecture)
