"""Admin-wide editor behaviour (not one app's): the Save button and Wagtail's autosave."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_editor_js")
def editor_save_waits_for_autosave():
    # Every editor form (pages and snippets): see static/js/editor-save.js and decision 0025.
    return format_html(
        '<script src="{}" defer></script>', static("wagtail_learning/js/editor-save.js")
    )


@hooks.register("construct_homepage_panels")
def hr_compliance_summary(request, panels):
    # HR's dashboard panel lives in its own module (hr.home_panel); registered here, not in
    # hr.wagtail_hooks, which holds the HR menu and report views.
    from wagtail_learning.hr.home_panel import compliance_summary_panels

    compliance_summary_panels(request, panels)
