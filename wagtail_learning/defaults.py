"""Every Django setting the platform reads, with its default and what it means.

A host sets none of them to start with: each is read through `value()` (the apps' conf
modules do), which falls back to the default here. README "Settings" lists them all (a test
checks that each name below is there).

Settings of Django, Wagtail and the libraries we use (STORAGES, Q_CLUSTER, AUTHENTICATION_
BACKENDS...) are not ours: README "Add to an existing Wagtail site" says which a host adds.
The identity providers' `LMS_IDP_*` are environment variables read by a management command,
not settings (README "Identity providers").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "LMS_ADMIN_PATH",
        "admin/",
        "Where the host's urls.py includes Wagtail's admin; the platform's replacements of "
        "a few admin pages (logout, password reset, site history) are put there.",
    ),
    Setting(
        "LMS_PUBLIC_BASE_URL",
        "",
        "The site's public address for links that leave it (emails, certificate QR codes); "
        "empty: WAGTAILADMIN_BASE_URL.",
    ),
    Setting(
        "LMS_MAX_PLAYBACK_RATE",
        2.0,
        "The highest playback rate the player offers; caps the watch time credited.",
    ),
    Setting(
        "LMS_X_ACCEL_REDIRECT",
        {},
        "nginx internal location per storage alias (`protected`, `default`) for "
        "X-Accel-Redirect; empty: Django streams protected files itself.",
    ),
    Setting(
        "LMS_LECTURE_PROBE_ASYNC_BYTES",
        200 * 1024 * 1024,
        "Lecture videos larger than this are probed (ffprobe, poster) by the task queue "
        "after saving instead of on save.",
    ),
    Setting(
        "LMS_LECTURE_PENDING_UPLOAD_HOURS",
        24,
        "How long an upload kept across a failed save of the lecture form stays valid.",
    ),
    Setting(
        "LMS_S3_URL_EXPIRY_SECONDS",
        300,
        "How long a signed link to a protected file in object storage works (with "
        "LMS_S3_BUCKET; docs/deployment.md).",
    ),
    Setting(
        "LMS_BARRIER_REPORTS_PER_HOUR",
        5,
        "Accessibility barrier reports one client may send per hour (the form is open to "
        "anyone).",
    ),
    Setting(
        "LMS_BARRIER_REPORT_RETENTION_DAYS",
        365,
        "Days the reporter's name and address are kept on a closed barrier report.",
    ),
    Setting(
        "LMS_EVALUATION_MIN_ANSWERS",
        5,
        "Evaluation results (figures and free text) are shown only for groups of at least "
        "this many answers, for every reader.",
    ),
    Setting(
        "LMS_EVALUATION_REMINDER_DAYS",
        7,
        "Days after an evaluation is offered when the one reminder goes out.",
    ),
    Setting(
        "LMS_XAPI_TIMEOUT_SECONDS",
        10,
        "How long one request to an organisation's LRS may take before it counts as failed.",
    ),
    Setting(
        "LMS_XAPI_RETRY_SECONDS",
        60,
        "The wait before a statement the LRS did not take is tried again; it doubles with "
        "each failure up to LMS_XAPI_RETRY_MAX_SECONDS.",
    ),
    Setting(
        "LMS_XAPI_RETRY_MAX_SECONDS",
        6 * 60 * 60,
        "The longest wait between two tries of a statement the LRS did not take.",
    ),
    Setting(
        "LMS_XAPI_BATCH_SIZE",
        100,
        "Statements one run of the sending task sends to each LRS.",
    ),
    Setting(
        "LMS_ITEM_ANALYSIS_MIN_ATTEMPTS",
        30,
        "A quiz's item analysis (difficulty, discrimination, KR-20) is shown only from this "
        "many first attempts (per question: attempts that had it).",
    ),
    Setting(
        "LMS_CLIENT_IP_HEADER",
        "",
        "The request header the reverse proxy sets to the client's address (e.g. "
        "HTTP_X_REAL_IP) for throttling; empty: REMOTE_ADDR.",
    ),
    Setting(
        "LMS_REMINDER_DAYS_BEFORE",
        7,
        "Learners are reminded this many days before a course is due (and when overdue).",
    ),
    Setting(
        "LMS_FORECAST_PACE_DAYS",
        30,
        "HR's forecast projects a unit's completions at the pace of the last this many days.",
    ),
    Setting(
        "LMS_MIN_GROUP_SIZE",
        5,
        "Another organisation's figures are shown only for groups of at least this many "
        "people (1 shows every group).",
    ),
    Setting(
        "LMS_REPORTS_DATABASE",
        "",
        "The database alias (a read replica of the primary) that report pages and exports "
        "read from, with wagtail_learning.lms.replica.ReplicaRouter in DATABASE_ROUTERS; "
        "empty: the primary (docs/deployment.md).",
    ),
    Setting(
        "LMS_CACHE_UNTIL_EDIT",
        False,
        "Keep what only an edit changes (module lists, sites) in the cache between "
        "requests; only with a cache every process shares (Redis).",
    ),
    Setting(
        "LMS_PACKAGE_MAX_BYTES",
        500 * 1024 * 1024,
        "The largest package (SCORM, cmi5 zip) an editor may upload, in bytes.",
    ),
    Setting(
        "LMS_PACKAGE_MAX_UNPACKED_BYTES",
        2 * 1024 * 1024 * 1024,
        "The most a package may unpack to, in bytes (the zip's own figures, checked "
        "before anything is unpacked).",
    ),
    Setting(
        "LMS_PACKAGE_MAX_RATIO",
        100,
        "A package (or one of its files from 1 MB) that unpacks to more than this many "
        "times its packed size is refused as a zip bomb.",
    ),
    Setting(
        "LMS_PACKAGE_MAX_FILES",
        10000,
        "The most files a package may hold.",
    ),
    Setting(
        "LMS_PACKAGE_MAX_COMMIT_BYTES",
        1024 * 1024,
        "The largest CMI commit a package's runtime may send for a learner, in bytes "
        "(suspend_data is kept whole up to this).",
    ),
    Setting(
        "ADMIN_CONTENT_SECURITY_POLICY_REPLACE",
        {
            "script-src": ["'self'", "'unsafe-inline'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:", "blob:"],
            "media-src": ["'self'", "blob:"],
        },
        "With our CSP middleware: the directives replaced under Wagtail's admin, whose "
        "widgets use inline scripts and styles and preview uploads from blob: URLs.",
    ),
    Setting(
        "CERTIFICATES_RENDERER",
        "wagtail_learning.certificates.rendering.WeasyPrintRenderer",
        "Dotted path of the class that renders certificate PDFs.",
    ),
    Setting(
        "CERTIFICATES_PENDING_GRACE_SECONDS",
        300,
        "How long a certificate may wait for its render task before the minute sweep "
        "queues it again (a task a killed worker took from Redis is lost).",
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def value(name: str) -> Any:
    """The host's setting `name`, or its default here. A name not listed is a KeyError:
    every setting the platform reads is in SETTINGS."""
    return getattr(settings, name, DEFAULTS[name])
