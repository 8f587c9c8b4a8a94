"""xAPI out's settings, read in one place."""

from wagtail_learning.defaults import value


def timeout_seconds() -> float:
    """How long one request to an LRS may take (LMS_XAPI_TIMEOUT_SECONDS)."""
    return float(value("LMS_XAPI_TIMEOUT_SECONDS"))


def retry_seconds() -> int:
    """The wait after a first failed send; it doubles with each failure up to
    LMS_XAPI_RETRY_MAX_SECONDS (LMS_XAPI_RETRY_SECONDS)."""
    return max(1, int(value("LMS_XAPI_RETRY_SECONDS")))


def retry_max_seconds() -> int:
    return max(retry_seconds(), int(value("LMS_XAPI_RETRY_MAX_SECONDS")))


def batch_size() -> int:
    """Statements one run of the sending task takes per LRS (LMS_XAPI_BATCH_SIZE)."""
    return max(1, int(value("LMS_XAPI_BATCH_SIZE")))
