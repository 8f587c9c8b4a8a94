"""Settings shared by every environment.

Everything a deployer sets is read from environment variables here; dev, test and
production only change defaults and safety switches.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "wagtail_learning.accounts",
    "wagtail_learning.identity",
    "home",
    # Before Wagtail: its templates, static files and Swedish catalogue (which completes
    # Wagtail's own) are found first.
    "wagtail_learning",
    "wagtail_learning.external",
    "wagtail_learning.courses",
    "wagtail_learning.modules",
    "wagtail_learning.packages",
    "wagtail_learning.events",
    "wagtail_learning.evaluations",
    "wagtail_learning.xapi",
    "wagtail_learning.certificates",
    "wagtail_learning.accessibility",
    "wagtail_learning.hr",
    "wagtail_learning.compliance",
    "wagtail_learning.org",
    "wagtail_learning.lms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_q",
    # Only for its templates and static files: with it installed, the API docs page
    # (/api/v1/docs) serves the Swagger UI that ships in the pinned django-ninja package
    # from our own static files instead of loading it from a public CDN.
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wagtail_learning.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wagtail_learning.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail_learning.middleware.BadRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/lms. Default: a local SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the django-q2 worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiled the compliance matrix's one grouped statement (a UNION ALL over
    # the courses) for seconds of CPU to save milliseconds of execution; nothing here runs
    # the long analytic queries it pays off for (decision 0029).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# DATABASE_REPLICA_URL: a streaming replica of the PostgreSQL primary. Report pages and
# exports (the compliance matrix, the forecast, certified units, shared courses, insight)
# read from it; writes, the learners' pages and everything else stay on the primary
# (wagtail_learning.lms.replica, decision 0049). Unset: everything on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests read the test database through it: a replica has no database of its own.
        "TEST": {"MIRROR": "default"},
    }
    LMS_REPORTS_DATABASE = "replica"
    DATABASE_ROUTERS = ["wagtail_learning.lms.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins (on our login page and Wagtail admin's alike: both go
# through authenticate() with the request) and refuses a locked-out one before the password
# is checked. See docs/decisions/0010-login-throttling-and-logout.md.
# AxesBackend, not AxesStandaloneBackend: it adds ModelBackend's get_user and permission
# methods, so code that logs in with the first backend (Wagtail's test helpers) still works.
# It authenticates no one itself; ModelBackend does.
# identity.backends.PasswordBackend is ModelBackend refusing the people of an organisation
# that turned local passwords off; ProviderBackend is what a provider sign-in records in
# the session (it authenticates no one itself). docs/decisions/0024-identity-providers.md
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "wagtail_learning.identity.backends.PasswordBackend",
    "wagtail_learning.identity.backends.ProviderBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LMS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LMS_LOGIN_COOLOFF_MINUTES", "15")))
# Per username from one client: a colleague behind the same municipal NAT address is not
# locked out by someone else's typos, and nobody can lock an account from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = (
    "wagtail_learning.accounts.throttle.client_ip"  # honours LMS_CLIENT_IP_HEADER
)
AXES_LOCKOUT_CALLABLE = "wagtail_learning.accounts.views.locked_out"
# No table of every successful login (addresses, user agents) kept for ever; failures are
# kept only while they count (AXES_COOLOFF_TIME).
AXES_DISABLE_ACCESS_LOG = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Swedish first; English available through the language switch.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
# ASCII slugs: "tillganglig-utbildning", not "tillg%C3%A4nglig-utbildning" in every link
# (å ä ö are transliterated to a a o, in the editor's browser and on the server alike).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static-collected"))

# Public uploads (images, posters). Lecture video and captions live in PROTECTED_MEDIA_ROOT,
# which no URL maps to: only the access-checked view in modules.views hands them out.
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PROTECTED_MEDIA_ROOT = Path(os.environ.get("PROTECTED_MEDIA_ROOT", BASE_DIR / "private-media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "protected": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PROTECTED_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_storage(
    bucket: str,
    *,
    endpoint_url: str = "",
    region: str = "",
    prefix: str = "",
    addressing_style: str = "",
    url_expiry: int = 300,
    access_key: str = "",
    secret_key: str = "",
) -> dict:
    """STORAGES entry for a private bucket of an S3-compatible object store (django-storages'
    S3Storage): objects are written without an ACL (the bucket's own, private), never
    overwritten (a name taken gets a suffix, as on local disk), and handed out only by
    links signed for `url_expiry` seconds (lms.http.files). Without keys boto3 finds its
    own: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, an instance role."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "location": prefix.strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": url_expiry,
        "file_overwrite": False,
        "signature_version": "s3v4",
        # S3-compatible servers (SeaweedFS, MinIO, Ceph) answer on one host: path style.
        "addressing_style": addressing_style or ("path" if endpoint_url else None),
    }
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def s3_origins(bucket: str, endpoint_url: str, region: str, addressing_style: str) -> list[str]:
    """The origins signed links to `bucket` point at (the Content-Security-Policy lets the
    video player follow a redirect there)."""
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if (addressing_style or "path") == "virtual":
            return [f"{parts.scheme}://{bucket}.{parts.netloc}"]
        return [f"{parts.scheme}://{parts.netloc}"]
    hosts = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        hosts.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return hosts


