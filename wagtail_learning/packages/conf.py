"""The packages app's settings, read in one place (defaults in wagtail_learning.defaults)."""

from types import SimpleNamespace

from wagtail_learning.defaults import value

limits = SimpleNamespace(
    max_bytes=lambda: int(value("LMS_PACKAGE_MAX_BYTES")),
    max_unpacked_bytes=lambda: int(value("LMS_PACKAGE_MAX_UNPACKED_BYTES")),
    max_ratio=lambda: int(value("LMS_PACKAGE_MAX_RATIO")),
    max_files=lambda: int(value("LMS_PACKAGE_MAX_FILES")),
    max_commit_bytes=lambda: int(value("LMS_PACKAGE_MAX_COMMIT_BYTES")),
)
