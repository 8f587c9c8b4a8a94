#!/usr/bin/env python
"""Prove that moving the models out of `lms` (decision 0004) loses no data.

1. Export the tree of the commit before the move into a temporary folder; with that code,
   on a fresh database, run `migrate`, `seed_demo` and a snippet that adds what the demo
   lacks (watched ranges, a quiz attempt, a certificate, a reminder, retention settings,
   a group's reporting scope, a staff import, an audit-log entry, group permissions).
2. Dump every row of every table.
3. Run this tree's `migrate` on the same database and dump again.
4. Every row present before must be present after with the same values, except the
   documented changes (content types of the moved models, the view_compliance permission,
   the permission codenames of renamed models, the django-q2 schedules), which must have
   exactly their new values. Then: a member of the group still has the permissions, and
   audit-log entries resolve to the new model classes.

    .venv/bin/python scripts/check_migration_data.py                  # SQLite
    .venv/bin/python scripts/check_migration_data.py --postgres postgres://postgres@127.0.0.1:5432
    .venv/bin/python scripts/check_migration_data.py --base 983b8ff   # across the package move

`--base 983b8ff` starts from the last commit before the apps moved under wagtail_learning
(decision 0036; the flat layout `lms/`, `courses/`, ...): the demo seeded with that code,
a certificate design whose extra CSS names our fonts and style sheet by their old static
addresses, and a schedule of the site's own. After migrating, every row is kept with two
documented changes: django-q2 schedules of our apps name their task with `wagtail_learning.`
in front, and the design's CSS names `/static/wagtail_learning/...`.

With --postgres a database `migcheck_<pid>` is created on that server and dropped at the
end. Exits 1 on any unexpected difference, 2 when the check could not run.
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The last commit before cc14672 moved organisations and compliance out of `lms`. CI clones
# with full history, so it is always there.
BASE_COMMIT = "c370d3f"
# The last commit before fb50961 moved the apps under wagtail_learning (decision 0036).
PACKAGE_MOVE_COMMIT = "983b8ff"
BASES = (BASE_COMMIT, PACKAGE_MOVE_COMMIT)

# The package move (wagtail_learning/migrations/0001, certificates/0011).
OUR_APPS = (
    "accounts",
    "certificates",
    "compliance",
    "courses",
    "events",
    "external",
    "hr",
    "identity",
    "lms",
    "modules",
    "org",
)
STATIC_MOVES = (
    ("/static/fonts/", "/static/wagtail_learning/fonts/"),
    ("/static/css/", "/static/wagtail_learning/css/"),
)
FONT_DESIGN = "Migreringskontroll: typsnitt"
OWN_SCHEDULE = "the site's own job"

# Tables whose rows are not data: the migration ledger and sessions.
SKIPPED_TABLES = {"django_migrations", "django_session"}

# (old app_label, old model) -> (new app_label, new model)
MOVED_CONTENT_TYPES = {
    ("lms", "organization"): ("org", "organisation"),
    ("lms", "learnerprofile"): ("org", "learnerprofile"),
    ("lms", "membership"): ("org", "membership"),
    ("lms", "reportingscope"): ("org", "reportingscope"),
    ("lms", "assignment"): ("compliance", "assignment"),
    ("lms", "reminder"): ("compliance", "reminder"),
    ("lms", "retentionsettings"): ("compliance", "retentionsettings"),
    ("lms", "enrollment"): ("lms", "enrolment"),
}
# Renamed models keep their permission rows; the default codenames follow the new name.
RENAMED_CODENAMES = {"organization": "organisation", "enrollment": "enrolment"}
DEFAULT_ACTIONS = ("add", "change", "delete", "view")
# Changed on purpose after the move: the certificate sweep runs every minute (decision
# 0010: a dead worker's render is taken over within two minutes).
CHANGED_SCHEDULES = {"certificates: re-enqueue lost or failed renders": {"minutes": "1"}}
# Derived rows removed on purpose: certificates leave Wagtail's reference index (decision
# 0013: a course's "usage" page listed learners' certificates to its editors). The index
# is rebuilt from the objects, so no data is held only there.
DROPPED_DERIVED = {"wagtailcore_referenceindex": ("certificates", "certificate")}

MOVED_SCHEDULES = {
    "lms: due-date reminders to learners": (
        "compliance: due-date reminders to learners",
        "wagtail_learning.compliance.tasks.send_due_reminders_task",
    ),
    "lms: weekly digest of overdue training to managers": (
        "compliance: weekly digest of overdue training to managers",
        "wagtail_learning.compliance.tasks.send_manager_digests_task",
    ),
    "lms: start new cycles of recurring assignments": (
        "compliance: start new cycles of recurring assignments",
        "wagtail_learning.compliance.tasks.renew_recurring_assignments_task",
    ),
    "lms: retention purge and anonymisation": (
        "compliance: retention purge and anonymisation",
        "wagtail_learning.compliance.tasks.purge_expired_records_task",
    ),
}

# Shown in the summary, so a reader sees the data was there to lose.
SHOWN_TABLES = [
    "lms_organization",
    "lms_learnerprofile",
    "lms_membership",
    "lms_reportingscope",
    "lms_assignment",
    "lms_enrollment",
    "lms_stepprogress",
    "lms_quizattempt",
    "lms_completion",
    "lms_reminder",
    "lms_retentionsettings",
    "certificates_certificate",
    "wagtailcore_modellogentry",
    "auth_group_permissions",
    "django_q_schedule",
]

SHOWN_AFTER_PACKAGE_MOVE = [
    "lms_organization",  # org.Organisation: its tables kept their names (c370d3f)
    "lms_learnerprofile",
    "lms_assignment",
    "lms_enrollment",
    "lms_stepprogress",
    "lms_completion",
    "certificates_certificate",
    "certificates_certificatedesign",
    "events_registration",
    "external_externalorganisation",
    "wagtailcore_page",
    "django_q_schedule",
]

CHECK_GROUP = "Migreringskontroll"
CHECK_USER = "migcheck"
# What the group holds in the old code, and what its member must have after the move.
GROUP_PERMISSIONS = {
    "lms.view_compliance": "compliance.view_compliance",
    "lms.import_staff": "org.import_staff",
    "lms.view_organization": "org.view_organisation",
    "lms.change_enrollment": "lms.change_enrolment",
    "certificates.view_certificate": "certificates.view_certificate",
}

# Run by the OLD code (`manage.py shell`): what the demo does not create.
OLD_CODE_SNIPPET = (
    r"""
