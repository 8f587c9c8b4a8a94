"""Admin wiring of events: the organiser's participant screens, linked from the page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from wagtail_learning.lms.http import PermissionMenuItem

from . import admin_views
from .models import EventPage


@hooks.register("register_admin_urls")
def register_event_urls():
    return [
        path("events/<int:page_id>/participants/", admin_views.participants,
             name="events_participants"),
        path("events/<int:page_id>/session/<int:session_id>/import/", admin_views.import_report,
             name="events_import_report"),
        path("events/<int:page_id>/session/<int:session_id>/cancel/", admin_views.cancel_session,
             name="events_cancel_session"),
        path("events/<int:page_id>/cancel/", admin_views.cancel_event, name="events_cancel"),
        path("events/", admin_views.events_index, name="events_index"),
    ]  # fmt: skip


@hooks.register("register_hr_menu_item")  # the HR submenu (hr.wagtail_hooks), by name
def events_menu_item():
    # Shown by a permission (read from the user's cached permissions, no query on every
    # admin page); the list itself lets in coordinators and the events' own organisers.
    return PermissionMenuItem(
        _("Events"), reverse("events_index"), icon_name="date", name="hr-events", order=400,
        permission="compliance.view_compliance",
    )  # fmt: skip


@hooks.register("register_page_header_buttons")
def participants_header_button(page, user, view_name=None, next_url=None):
    if isinstance(page.specific_deferred, EventPage):
        yield Button(
            _("Participants"),
            reverse("events_participants", args=[page.pk]),
            icon_name="group",
            priority=30,
        )


@hooks.register("register_page_listing_more_buttons")
def participants_listing_button(page, user, next_url=None):
    if isinstance(page.specific_deferred, EventPage):
        yield Button(
            _("Participants"),
            reverse("events_participants", args=[page.pk]),
            icon_name="group",
            priority=35,
        )
