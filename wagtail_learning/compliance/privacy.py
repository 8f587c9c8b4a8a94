"""Privacy: a learner's own training record (for download), the retention purge, and the
anonymisation of people who left.

Two extension points, as Wagtail hooks, for records other apps keep (lms imports none):

- ``TRAINING_RECORD`` ("lms_training_record"): ``fn(user=...)`` returns a dict of sections
  to add to the record, e.g. ``{"certificates": [{"code", "title", "kind", "status",
  "completed", "issued", "expires", "verify_url"}, ...]}``; lists under the same key are
  joined. Values must be serialisable by DjangoJSONEncoder.
- ``RECORD_SECTIONS`` ("compliance_record_sections"): ``fn()`` returns a `RecordSection`:
  how the sections an app adds through TRAINING_RECORD are shown on the person's own
  record page (its template, included in `order`) and which of their fields hold what the
  person wrote or answered (`own_words`), which HR's view of the record leaves out. With
  the two hooks an app adds its data to the record, the download, the page and HR's view
  without a change here (tests/home/test_record.py).
- ``PURGE_CERTIFICATES`` ("lms_purge_certificates"): ``fn(before=datetime)`` deletes the
  certificates issued before then and returns how many. Called only when a retention
  period for certificates is set.
- ``PERSON_ANONYMISED`` ("compliance_person_anonymised"): ``fn(user=..., former=[...],
  label=str)`` is called inside the transaction that anonymises `user`: `former` holds what
  identified them (full name, first and last name, email, username), `label` the neutral
  name to put where a name must stand. Receivers rewrite the copies they keep
  (`redact_names` does the replacing).
- ``PERSONAL_DATA`` ("org_personal_data", declared in org so that every app above it can
  register, identity too): ``fn()`` returns a dict from a relation to the user model,
  "app_label.model.field" (as `relations_to_user` finds them), to an
  `OnAnonymise`: what anonymisation does with the rows that point at the person (deleted,
  fields emptied, names redacted, the app's own rule, or kept, always with the reason).
  `anonymise_leavers` applies them to every relation; a relation nobody declared is logged
  as an error, and tests/compliance/test_anonymise_everywhere.py fails on it, so a new
  app's model that points at a person cannot be forgotten. Compliance declares its own
  and those of the layers below it and of Django and Wagtail (`OWN_RULES`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

from wagtail_learning.lms.api import Completion, Enrolment, QuizAttempt, StepProgress
from wagtail_learning.org.api import PERSONAL_DATA, LearnerProfile, Membership, OnAnonymise

from .models import Reminder, RetentionSettings

logger = logging.getLogger(__name__)

TRAINING_RECORD = "lms_training_record"
RECORD_SECTIONS = "compliance_record_sections"
PURGE_CERTIFICATES = "lms_purge_certificates"
PERSON_ANONYMISED = "compliance_person_anonymised"
ANONYMISE_ACTION = "lms.anonymise"
ANONYMOUS_PREFIX = "anonymised-"
# Where a record must still name its holder (a certificate), this stands in their stead.
ANONYMOUS_LABEL = _("Anonymised participant")

__all__ = [
    "ANONYMISE_ACTION",
    "ANONYMOUS_LABEL",
    "EXCLUDED_FIELDS",
    "OTHERS_ROWS",
    "OWN_RULES",
    "OnAnonymise",
    "PERSONAL_DATA",
    "PERSON_ANONYMISED",
    "PURGE_CERTIFICATES",
    "RECORD_SECTIONS",
    "TRAINING_RECORD",
    "RecordSection",
    "anonymise_leavers",
    "anonymous_label",
    "anonymisation_rules",
    "get_training_record",
    "get_training_record_for_hr",
    "purge_expired_records",
    "record_sections",
    "redact_names",
    "relations_to_user",
    "serialise_training_record",
]


# --- The learner's own record --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RecordSection:
    """How an app's sections of the record (the keys its TRAINING_RECORD hook adds) are
    shown. `template` is included in the person's own record page, with `record` in its
    context; `own_words` maps a key to the fields of each of its items that hold what the
    person wrote or answered: HR's view of the record leaves them out. Sections appear in
    `order` (the record's own come first)."""

    template: str
    own_words: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    order: int = 100


def record_sections() -> list[RecordSection]:
    """The sections other apps register (RECORD_SECTIONS), in their order."""
    return sorted((fn() for fn in hooks.get_hooks(RECORD_SECTIONS)), key=lambda s: s.order)


def _pages(ids) -> dict[int, Page]:
    return {page.pk: page for page in Page.objects.filter(pk__in=set(ids)).specific()}


def _title(pages: dict[int, Page], page_id: int) -> str:
    page = pages.get(page_id)
    return page.title if page is not None else ""


def _step_titles(pages: dict[int, Page]) -> dict[tuple[int, str], str]:
    """(module id, step id) -> step title, for the modules that describe their steps."""
    titles = {}
    for page in pages.values():
        get_steps = getattr(page, "get_lms_steps", None)
        if get_steps is None:
            continue
        for spec in get_steps():
            titles[(page.pk, spec.step_id)] = spec.title
    return titles


def _readable_answers(attempt: QuizAttempt, questions_by_revision: dict) -> list[dict]:
    """The attempt's answers as question and chosen answers in words, from the quiz
    revision the attempt was drawn from; ids when that revision is gone."""
    if attempt.revision_id not in questions_by_revision:
        questions = {}
        if attempt.revision_id is not None:
            try:
                rules = attempt.revision.as_object().get_lms_quiz_rules()
                questions = {q.question_id: q for q in rules.questions}
            except Exception:
                # An old revision that no longer loads must not stop the learner's export.
                logger.warning("Quiz revision %s could not be read", attempt.revision_id)
        questions_by_revision[attempt.revision_id] = questions
    questions = questions_by_revision[attempt.revision_id]
    answers = []
    for question_id, chosen in (attempt.answers or {}).items():
        question = questions.get(question_id)
        choices = {c.choice_id: c.text for c in question.choices} if question else {}
        answers.append(
            {
                "question": question.text if question else question_id,
                "answer": [choices.get(choice_id, choice_id) for choice_id in chosen],
            }
        )
    return answers


def _profile_section(user) -> dict | None:
    profile = LearnerProfile.objects.filter(user=user).select_related("unit").first()
    if profile is None:
        return None
    units = Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")
    return {
        "unit": profile.unit.label if profile.unit else "",
        "units": [m.unit.label for m in units],
        "employee_number": profile.employee_number or "",
        "job_title": profile.job_title,
        "manager": profile.is_manager,
        "kind": profile.get_kind_display(),
        "hire_date": profile.hire_date,
        "leave_date": profile.leave_date,
    }


# --- Everything held about the person (GDPR art. 15), from the models ----------------------

# Fields never exported, each with the reason. Everything else a model holds in a row that
# points at the person is exported, so a new model or field is exported without a change here
# (tests/compliance/test_privacy.py checks every relation to the user model).
EXCLUDED_FIELDS: dict[str, str] = {
    "auth.user.password": "a hash of the person's secret: tells them nothing, helps an attacker",
    "wagtailcore.apitoken.key_hash": "a hash of a secret token, as the password",
    "wagtailcore.revision.content": (
        "the whole page or snippet the person edited (the organisation's content, not "
        "about them); which object, when and its title are exported"
    ),
}
# Rows that belong to someone else and point at the person only as the one who acted on
# them: only these fields are exported, so the export does not disclose other people.
OTHERS_ROWS: dict[str, tuple[tuple[str, ...], str]] = {
    "certificates.certificate.revoked_by": (
        ("id", "code", "revoked_at", "revoked_by_id"),
        "other people's certificates the person revoked",
    ),
    "wagtailcore.comment.resolved_by": (
        ("id", "page_id", "resolved_at", "resolved_by_id"),
        "other people's comments the person resolved",
    ),
}


def relations_to_user() -> list[tuple[type, Any]]:
    """(model, field) for every foreign key or one-to-one field of any installed model
    (automatic many-to-many tables included) that points at the user model, declared on
    that model itself (not inherited from a parent model)."""
    from django.apps import apps

    User = get_user_model()
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_concrete_fields:
            if field.is_relation and field.remote_field.model is User:
                found.append((model, field))
    return sorted(found, key=lambda mf: (mf[0]._meta.label_lower, mf[1].name))


def _plain(value):
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(value)} bytes>"
    return value