import datetime
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from certificates.models import Certificate, CertificateDesign
from certificates.services import issue_certificate, render_certificate
from courses.models import CoursePage
from lms.models import (
    Completion, Enrollment, Organization, QuizAttempt, Reminder, ReportingScope,
    RetentionSettings, StepProgress, Assignment,
)
from lms.people import import_staff
from modules.models import ModulePage, Quiz

User = get_user_model()
now = timezone.now()
learner = User.objects.get(username="learner")
hr = User.objects.get(username="hr")
module = ModulePage.objects.order_by("path").first()
blocks = {block.block_type: block for block in reversed(list(module.steps))}
lecture, quiz_block = blocks["lecture"], blocks["quiz"]

StepProgress.objects.update_or_create(
    user=learner, module=module, step_id=lecture.id, cycle=1,
    defaults=dict(kind="lecture", watched_ranges=[[0.0, 12.5], [20.0, 41.25]],
                  watched_seconds=33.75, duration_seconds=120.0, position_seconds=41.25,
                  playback_sessions={"s1": [7, now.timestamp()]},
                  credit_clock=now.timestamp()),
)
quiz = quiz_block.value["quiz"] or Quiz.objects.first()
QuizAttempt.objects.create(
    user=learner, module=module, step_id=quiz_block.id, cycle=1, quiz_id=quiz.pk,
    revision=quiz.latest_revision, number=1, question_ids=["q1", "q2"],
    choice_order={"q1": [1, 0]}, answers={"q1": [0]}, score=50.0, points=1.0,
    max_points=2.0, passed=False, submitted_at=now,
)

