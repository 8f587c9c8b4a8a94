"""The test settings as a `wagtail start` site has what is not ours: Django's own
LANGUAGES and LANGUAGE_CODE (tests/config/test_plugin_install.py)."""

from django.conf import global_settings

from config.settings.test import *  # noqa: F403

LANGUAGE_CODE = "en-us"
LANGUAGES = global_settings.LANGUAGES
