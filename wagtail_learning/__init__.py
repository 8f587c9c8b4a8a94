"""wagtail-learning-platform: courses, honest completion tracking and certificates for Wagtail.

The package is itself a Django app (its templates, static files and Swedish catalogue) and
holds the platform's apps; see README "Add to an existing Wagtail site".
"""

__version__ = "0.2.0"