# Object storage for the protected files (lecture video and captions, certificates, staff
# imports): set LMS_S3_BUCKET to a private bucket, and LMS_S3_ENDPOINT_URL for a store
# other than AWS. Unset: the local folder PROTECTED_MEDIA_ROOT (the demo, one server).
LMS_S3_BUCKET = os.environ.get("LMS_S3_BUCKET", "")
LMS_S3_ENDPOINT_URL = os.environ.get("LMS_S3_ENDPOINT_URL", "")
LMS_S3_REGION = os.environ.get("LMS_S3_REGION", "")
LMS_S3_ADDRESSING_STYLE = os.environ.get("LMS_S3_ADDRESSING_STYLE", "")
# How long a signed link to a protected object works; the access check comes first.
LMS_S3_URL_EXPIRY_SECONDS = int(os.environ.get("LMS_S3_URL_EXPIRY_SECONDS", "300"))
if LMS_S3_BUCKET:
    STORAGES["protected"] = s3_storage(
        LMS_S3_BUCKET,
        endpoint_url=LMS_S3_ENDPOINT_URL,
        region=LMS_S3_REGION,
        prefix=os.environ.get("LMS_S3_PREFIX", ""),
        addressing_style=LMS_S3_ADDRESSING_STYLE,
        url_expiry=LMS_S3_URL_EXPIRY_SECONDS,
    )

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_PERMISSIONS = 0o640

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "utbildning@example.se")

# Background tasks (django-q2). LMS_TASK_BROKER: "orm" (the database; the default without
# Redis, enough for one server) or "redis" (the default when REDIS_URL is set: the broker
# every app server and worker cluster shares). See docs/deployment.md, "Task broker".
REDIS_URL = os.environ.get("REDIS_URL", "")
LMS_TASK_BROKER = os.environ.get("LMS_TASK_BROKER", "redis" if REDIS_URL else "orm").lower()
if LMS_TASK_BROKER not in ("orm", "redis"):
    raise ImproperlyConfigured('LMS_TASK_BROKER must be "orm" or "redis".')