course = CoursePage.objects.order_by("path").first()
design = CertificateDesign.objects.create(
    name="Migration check", heading="Intyg", body="<p>{learner_name} har genomgått {title}.</p>",
    organisation="Huddinge kommun", validity_months=36,
)
design.save_revision()
CoursePage.objects.filter(pk=course.pk).update(certificate_design=design)
course = CoursePage.objects.get(pk=course.pk)
completion, _ = Completion.objects.get_or_create(
    user=learner, page=course, cycle=1,
    defaults=dict(kind="course", completed_at=now - datetime.timedelta(days=3)),
)
with transaction.atomic():
    certificate = issue_certificate(user=learner, page=course, completion=completion)
rendered = render_certificate(certificate.pk)
print(f"old code: certificate {rendered.code} {rendered.status} {rendered.last_error}".strip())

enrollment = Enrollment.objects.filter(user=learner).order_by("pk").first()
Reminder.objects.create(user=learner, enrollment=enrollment, kind="due_soon",
                        key=str(enrollment.cycle), sent_at=now)
Reminder.objects.create(user=hr, enrollment=None, kind="manager_digest", key="2026-W48",
                        sent_at=now)
retention = RetentionSettings.load()
retention.watch_ranges_days = 400
retention.certificates_days = 3650
retention.save()

root = Organization.get_first_root_node()
leaf = Organization.objects.filter(depth__gt=1, numchild=0).order_by("path").first()
group, _ = Group.objects.get_or_create(name="__GROUP__")
perms = []
for name in __PERMS__:
    app_label, codename = name.split(".")
    perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
group.permissions.add(*perms)
ReportingScope.objects.create(group=group, unit=leaf)
member = User.objects.create_user("__USER__", "migcheck@example.org", "x")
member.groups.add(group)
member.user_permissions.add(Permission.objects.get(content_type__app_label="lms",
                                                   codename="view_compliance"))

csv = (
    "anställningsnummer;förnamn;efternamn;e-post;enhet;befattning;chef\n"
    f"MIG-1;Maja;Migrering;maja@example.org;{leaf.label};Lärare;nej\n"
    f"MIG-2;Mats;Migrering;mats@example.org;{leaf.label};Rektor;ja\n"
).encode()
report = import_staff(csv, filename="staff.csv", scope=root, dry_run=False)
assert report.ok, report.errors

log(instance=leaf, action="lms.export", user=hr,
    data={"what": "migration check", "format": "csv", "filters": {}})
log(instance=Assignment.objects.order_by("pk").first(), action="wagtail.edit", user=hr)
log(instance=member, action="wagtail.edit", user=hr)
print(f"old code: staff import {report.counts()}")
print("old code: extra data added")
""".replace("__GROUP__", CHECK_GROUP)
    .replace("__USER__", CHECK_USER)
    .replace("__PERMS__", repr(list(GROUP_PERMISSIONS)))
)


# Run by the code of 983b8ff (`manage.py shell`) after seed_demo.
PACKAGE_MOVE_SNIPPET = r"""
from django_q.models import Schedule

from certificates.models import CertificateDesign

