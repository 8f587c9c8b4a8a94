from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "wagtail_learning.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail import hooks

        from wagtail_learning.events.api import SESSION_ATTENDED
        from wagtail_learning.lms.api import COURSE_COMPLETED, MODULE_COMPLETED
        from wagtail_learning.org.api import register_owned_model, register_person_model

        from . import handlers, privacy  # noqa: F401 - privacy registers its hooks
        from .models import Evaluation, Participant, Question

        post_migrate.connect(handlers.create_schedules, sender=self)
        hooks.register(COURSE_COMPLETED, handlers.offer_on_completion)
        hooks.register(MODULE_COMPLETED, handlers.offer_on_completion)
        hooks.register(SESSION_ATTENDED, handlers.offer_on_attendance)
        # Who was offered and who answered carries a person: behind the wall.
        register_person_model(Participant, person="user")
        # Before the admin viewsets register: they then find the owners' policy.
        register_owned_model(Question)
        register_owned_model(Evaluation)