if LMS_TASK_BROKER == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("LMS_TASK_BROKER=redis needs REDIS_URL.")
_Q_WORKERS = int(os.environ.get("Q_WORKERS", "2"))
Q_CLUSTER = {
    "name": "lms",
    "workers": _Q_WORKERS,
    # A task running longer is stopped (the import sets its own, TASK_TIMEOUT in
    # org/imports/jobs.py); every long task keeps a lease the sweeps can see lapse.
    "timeout": 120,
    # ORM broker: a task not acknowledged within `retry` is delivered again (a worker that
    # died), up to max_attempts; must exceed the timeouts, see FIELD-NOTES. The Redis broker
    # acknowledges nothing and redelivers nothing: a task whose worker dies is lost, and the
    # sweeps (certificates every minute, imports every 10 minutes) queue its work again.
    "retry": 300,
    "max_attempts": 5,
    # Failed tasks are not acknowledged, so the ORM broker tries them again after `retry`
    # (a no-op on Redis, where the sweeps retry).
    "ack_failures": False,
    # Tasks a cluster takes from the broker ahead of its workers: what a killed cluster
    # loses at most on Redis. One per worker keeps every worker busy and loses little.
    "queue_limit": _Q_WORKERS,
    # Every cluster runs the scheduler by default: a schedule is taken under a row lock
    # (PostgreSQL), so two clusters never start the same run; Q_SCHEDULER=0 leaves it to
    # the others (docs/deployment.md).
    "scheduler": env_bool("Q_SCHEDULER", True),
    "catch_up": False,
    "label": "Bakgrundsjobb",
}
if LMS_TASK_BROKER == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# Public uploads or static files on another host (MEDIA_URL/STATIC_URL set to a URL) are ours.
_FILE_HOSTS = sorted({o for o in (_origin(MEDIA_URL), _origin(STATIC_URL)) if o})
# The player follows the video's redirect to a signed link in the bucket (unless nginx
# fetches it for us: LMS_X_ACCEL_PROTECTED_PREFIX).
_BUCKET_HOSTS = (
    s3_origins(LMS_S3_BUCKET, LMS_S3_ENDPOINT_URL, LMS_S3_REGION, LMS_S3_ADDRESSING_STYLE)
    if LMS_S3_BUCKET and not os.environ.get("LMS_X_ACCEL_PROTECTED_PREFIX")
    else []
)
# Content-Security-Policy (django-csp): a page loads only what this site serves. Learner
# pages run no inline script and no inline style; the certificate page's <style> carries
# the request's nonce. See docs/decisions/0015-content-security-policy.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *_FILE_HOSTS],
        "style-src": [SELF, NONCE, *_FILE_HOSTS],
        # data: for the certificate's QR code (an SVG data URI).
        "img-src": [SELF, "data:", *_FILE_HOSTS],
        "media-src": [SELF, *_FILE_HOSTS, *_BUCKET_HOSTS],
        "font-src": [SELF, *_FILE_HOSTS],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        # Wagtail's preview shows our pages in a same-origin frame; nobody else may frame.
        "frame-ancestors": [SELF],
    }
}
# Wagtail's admin (under /admin/, including the page previews it shows) sets inline
# styles throughout, starts its widgets (date pickers, choosers) with inline scripts, and
# previews uploaded images and video from blob: URLs: these directives replace the ones
# above there. Still nothing from another host.
ADMIN_CONTENT_SECURITY_POLICY_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE, *_FILE_HOSTS],
    "style-src": [SELF, UNSAFE_INLINE, *_FILE_HOSTS],
    "img-src": [SELF, "data:", "blob:", *_FILE_HOSTS],
    "media-src": [SELF, "blob:", *_FILE_HOSTS, *_BUCKET_HOSTS],
}

WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Kommunens lärplattform")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The admin would load avatars from gravatar.com (sending a hash of each editor's email
# address) and check releases.wagtail.org for updates: neither is ours to load.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Keep what only an edit changes (a course's module list, the site, view restrictions) in
# the cache between requests: only with a cache every process shares, or an edit in one
# process would reach the others only when their copies expire (lms.conf).
LMS_CACHE_UNTIL_EDIT = env_bool("LMS_CACHE_UNTIL_EDIT", bool(REDIS_URL))