design = CertificateDesign.objects.create(
    name="__DESIGN__", heading="Intyg", body="<p>{learner_name} har genomgått {title}.</p>",
    organisation="Huddinge kommun",
    extra_css=(
        "@font-face { font-family: 'Egen'; src: url('/static/fonts/DejaVuSerif.ttf'); }\n"
        "@font-face { font-family: 'Egen'; font-weight: bold;"
        " src: url('/static/fonts/DejaVuSerif-Bold.ttf'); }\nh1 { font-family: 'Egen', serif; }"
    ),
)
design.save_revision()
Schedule.objects.create(name="__OWN__", func="math.floor", args="1.5", schedule_type="D")
print(f"old code: a design naming old static addresses, {Schedule.objects.count()} schedules")
""".replace("__DESIGN__", FONT_DESIGN).replace("__OWN__", OWN_SCHEDULE)


class CheckError(Exception):
    """The check could not run (not a difference in the data)."""


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], label: str) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-6000:])
        sys.stderr.write(result.stderr[-6000:])
        raise CheckError(f"{label} failed (exit {result.returncode})")
    print(f"  ok: {label}")
    for line in result.stdout.splitlines():
        if line.startswith("old code: "):
            print(f"      {line.removeprefix('old code: ')}")


def export_base_tree(target: Path, base: str) -> None:
    try:
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", base],  # noqa: S607
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise CheckError(
            f"git archive {base} failed (a shallow clone? fetch the full history): "
            f"{exc.stderr.decode(errors='replace').strip()}"
        ) from exc
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)  # noqa: S603,S607


# --- Databases ------------------------------------------------------------------------


def create_postgres_database(server: str) -> tuple[str, str]:
    import psycopg

    name = f"migcheck_{os.getpid()}"
    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{server.rstrip('/')}/{name}"


def drop_postgres_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Dumping --------------------------------------------------------------------------


def normalise(value) -> str | None:
    """Every value as text, the same way before and after."""
    if value is None:
        return None
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | bool | int):
        return str(value)
    return str(value)


def dump_database() -> dict[str, dict[str, dict[str, str | None]]]:
    """{table: {primary key as text: {column: value as text}}}. Tables without a primary
    key (search-index shadow tables) are keyed by the whole row with a running number."""
    from django.db import connection

    introspection = connection.introspection
    quote = connection.ops.quote_name
    dump: dict[str, dict[str, dict[str, str | None]]] = {}
    with connection.cursor() as cursor:
        tables = sorted(t for t in introspection.table_names(cursor) if t not in SKIPPED_TABLES)
        for table in tables:
            columns = [col.name for col in introspection.get_table_description(cursor, table)]
            pk = introspection.get_primary_key_columns(cursor, table) or []
            order = ", ".join(quote(c) for c in (pk or columns))
            cursor.execute(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
                f"ORDER BY {order}"
            )
            rows: dict[str, dict[str, str | None]] = {}
            for raw in cursor.fetchall():
                row = {col: normalise(val) for col, val in zip(columns, raw, strict=True)}
                if pk:
                    key = "|".join(str(row[c]) for c in pk)
                else:
                    base = json.dumps(row, sort_keys=True)
                    n = 0
                    while f"{base}#{n}" in rows:
                        n += 1
                    key = f"{base}#{n}"
                rows[key] = row
            dump[table] = rows
    return dump


# --- Comparing ------------------------------------------------------------------------


def package_move_changes(before, changes, problems) -> None:
    """Decision 0036: our schedules' tasks and a design's CSS naming our static files."""
    prefixed = 0
    for key, row in before.get("django_q_schedule", {}).items():
        if (row["func"] or "").split(".", 1)[0] in OUR_APPS:
            changes[("django_q_schedule", key)] = {"func": "wagtail_learning." + row["func"]}
            prefixed += 1
    if not prefixed:
        problems.append("no schedule of our apps before the migration")
    for key, row in before.get("certificates_certificatedesign", {}).items():
        css = row.get("extra_css") or ""
        new = css
        for old, moved in STATIC_MOVES:
            new = new.replace(old, moved)
        if new != css:
            changes[("certificates_certificatedesign", key)] = {"extra_css": new}


def expected_changes(before, base: str = BASE_COMMIT):
    """{(table, key): {column: new value}} for every documented change, and the problems
    found while working them out (a documented change with nothing to apply to)."""
    problems: list[str] = []
    changes: dict[tuple[str, str], dict[str, str]] = {}
    package_move_changes(before, changes, problems)
    if base == PACKAGE_MOVE_COMMIT:
        designs = before.get("certificates_certificatedesign", {})
        if not any(("certificates_certificatedesign", k) in changes for k in designs):
            problems.append("no design naming the old static addresses before the migration")
        return changes, problems
    content_types = before["django_content_type"]
    ct_id = {(r["app_label"], r["model"]): key for key, r in content_types.items()}
    for old, (app_label, model) in MOVED_CONTENT_TYPES.items():
        key = ct_id.get(old)
        if key is None:
            problems.append(f"no content type {'.'.join(old)} before the migration")
            continue
        changes[("django_content_type", key)] = {"app_label": app_label, "model": model}

    permissions = before["auth_permission"]
    organisation_ct = ct_id.get(("lms", "organization"))
    assignment_ct = ct_id.get(("lms", "assignment"))
    view_compliance = [
        key
        for key, r in permissions.items()
        if r["codename"] == "view_compliance" and r["content_type_id"] == organisation_ct
    ]
    if len(view_compliance) != 1:
        problems.append(f"expected one lms.view_compliance permission, found {view_compliance}")
    for key in view_compliance:
        changes[("auth_permission", key)] = {"content_type_id": assignment_ct}
    for old_model, new_model in RENAMED_CODENAMES.items():
        ct = ct_id.get(("lms", old_model))
        for action in DEFAULT_ACTIONS:
            keys = [
                key
                for key, r in permissions.items()
                if r["content_type_id"] == ct and r["codename"] == f"{action}_{old_model}"
            ]
            if len(keys) != 1:
                problems.append(f"expected one {action}_{old_model} permission, found {keys}")
            for key in keys:
                changes[("auth_permission", key)] = {"codename": f"{action}_{new_model}"}

    schedules = before.get("django_q_schedule", {})
    by_name = {r["name"]: key for key, r in schedules.items()}
    for old_name, (new_name, func) in MOVED_SCHEDULES.items():
        key = by_name.get(old_name)
        if key is None:
            problems.append(f"no schedule {old_name!r} before the migration")
            continue
        changes[("django_q_schedule", key)] = {"name": new_name, "func": func}
    for name, values in CHANGED_SCHEDULES.items():
        key = by_name.get(name)
        if key is None:
            problems.append(f"no schedule {name!r} before the migration")
            continue
        changes[("django_q_schedule", key)] = {
            **changes.get(("django_q_schedule", key), {}),
            **values,
        }
    return changes, problems


def droppable(table: str, row: dict, before) -> bool:
    """May this row be gone after migrating (a derived row removed on purpose)?"""
    if table not in DROPPED_DERIVED:
        return False
    ct_id = {(r["app_label"], r["model"]): key for key, r in before["django_content_type"].items()}
    return row.get("base_content_type_id") == ct_id.get(DROPPED_DERIVED[table])


def reaches_moved_model(table: str, row: dict, after, base: str = BASE_COMMIT) -> bool:
    """Is this new row a fresh content type, permission or schedule of a MOVED model (so a
    grant, log entry or stored schedule no longer reaches it)? New rows of new models and
    apps lose nothing."""
    if base == PACKAGE_MOVE_COMMIT:
        # No model moved between apps: a new content type or schedule would be a double.
        if table == "django_content_type":
            return (row["app_label"], row["model"]) in {
                (r["app_label"], r["model"])
                for k, r in after["django_content_type"].items()
                if k != row.get("id")
            }
        if table == "django_q_schedule":
            # A schedule of an app new since then (evaluations, accessibility) loses nothing;
            # one that repeats a task or a name of another is a double of a moved one.
            return any(
                r["func"] == row["func"] or r["name"] == row["name"]
                for k, r in after["django_q_schedule"].items()
                if k != row.get("id")
            )
        return False
    targets = set(MOVED_CONTENT_TYPES.values())
    if table == "django_content_type":
        return (row["app_label"], row["model"]) in targets
    if table == "auth_permission":
        ct = after["django_content_type"].get(row["content_type_id"], {})
        return (ct.get("app_label"), ct.get("model")) in targets
    if table == "django_q_schedule":
        return row["name"] in {new_name for new_name, _func in MOVED_SCHEDULES.values()}
    return False


def compare(before, after, base: str = BASE_COMMIT) -> tuple[list[str], dict[str, int]]:
    changes, differences = expected_changes(before, base)
    stats = {"tables": 0, "rows": 0, "values": 0, "documented_changes": 0, "new_rows": 0}
    for table, rows in before.items():
        if table not in after:
            differences.append(f"{table}: table gone ({len(rows)} rows)")
            continue
        stats["tables"] += 1
        after_rows = after[table]
        for key, row in rows.items():
            stats["rows"] += 1
            new = after_rows.get(key)
            if new is None:
                if droppable(table, row, before):
                    stats["dropped_derived"] = stats.get("dropped_derived", 0) + 1
                else:
                    differences.append(f"{table} [{key[:80]}]: row gone: {row}")
                continue
            expected = {**row, **changes.get((table, key), {})}
            for column, value in expected.items():
                stats["values"] += 1
                if column not in new:
                    differences.append(f"{table} [{key}].{column}: column gone")
                elif new[column] != value:
                    what = "documented change" if column in changes.get((table, key), {}) else ""
                    differences.append(
                        f"{table} [{key}].{column}: before {row[column]!r}, after {new[column]!r}"
                        + (f" (expected {value!r}: {what})" if what else "")
                    )
            if (table, key) in changes:
                stats["documented_changes"] += 1
    for table, rows in after.items():
        added = [key for key in rows if key not in before.get(table, {})]
        if added:
            stats["new_rows"] += len(added)
            # New rows lose nothing, but a new permission or content type for a moved model
            # means a grant or a log entry no longer reaches it.
            for key in added:
                if reaches_moved_model(table, rows[key], after, base):
                    differences.append(f"{table}: new row for a moved model: {rows[key]}")
            print(f"  note: {table}: {len(added)} new row(s) after migrating")
    return differences, stats


def check_package_move() -> list[str]:
    """After the package move: every schedule's task imports, the site's own job is as it
    was, and the design's CSS names static files that exist."""
    from django.contrib.staticfiles import finders
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    from wagtail_learning.certificates.models import CertificateDesign

    problems: list[str] = []
    schedules = list(Schedule.objects.all())
    for schedule in schedules:
        try:
            import_string(schedule.func)
        except ImportError:
            problems.append(f"schedule {schedule.name!r} calls {schedule.func}, which is gone")
    own = Schedule.objects.get(name=OWN_SCHEDULE)
    if own.func != "math.floor":
        problems.append(f"the site's own schedule now calls {own.func}")
    css = CertificateDesign.objects.get(name=FONT_DESIGN).extra_css
    import re

    for path in re.findall(r"/static/([^'\")]+)", css):
        if finders.find(path) is None:
            problems.append(f"the design's CSS names /static/{path}, which is not there")
    print(
        f"  ok: {len(schedules)} schedules import their task; the design's CSS names "
        f"static files that exist"
    )
    return problems


