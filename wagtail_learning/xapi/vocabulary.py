"""The words of xAPI out, each declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ActivityType", "ActorKind", "Event", "State", "Verb"]

XAPI_VERSION = "1.0.3"


class ActorKind(models.TextChoices):
    """What identifies a learner in the statements: only what the organisation chose."""

    ACCOUNT = "account", _("An account on the organisation's home page (an opaque id)")
    EMPLOYEE_NUMBER = "employee_number", _("An account named by the employee number")
    MBOX = "mbox", _("The email address")


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    FAILING = "failing", _("Failing (will be retried)")
    SENT = "sent", _("Sent")


class Event(models.TextChoices):
    LECTURE_WATCHED = "lecture_watched", _("Lecture watched")
    QUIZ_PASSED = "quiz_passed", _("Quiz passed")
    QUIZ_FAILED = "quiz_failed", _("Quiz failed")
    MODULE_COMPLETED = "module_completed", _("Module completed")
    COURSE_COMPLETED = "course_completed", _("Course completed")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
    EVENT_ATTENDED = "event_attended", _("Event attended")
    PACKAGE_COMPLETED = "package_completed", _("Package completed")
    PACKAGE_PASSED = "package_passed", _("Package passed")
    PACKAGE_FAILED = "package_failed", _("Package failed")


class Verb:
    """ADL's verbs (http://adlnet.gov/expapi/verbs/) and the TinCan registry's "earned"."""

    COMPLETED = ("http://adlnet.gov/expapi/verbs/completed", "completed")
    PASSED = ("http://adlnet.gov/expapi/verbs/passed", "passed")
    FAILED = ("http://adlnet.gov/expapi/verbs/failed", "failed")
    ATTENDED = ("http://adlnet.gov/expapi/verbs/attended", "attended")
    EARNED = ("http://id.tincanapi.com/verb/earned", "earned")


class ActivityType:
    COURSE = "http://adlnet.gov/expapi/activities/course"
    MODULE = "http://adlnet.gov/expapi/activities/module"
    ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
    LESSON = "http://adlnet.gov/expapi/activities/lesson"
    MEETING = "http://adlnet.gov/expapi/activities/meeting"
    VIDEO = "https://w3id.org/xapi/video/activity-type/video"
    CERTIFICATE = "http://id.tincanapi.com/activitytype/certificate"