# Sessions are read from Redis and written through to the database (`cached_db`): a request
# reads its session without a query. Only with a cache every process shares: a logout (or
# the identity provider's logout) deletes the session from that cache and the database at
# once, so it ends the session in every process. With the local-memory cache of the
# embedded default a deleted session would live on in the other processes' copies, so
# there the database alone holds them (decision 0027).
SESSION_ENGINE = (
    "wagtail_learning.accounts.sessions"  # Django's cached_db, whose delete empties the cache first
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Our own settings. Read through wagtail_learning.defaults.value() (which knows each
# default), never directly.
# nginx `internal` locations mapping to each storage's root, for X-Accel-Redirect. Empty:
# Django streams protected files itself (with HTTP Range support).
LMS_X_ACCEL_REDIRECT = {
    "protected": os.environ.get("LMS_X_ACCEL_PROTECTED_PREFIX", ""),
    "default": os.environ.get("LMS_X_ACCEL_MEDIA_PREFIX", ""),
}
LMS_MAX_PLAYBACK_RATE = float(os.environ.get("LMS_MAX_PLAYBACK_RATE", "2.0"))
# Lecture videos larger than this are probed (ffprobe, poster frame) by the task queue after
# saving; the lecture shows as "processing" until then. Smaller ones are probed on save.
LMS_LECTURE_PROBE_ASYNC_BYTES = int(
    os.environ.get("LMS_LECTURE_PROBE_ASYNC_BYTES", str(200 * 1024 * 1024))
)
# How long an upload kept across a failed save of the lecture form stays valid.
LMS_LECTURE_PENDING_UPLOAD_HOURS = 24
# The request header the reverse proxy sets to the client's address (e.g. HTTP_X_REAL_IP);
# used for throttling public lookups. Empty: REMOTE_ADDR.
LMS_CLIENT_IP_HEADER = os.environ.get("LMS_CLIENT_IP_HEADER", "")
# Learners are reminded this many days before a course is due (and again when overdue).
LMS_REMINDER_DAYS_BEFORE = int(os.environ.get("LMS_REMINDER_DAYS_BEFORE", "7"))
# Another organisation's figures (shared courses, the programme report) are shown only for
# groups of at least this many people (decision 0034).
LMS_MIN_GROUP_SIZE = int(os.environ.get("LMS_MIN_GROUP_SIZE", "5"))
# Evaluations (decision 0037): the fewest answers a group needs before any of its figures
# or free text is shown, and the days after the offer when the one reminder goes out.
LMS_EVALUATION_MIN_ANSWERS = int(os.environ.get("LMS_EVALUATION_MIN_ANSWERS", "5"))
LMS_EVALUATION_REMINDER_DAYS = int(os.environ.get("LMS_EVALUATION_REMINDER_DAYS", "7"))
# Absolute links in emails and on certificates (QR codes). Defaults to WAGTAILADMIN_BASE_URL.
LMS_PUBLIC_BASE_URL = os.environ.get("LMS_PUBLIC_BASE_URL", "")
# Barrier reports (accessibility): how many one client may send per hour, and how long a
# closed report keeps the reporter's name and address.
LMS_BARRIER_REPORTS_PER_HOUR = int(os.environ.get("LMS_BARRIER_REPORTS_PER_HOUR", "5"))
LMS_BARRIER_REPORT_RETENTION_DAYS = int(os.environ.get("LMS_BARRIER_REPORT_RETENTION_DAYS", "365"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail 8 logs every background task it runs (search and reference index).
        "django_tasks": {"level": "WARNING"},
        # weasyprint logs each resource our fetcher refuses as an ERROR; the refusals are
        # recorded on the certificate instead.
        "weasyprint": {"level": "CRITICAL"},
        "fontTools": {"level": "WARNING"},
        # django-axes: each failed login and lockout is a WARNING; its housekeeping is INFO.
        "axes": {"level": "WARNING"},
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}
