"""Signal handlers at the edge: each a one-line call into the engine."""

from wagtail_learning.lms import api as lms


def forget_after_permission_change(sender, **kwargs):
    """Who may use the admin (the header's link, home.templatetags.site_tags) is kept until
    the next edit: a permission or group granted or taken away is one."""
    lms.forget_module_snapshots()