def _table_name(model) -> str:
    """What the person reads a table as: its plural name, or for a table Django creates
    for a many-to-many field (its plural reads "user-group relationer") that field's
    name ("grupper")."""
    if model._meta.auto_created:
        for field in model._meta.auto_created._meta.local_many_to_many:
            if field.remote_field.through is model:
                return capfirst(str(field.verbose_name))
    return str(model._meta.verbose_name_plural)


def _table(model, fields, rows, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": _table_name(model),
        # The download keeps the code's names (`fields`); the page reads `headings`.
        "fields": [f.attname for f in fields],
        "headings": [str(f.verbose_name) for f in fields],
        "rows": [[_plain(f.value_from_object(row)) for f in fields] for row in rows],
    }


def _held_data(user) -> list[dict[str, Any]]:
    """Every row of every model that points at `user` (and the user row), as tables of
    columns and values; the excluded fields and the others' rows as listed above."""
    User = get_user_model()
    own = [
        f
        for f in User._meta.concrete_fields
        if f"{User._meta.label_lower}.{f.name}" not in EXCLUDED_FIELDS
    ]
    # As stored, not as the caller's instance has it.
    tables = [_table(User, own, User._base_manager.filter(pk=user.pk), User._meta.label_lower)]
    for model, relation in relations_to_user():
        key = f"{model._meta.label_lower}.{relation.name}"
        if key in OTHERS_ROWS:
            names = OTHERS_ROWS[key][0]
            fields = [f for f in model._meta.concrete_fields if f.attname in names]
        else:
            fields = [
                f
                for f in model._meta.concrete_fields
                if f"{model._meta.label_lower}.{f.name}" not in EXCLUDED_FIELDS
            ]
        rows = model._base_manager.filter(**{relation.name: user}).order_by("pk")
        tables.append(_table(model, fields, rows, key))
    return tables


