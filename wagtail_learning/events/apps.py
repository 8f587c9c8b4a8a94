from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "wagtail_learning.events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from wagtail_learning.org.api import register_person_model

        from . import handlers, privacy, views  # noqa: F401 - privacy registers its hooks
        from .models import (
            Attendance,
            CalendarFeed,
            EventIndexPage,
            EventPage,
            Invitation,
            Registration,
            RegistrationEntry,
            SessionNotice,
        )

        # The pages are served by the views (the models import no view: views -> models).
        EventPage.view_routes = views.event_routes
        EventIndexPage.view_routes = views.calendar_routes
        # Registrations, their history and attendance carry a person: behind the wall.
        register_person_model(Registration, person="user")
        register_person_model(RegistrationEntry, person="registration__user")
        register_person_model(Attendance, person="user")
        for model in (Invitation, SessionNotice, CalendarFeed):
            register_person_model(model, person="user")
        post_migrate.connect(handlers.create_schedules, sender=self)
        page_published.connect(handlers.event_published, sender=EventPage)
