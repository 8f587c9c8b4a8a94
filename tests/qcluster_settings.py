"""Settings for a real `manage.py qcluster` started by a test or a benchmark.

The test settings, with the queue asynchronous on the ORM broker, pointed at the database
and the (temporary) file folders of the process that started it:

    LMS_QCLUSTER_DB_NAME               the test database (PostgreSQL) or SQLite file
    LMS_QCLUSTER_MEDIA_ROOT            the starter's MEDIA_ROOT
    LMS_QCLUSTER_PROTECTED_MEDIA_ROOT  the starter's PROTECTED_MEDIA_ROOT
    LMS_QCLUSTER_REDIS_URL             take tasks from this Redis instead (the Redis broker)
    LMS_QCLUSTER_EMAIL_DIR             write each email sent there as a file
    Q_WORKERS                          how many workers (read by the base settings)

The folders are the starter's own temporary ones (test settings make a fresh pair per
process); without them the PDF would land where the starter cannot read it.
"""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES, Q_CLUSTER, STORAGES

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "poll": 0.1}
if os.environ.get("LMS_QCLUSTER_REDIS_URL"):
    Q_CLUSTER["redis"] = os.environ["LMS_QCLUSTER_REDIS_URL"]
    Q_CLUSTER.pop("orm", None)
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER.pop("redis", None)

if os.environ.get("LMS_QCLUSTER_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["LMS_QCLUSTER_EMAIL_DIR"]

if os.environ.get("LMS_QCLUSTER_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["LMS_QCLUSTER_DB_NAME"]

if os.environ.get("LMS_QCLUSTER_MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["LMS_QCLUSTER_MEDIA_ROOT"])

if os.environ.get("LMS_QCLUSTER_PROTECTED_MEDIA_ROOT"):
    PROTECTED_MEDIA_ROOT = Path(os.environ["LMS_QCLUSTER_PROTECTED_MEDIA_ROOT"])
    STORAGES = {
        **STORAGES,
        "protected": {
            **STORAGES["protected"],
            "OPTIONS": {"location": str(PROTECTED_MEDIA_ROOT), "base_url": None},
        },
    }

# Each task a worker takes is logged ("... processing <task name> '<func>'"), so a test can
# tell which cluster did the work.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "INFO"}}}  # noqa: F405