def check_behaviour(base: str = BASE_COMMIT) -> list[str]:
    """What the rows mean, read through this tree's code."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils.module_loading import import_string
    from django_q.models import Schedule
    from wagtail.models import ModelLogEntry

    if base == PACKAGE_MOVE_COMMIT:
        return check_package_move()
    problems: list[str] = []
    member = get_user_model().objects.get(username=CHECK_USER)
    for old, new in GROUP_PERMISSIONS.items():
        if not member.has_perm(new):
            problems.append(f"{CHECK_USER} held {old} through a group but lacks {new}")
    entries = list(ModelLogEntry.objects.select_related("content_type"))
    if not entries:
        problems.append("no audit-log entries to check")
    resolved = set()
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            problems.append(f"log entry {entry.pk}: content type {entry.content_type} has no model")
            continue
        if not model._default_manager.filter(pk=entry.object_id).exists():
            problems.append(f"log entry {entry.pk}: {model.__name__} {entry.object_id} not found")
        resolved.add(model._meta.label)
    for label in ("org.Organisation", "compliance.Assignment"):
        if label not in resolved:
            problems.append(f"no audit-log entry resolved to {label}")
    for app_label, model in MOVED_CONTENT_TYPES.values():
        if ContentType.objects.filter(app_label=app_label, model=model).count() != 1:
            problems.append(f"content type {app_label}.{model} is not there exactly once")
    for schedule in Schedule.objects.all():
        try:
            import_string(schedule.func)
        except ImportError:
            problems.append(f"schedule {schedule.name!r} calls {schedule.func}, which is gone")
    print(
        f"  ok: permissions of {CHECK_USER} checked ({len(GROUP_PERMISSIONS)}), "
        f"{len(entries)} audit-log entries resolved ({', '.join(sorted(resolved))})"
    )
    return problems


# --- Main -----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        help="check on PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432 (a fresh "
        "database is created and dropped there)",
    )
    parser.add_argument(
        "--base",
        choices=BASES,
        default=BASE_COMMIT,
        help=f"the commit the site was built with: {BASE_COMMIT} (before models moved out "
        f"of lms, the default) or {PACKAGE_MOVE_COMMIT} (before the package move)",
    )
    args = parser.parse_args()
    base = args.base

    pg_name = None
    with tempfile.TemporaryDirectory(prefix="migcheck-") as tmp:
        tmpdir = Path(tmp)
        old_tree = tmpdir / "base"
        old_tree.mkdir()
        try:
            if args.postgres:
                pg_name, database_url = create_postgres_database(args.postgres)
                engine = f"PostgreSQL (database {pg_name})"
            else:
                database_url = f"sqlite:///{tmpdir / 'migcheck.sqlite3'}"
                engine = "SQLite"
            env = {
                key: value
                for key, value in os.environ.items()
                if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}
            }
            env.update(
                DJANGO_SETTINGS_MODULE="config.settings.dev",
                DEBUG="1",  # seed_demo runs only with DEBUG on
                DATABASE_URL=database_url,
                DATABASE_CONN_MAX_AGE="0",
                MEDIA_ROOT=str(tmpdir / "media"),
                PROTECTED_MEDIA_ROOT=str(tmpdir / "private-media"),
            )
            print(f"Migration data check on {engine}, from {base} to this tree")
            export_base_tree(old_tree, base)
            print(f"  ok: exported {base} to a temporary folder")
            python = sys.executable
            run(
                [python, "manage.py", "migrate", "--noinput"],
                cwd=old_tree,
                env=env,
                label=f"migrate ({base})",
            )
            run(
                [python, "manage.py", "seed_demo"],
                cwd=old_tree,
                env=env,
                label=f"seed_demo ({base})",
            )
            snippet = PACKAGE_MOVE_SNIPPET if base == PACKAGE_MOVE_COMMIT else OLD_CODE_SNIPPET
            run(
                [python, "manage.py", "shell", "-c", snippet],
                cwd=old_tree,
                env=env,
                label=f"extra data ({base})",
            )

            # This tree's code, in this process, against the same database.
            os.environ.update(env)
            sys.path.insert(0, str(REPO))
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connections

            before = dump_database()
            connections.close_all()
            call_command("migrate", interactive=False, verbosity=0)
            print("  ok: migrate (this tree)")
            after = dump_database()
            print(
                "  rows before: "
                + ", ".join(
                    f"{table} {len(before.get(table, {}))}"
                    for table in (
                        SHOWN_AFTER_PACKAGE_MOVE if base == PACKAGE_MOVE_COMMIT else SHOWN_TABLES
                    )
                )
            )
            differences, stats = compare(before, after, base)
            differences += check_behaviour(base)
            connections.close_all()
        except CheckError as exc:
            print(f"Migration data check could not run: {exc}", file=sys.stderr)
            return 2
        finally:
            if pg_name:
                drop_postgres_database(args.postgres, pg_name)

    print(
        f"Compared {stats['tables']} tables, {stats['rows']} rows, {stats['values']} values; "
        f"{stats['documented_changes']} rows changed as documented; "
        f"{stats.get('dropped_derived', 0)} derived index rows dropped as documented; "
        f"{stats['new_rows']} new rows; {len(differences)} unexpected differences."
    )
    for line in differences:
        print(f"  DIFFERENCE: {line}")
    if differences:
        print("Migration data check: FAILED")
        return 1
    print("Migration data check: OK, no data lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
