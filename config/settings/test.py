from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: the local-memory cache is shared by every request, as Redis is in production.
LMS_CACHE_UNTIL_EDIT = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Static files come from the app folders here (runserver / the test client), not from a
# collected STATIC_ROOT, so WhiteNoise has nothing to do.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# django-q2 reads its Conf once at import: sync mode must be set here, not in a fixture.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]

# Uploaded files of the test run go to a throwaway folder, never into the checkout.
# (Model fields bind their storage at import, so this is set here, not per test.)
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

_TEST_FILES = Path(tempfile.mkdtemp(prefix="lms-test-files-"))
MEDIA_ROOT = _TEST_FILES / "media"
PROTECTED_MEDIA_ROOT = _TEST_FILES / "private-media"
STORAGES["protected"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PROTECTED_MEDIA_ROOT), "base_url": None},
}

LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django-q": {"level": "WARNING"}}}  # noqa: F405

# Close connections after each request: the live server's threads would otherwise keep
# theirs open and PostgreSQL could not drop the test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# A "replica" alias that mirrors the test database (Django's TEST MIRROR: a second
# connection to the same database), with the router installed. LMS_REPORTS_DATABASE stays
# empty, so nothing reads through it unless a test sets it (tests/lms/test_replica.py).
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = ["wagtail_learning.lms.replica.ReplicaRouter"]