def get_training_record_for_hr(user) -> dict[str, Any]:
    """A person's training record as HR may see it: courses, completions, steps, quiz
    scores and what other apps add (certificates, events), but not what the learner wrote
    (reflections, and what the apps declare as `own_words`, such as answers to an event's
    questions) or answered (quiz answers), nor their raw viewing history. Reads only."""
    record = get_training_record(user)
    record.pop("reflections", None)
    record.pop("reminders", None)
    record.pop("data_held", None)
    for attempt in record["quiz_attempts"]:
        attempt.pop("answers", None)
    for step in record["step_progress"]:
        step.pop("watched_ranges", None)
    for section in record_sections():
        for key, fields in section.own_words.items():
            for item in record.get(key, []):
                for name in fields:
                    item.pop(name, None)
    return record


def get_training_record(user) -> dict[str, Any]:
    """Everything the platform keeps about `user`'s training, for them to download (GDPR
    access and portability): profile, enrolments, completions, step progress, quiz attempts
    with their answers, reflections, reminders sent, and what other apps add through the
    TRAINING_RECORD hook (certificates); and, under "data_held", every row any model keeps
    that points at `user` with all its fields (playback sessions, last login, revoke
    reasons, ...), generated from the models (see EXCLUDED_FIELDS, OTHERS_ROWS). Only
    `user`'s own rows. Reads only.

    Dates are date/datetime objects; `serialise_training_record` turns the record into JSON.
    """
    enrolments = list(Enrolment.objects.filter(user=user).order_by("enrolled_at", "pk"))
    completions = list(Completion.objects.filter(user=user).order_by("completed_at", "pk"))
    progress = list(
        StepProgress.objects.filter(user=user).order_by("module_id", "cycle", "started_at", "pk")
    )
    attempts = list(
        QuizAttempt.objects.filter(user=user)
        .select_related("revision")
        .order_by("started_at", "pk")
    )
    reminders = list(
        Reminder.objects.filter(user=user).select_related("enrolment").order_by("sent_at", "pk")
    )
    pages = _pages(
        [e.course_id for e in enrolments]
        + [c.page_id for c in completions]
        + [p.module_id for p in progress]
        + [a.module_id for a in attempts]
    )
    steps = _step_titles(pages)
    questions_by_revision: dict = {}
    record: dict[str, Any] = {
        "generated_at": timezone.now(),
        "person": {
            "username": user.get_username(),
            "name": user.get_full_name().strip(),
            "email": user.email,
        },
        "profile": _profile_section(user),
        "enrolments": [
            {
                "course": _title(pages, e.course_id),
                "course_id": e.course_id,
                "status": e.get_status_display(),
                "source": e.get_source_display(),
                "enrolled": e.enrolled_at,
                "due": e.due_at,
                "cycle": e.cycle,
                "completed": e.completed_at,
            }
            for e in enrolments
        ],
        "completions": [
            {
                "title": _title(pages, c.page_id),
                "page_id": c.page_id,
                "kind": c.get_kind_display(),
                "cycle": c.cycle,
                "completed": c.completed_at,
            }
            for c in completions
        ],
        "step_progress": [
            {
                "module": _title(pages, p.module_id),
                "module_id": p.module_id,
                "step": steps.get((p.module_id, p.step_id), ""),
                "step_id": p.step_id,
                "kind": p.kind,
                "cycle": p.cycle,
                "watched_percent": round(p.watched_share * 100) if p.duration_seconds else None,
                "watched_ranges": p.watched_ranges,
                "best_score": p.best_score,
                "started": p.started_at,
                "updated": p.updated_at,
                "completed": p.completed_at,
            }
            for p in progress
        ],
        "quiz_attempts": [
            {
                "module": _title(pages, a.module_id),
                "step": steps.get((a.module_id, a.step_id), ""),
                "cycle": a.cycle,
                "number": a.number,
                "score": a.score,
                "passed": a.passed,
                "started": a.started_at,
                "submitted": a.submitted_at,
                "answers": _readable_answers(a, questions_by_revision),
            }
            for a in attempts
        ],
        "reflections": [
            {
                "module": _title(pages, p.module_id),
                "step": steps.get((p.module_id, p.step_id), ""),
                "cycle": p.cycle,
                "text": p.answer,
                "updated": p.updated_at,
            }
            for p in progress
            if p.answer
        ],
        "reminders": [
            {
                "kind": r.get_kind_display(),
                "course": _title(pages, r.enrolment.course_id) if r.enrolment else "",
                "sent": r.sent_at,
            }
            for r in reminders
        ],
    }
    for fn in hooks.get_hooks(TRAINING_RECORD):
        for key, value in (fn(user=user) or {}).items():
            if isinstance(record.get(key), list) and isinstance(value, list):
                record[key] = record[key] + value
            else:
                record[key] = value
    record["data_held"] = _held_data(user)
    return record


def serialise_training_record(record: dict[str, Any]) -> str:
    """The record as indented JSON (dates in ISO 8601)."""
    return json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


# --- Retention -----------------------------------------------------------------------------


def _cutoff(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def purge_expired_records(now: datetime | None = None) -> dict[str, int]:
    """Clear what is older than the retention settings allow (RetentionSettings):

    - watch history: the played ranges of lecture steps the learner finished, and the
      playback sessions of every step, untouched for longer than the limit (the watched
      share, position and completion stay). Ranges of an unfinished lecture are its
      progress (the watched share is recomputed from them), so they stay until it is done;
    - quiz answers of attempts submitted (or, never submitted, started) before the limit;
      scores and pass/fail stay;
    - reflection texts untouched for longer than the limit; completion stays;
    - completions and certificates only when a period is set for them (not by default);
    - people who left longer ago than the limit are anonymised (`anonymise_leavers`).

    Idempotent: a second run finds nothing to do. Each kind is cleared in its own
    transaction. Returns how many rows (people, for "anonymised") each step changed.
    """
    now = now or timezone.now()
    policy = RetentionSettings.load()
    counts = dict.fromkeys(
        (
            "watch_ranges",
            "playback_sessions",
            "quiz_answers",
            "reflections",
            "completions",
            "certificates",
            "anonymised",
        ),
        0,
    )
    if (before := _cutoff(now, policy.watch_ranges_days)) is not None:
        old = StepProgress.objects.filter(updated_at__lt=before)
        with transaction.atomic():
            counts["watch_ranges"] = (
                old.filter(completed_at__isnull=False)
                .exclude(watched_ranges=[])
                .update(watched_ranges=[])
            )
            counts["playback_sessions"] = old.exclude(playback_sessions={}).update(
                playback_sessions={}
            )
    if (before := _cutoff(now, policy.quiz_answers_days)) is not None:
        with transaction.atomic():
            counts["quiz_answers"] = (
                QuizAttempt.objects.alias(at=Coalesce("submitted_at", "started_at"))
                .filter(at__lt=before)
                .exclude(answers={})
                .update(answers={})
            )
    if (before := _cutoff(now, policy.reflections_days)) is not None:
        with transaction.atomic():
            counts["reflections"] = (
                StepProgress.objects.filter(updated_at__lt=before)
                .exclude(answer="")
                .update(answer="")
            )
    if (before := _cutoff(now, policy.completions_days)) is not None:
        with transaction.atomic():
            counts["completions"], _detail = Completion.objects.filter(
                completed_at__lt=before
            ).delete()
    if (before := _cutoff(now, policy.certificates_days)) is not None:
        with transaction.atomic():
            counts["certificates"] = sum(
                fn(before=before) or 0 for fn in hooks.get_hooks(PURGE_CERTIFICATES)
            )
    if policy.anonymise_leavers_after_days is not None:
        counts["anonymised"] = anonymise_leavers(
            now=now, after_days=policy.anonymise_leavers_after_days
        )
    logger.info("Retention purge: %s", counts)
    return counts


def anonymous_label(language: str | None = None) -> str:
    """The neutral name for an anonymised person, in `language` (default: the site's)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return gettext(ANONYMOUS_LABEL)


def redact_names(value, former: list[str], label: str):
    """`value` (a string, or lists and dicts of them, as in audit-log data) with every
    whole-word occurrence of the strings in `former` (case-insensitive) replaced by
    `label`. Longer strings first, so a full name is replaced before its parts."""
    words = sorted({w.strip() for w in former if w and w.strip()}, key=len, reverse=True)
    if not words:
        return value
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )

    def scrub(item):
        if isinstance(item, str):
            return pattern.sub(label, item)
        if isinstance(item, list):
            return [scrub(i) for i in item]
        if isinstance(item, dict):
            return {k: scrub(v) for k, v in item.items()}
        return item

    return scrub(value)


def _former_identifiers(user) -> list[str]:
    return [
        user.get_full_name().strip(),
        user.first_name,
        user.last_name,
        user.email,
        user.get_username(),
    ]


# --- What anonymisation does with each relation to the person ----------------------------


_KEEP_ACTOR = "the person as the one who acted; the account no longer names them"

# Relations of compliance's own models, the layers below it, Django's and Wagtail's.
OWN_RULES: dict[str, OnAnonymise] = {
    "auth.user_groups.user": OnAnonymise("an anonymised account holds no role", delete=True),
    "auth.user_user_permissions.user": OnAnonymise(
        "an anonymised account holds no permission", delete=True
    ),
    "admin.logentry.user": OnAnonymise(_KEEP_ACTOR),
    "compliance.assignment.created_by": OnAnonymise(_KEEP_ACTOR),
    "compliance.reminder.user": OnAnonymise("when reminders were sent: no personal content"),
    "lms.completion.user": OnAnonymise("completions stay, for statistics"),
    "lms.enrolment.user": OnAnonymise("enrolments stay, for statistics"),
    "lms.quizattempt.user": OnAnonymise(
        "scores stay for statistics, and the answers for the questions' statistics (the "
        "retention purge clears answers on its own schedule)"
    ),
    "lms.stepprogress.user": OnAnonymise(
        "progress stays for statistics; a reflection is the person's own words and the "
        "playback sessions what their devices sent",
        clear=("answer", "playback_sessions"),
    ),
    "org.learnerprofile.user": OnAnonymise(
        "unit, manager flag and dates stay for statistics",
        clear=("employee_number", "job_title"),
    ),
    "org.membership.user": OnAnonymise("units stay, for statistics"),
    "org.reportingscope.user": OnAnonymise("an anonymised account reads no one", delete=True),
    "org.staffimport.created_by": OnAnonymise(_KEEP_ACTOR),
    "wagtailadmin.editingsession.user": OnAnonymise("a live editing session", delete=True),
    "wagtailadmin.formstate.user": OnAnonymise(
        "an autosaved form: whatever the person typed", delete=True
    ),
    "wagtailcore.apitoken.user": OnAnonymise("a secret of the account", delete=True),
    "wagtailcore.comment.user": OnAnonymise(
        "editorial comments stay with the page, without the person's names", redact=("text",)
    ),
    "wagtailcore.comment.resolved_by": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.commentreply.user": OnAnonymise(
        "editorial replies stay with the page, without the person's names", redact=("text",)
    ),
    "wagtailcore.modellogentry.user": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.page.locked_by": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.page.owner": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.pagelogentry.user": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.pagesubscription.user": OnAnonymise("notifications to no one", delete=True),
    "wagtailcore.revision.user": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.taskstate.finished_by": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.uploadedfile.uploaded_by_user": OnAnonymise(_KEEP_ACTOR),
    "wagtailcore.workflowstate.requested_by": OnAnonymise(_KEEP_ACTOR),
    "wagtaildocs.document.uploaded_by_user": OnAnonymise(_KEEP_ACTOR),
    "wagtailimages.image.uploaded_by_user": OnAnonymise(_KEEP_ACTOR),
    "wagtailusers.userprofile.user": OnAnonymise(
        "admin preferences stay; the avatar may be a photo of the person", clear=("avatar",)
    ),
}


def anonymisation_rules() -> dict[str, OnAnonymise]:
    """Every declared relation's rule: compliance's own, then what apps add through the
    PERSONAL_DATA hook."""
    rules = dict(OWN_RULES)
    for fn in hooks.get_hooks(PERSONAL_DATA):
        rules.update(fn() or {})
    return rules


def _emptied(model, name: str):
    field = model._meta.get_field(name)
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


def _anonymise_relations(user, former: list[str], label: str) -> None:
    """Apply each relation's rule to the rows that point at `user`, in the caller's
    transaction. An undeclared relation is left as it is and logged as an error."""
    rules = anonymisation_rules()
    for model, relation in relations_to_user():
        key = f"{model._meta.label_lower}.{relation.name}"
        rule = rules.get(key)
        if rule is None:
            logger.error("No anonymisation rule for %s: its rows are left as they are", key)
            continue
        if rule.kept:
            continue
        rows = model._base_manager.filter(**{relation.name: user})
        if rule.run is not None:
            rule.run(rows=rows, user=user, former=former, label=label)
        if rule.redact:
            for row in rows.only("pk", *rule.redact):
                values = {
                    name: redact_names(getattr(row, name), former, label) for name in rule.redact
                }
                model._base_manager.filter(pk=row.pk).update(**values)
        if rule.clear:
            for name in rule.clear:
                field = model._meta.get_field(name)
                if getattr(field, "storage", None) is not None:  # a file: delete it too
                    for row in rows.exclude(**{name: ""}).only("pk", name):
                        stored = getattr(row, name)
                        if stored:
                            transaction.on_commit(
                                lambda f=stored.name, st=stored.storage: st.delete(f)
                            )
            rows.update(**{name: _emptied(model, name) for name in rule.clear})
        if rule.delete:
            rows.delete()


def anonymise_leavers(*, now: datetime | None = None, after_days: int) -> int:
    """Anonymise the people whose leave date is more than `after_days` days ago: name and
    email emptied, username "anonymised-<id>", no usable password, account inactive,
    employee number and job title removed; the audit-log entries about the account are
    relabelled; every relation to the account is dealt with as its rule says
    (`anonymisation_rules`: event answers and waitlist places, the identity provider's
    subject, reflections, roles, ...), and other apps rewrite the copies of the name they
    keep (PERSON_ANONYMISED: certificates). Their unit, manager flag, dates, enrolments
    and completions stay, for statistics. Each person in a transaction of their own, with
    an audit log entry ("lms.anonymise"). Idempotent. Returns how many were anonymised."""
    now = now or timezone.now()
    last_leave_date = timezone.localdate(now) - timedelta(days=after_days)
    User = get_user_model()
    user_ids = list(
        LearnerProfile.objects.filter(leave_date__lt=last_leave_date)
        .exclude(user__username__startswith=ANONYMOUS_PREFIX)
        .values_list("user_id", flat=True)
    )
    done = 0
    for user_id in user_ids:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=user_id).first()
            if user is None or user.get_username().startswith(ANONYMOUS_PREFIX):
                continue  # gone, or anonymised by a concurrent run
            former = _former_identifiers(user)
            user.first_name = ""
            user.last_name = ""
            user.email = ""
            user.username = f"{ANONYMOUS_PREFIX}{user.pk}"
            user.is_active = False
            user.set_unusable_password()
            user.save()
            LearnerProfile.objects.filter(user_id=user.pk).update(updated_at=now)
            _relabel_log_entries(user, former)
            _anonymise_relations(user, former, anonymous_label())
            for fn in hooks.get_hooks(PERSON_ANONYMISED):
                fn(user=user, former=former, label=anonymous_label())
            # Logged after the change, so the entry's label is the anonymous name.
            log(instance=user, action=ANONYMISE_ACTION)
        done += 1
    if done:
        logger.info("Anonymised %d people who left", done)
    return done


def _relabel_log_entries(user, former: list[str]) -> None:
    """Audit-log entries about the account keep what was done and when, not who it was:
    the label becomes the anonymous username, names in the data are replaced."""
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user, for_concrete_model=False),
        object_id=str(user.pk),
    )
    label = str(user)
    for entry in entries:
        entry.label = label
        entry.data = redact_names(entry.data, former, label)
        entry.save(update_fields=["label", "data"])
