"""Checking rows and working out what an import would write: reads only. A dry run
stops here; a real run hands the plan to `apply`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import LearnerProfile, Membership, Organisation, ReportingScope, root_ids
from .mapping import REQUIRED
from .units import split_path, unit_index

__all__ = [
    "IDENTITY_FIELDS",
    "ImportReport",
    "Plan",
    "RowError",
    "check_rows",
    "chunks",
    "make_plan",
    "privileged_user_ids",
]

# Profile fields an existing person's row updates only when the file has a column for them:
# a file without job titles must not wipe everyone's job title.
_OPTIONAL_PROFILE_FIELDS = ("job_title", "is_manager", "hire_date", "kind")
# The account fields an import sets: what signs someone in, or a reset link reaches.
IDENTITY_FIELDS = ("first_name", "last_name", "email")
_TRUE = {"1", "ja", "j", "yes", "y", "true", "sant", "x"}
_FALSE = {"", "0", "nej", "n", "no", "false", "falskt"}
_KINDS = {
    "staff": LearnerProfile.Kind.STAFF,
    "personal": LearnerProfile.Kind.STAFF,
    "anställd": LearnerProfile.Kind.STAFF,
    "external": LearnerProfile.Kind.EXTERNAL,
    "extern": LearnerProfile.Kind.EXTERNAL,
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_UNIT_DEPTH = 10
# Column limits of the models the import writes (auth.User names and email, Organisation).
_MAX_LENGTHS = {
    "employee_number": 64,
    "first_name": 150,
    "last_name": 150,
    "email": 254,
    "job_title": 200,
}
_MAX_UNIT_NAME = 200

# Rows per IN (...) lookup: below SQLite's old 999-variable limit.
CHUNK = 900


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the heading is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do). People are listed as
    "<employee number> <first name> <last name>"."""

    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # For each updated person (same order as `updated`): the fields that changed.
    changes: list[list[str]] = field(default_factory=list)
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    blank_rows: int = 0  # rows with nothing but whitespace: skipped, not errors

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "left": len(self.left),
            "units_created": len(self.units_created),
            "errors": len(self.errors),
            "rows_with_errors": self.rows_with_errors,
            "blank_rows": self.blank_rows,
        }

    def to_dict(self) -> dict:
        """The report as JSON-ready data (stored with a StaffImport)."""
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "changes": self.changes,
            "unchanged": self.unchanged,
            "left": self.left,
            "units_created": self.units_created,
            "errors": [[e.row, e.column, e.message] for e in self.errors],
            "blank_rows": self.blank_rows,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(
            dry_run=data["dry_run"],
            created=data["created"],
            updated=data["updated"],
            changes=data["changes"],
            unchanged=data["unchanged"],
            left=data["left"],
            units_created=data["units_created"],
            errors=[RowError(*error) for error in data["errors"]],
            blank_rows=data["blank_rows"],
        )


def _parse_date(text: str, column: str, row: int, errors: list[RowError]) -> date | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(
        RowError(
            row, column, _('"%(value)s" is not a date (use YYYY-MM-DD).') % {"value": text[:40]}
        )
    )
    return None


def _clean_row(number: int, cells: list[str], columns: dict[str, int], headings: list[str]):
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    errors: list[RowError] = []
    heading = {name: headings[index] for name, index in columns.items()}
    values = {name: cell(name) for name in columns}
    for name, value in values.items():
        if _CONTROL.search(value):
            errors.append(RowError(number, heading[name], _("Contains a control character.")))
    for name in REQUIRED:
        if not values.get(name):
            errors.append(RowError(number, heading[name], _("This value is required.")))
    for name, limit in _MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            errors.append(
                RowError(number, heading[name], _("Longer than %(n)d characters.") % {"n": limit})
            )
    email = values.get("email", "")
    if email and len(email) <= _MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                RowError(
                    number,
                    heading["email"],
                    _('"%(value)s" is not an email address.') % {"value": email[:80]},
                )
            )
    manager = values.get("is_manager", "").lower()
    if manager not in _TRUE | _FALSE:
        errors.append(
            RowError(
                number,
                heading["is_manager"],
                _('Use "ja" or "nej", not "%(value)s".') % {"value": manager[:20]},
            )
        )
    kind = values.get("kind", "").lower() or "staff"
    if kind not in _KINDS:
        errors.append(
            RowError(
                number,
                heading["kind"],
                _('Use "personal" or "extern", not "%(value)s".') % {"value": kind[:20]},
            )
        )
    hire = _parse_date(values.get("hire_date", ""), heading.get("hire_date", ""), number, errors)
    leave = _parse_date(values.get("leave_date", ""), heading.get("leave_date", ""), number, errors)
    if hire and leave and leave < hire:
        errors.append(
            RowError(number, heading["leave_date"], _("The leave date is before the hire date."))
        )
    parts = split_path(values.get("unit", ""))
    if len(parts) > MAX_UNIT_DEPTH:
        errors.append(
            RowError(
                number,
                heading["unit"],
                _("A unit path deeper than %(n)d levels.") % {"n": MAX_UNIT_DEPTH},
            )
        )
    if any(len(part) > _MAX_UNIT_NAME for part in parts):
        errors.append(
            RowError(
                number,
                heading["unit"],
                _("A unit name longer than %(n)d characters.") % {"n": _MAX_UNIT_NAME},
            )
        )
    cleaned = {
        "employee_number": values.get("employee_number", ""),
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "email": email,
        "unit": "/".join(parts),
        "job_title": values.get("job_title", ""),
        "is_manager": manager in _TRUE,
        "hire_date": hire,
        "leave_date": leave,
        "kind": _KINDS.get(kind, LearnerProfile.Kind.STAFF),
    }
    return cleaned, errors


PROGRESS_EVERY = 1000  # rows between calls of a progress callback


def check_rows(rows, columns, headings, report: ImportReport, *, progress=None):
    """The good rows as (row number, cleaned values), and every employee number the file
    mentions, good row or bad. Errors go to the report. `progress(rows_done, errors)` is
    called every PROGRESS_EVERY rows and at the end."""
    employee_heading = headings[columns["employee_number"]]
    cleaned_rows: list[tuple[int, dict, list[RowError]]] = []
    rows_by_number: dict[str, list[int]] = {}
    errors_so_far = 0
    for count, (number, cells) in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, errors_so_far)
        if not any(c.strip() for c in cells):
            report.blank_rows += 1
            continue
        cleaned, errors = _clean_row(number, cells, columns, headings)
        if cleaned["employee_number"]:
            rows_by_number.setdefault(cleaned["employee_number"], []).append(number)
        cleaned_rows.append((number, cleaned, errors))
        errors_so_far += bool(errors)
    good: list[tuple[int, dict]] = []
    for number, cleaned, errors in cleaned_rows:
        # The same number twice: we cannot tell which row is right, so neither is imported.
        others = [n for n in rows_by_number.get(cleaned["employee_number"], []) if n != number]
        if others:
            errors.append(
                RowError(
                    number,
                    employee_heading,
                    _("Employee number %(n)s is also on row %(rows)s.")
                    % {"n": cleaned["employee_number"], "rows": ", ".join(map(str, others[:5]))},
                )
            )
        if errors:
            report.errors.extend(errors)
        else:
            good.append((number, cleaned))
    if progress is not None:
        progress(len(cleaned_rows) + report.blank_rows, report.rows_with_errors)
    return good, set(rows_by_number)


@dataclass
class Plan:
    """What to write, worked out by reading only (a dry run stops here)."""

    unit_ids: dict[str, int]
    units_to_create: list[str] = field(default_factory=list)
    creates: list[dict] = field(default_factory=list)
    # (profile, row, changed user fields, changed profile fields, membership missing)
    updates: list[tuple[LearnerProfile, dict, list[str], list[str], bool]] = field(
        default_factory=list
    )
    leavers: list[int] = field(default_factory=list)  # profile ids


# What comparing a row with a stored person needs (not the users' whole rows).
_PROFILE_COLUMNS = (
    "user",
    "unit",
    "employee_number",
    "job_title",
    "is_manager",
    "hire_date",
    "leave_date",
    "kind",
    "user__first_name",
    "user__last_name",
    "user__email",
    "unit__path",
    "unit__is_unplaced",
)


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _label(row: dict) -> str:
    return f"{row['employee_number']} {row['first_name']} {row['last_name']}"


def _no_unit(path: str, scope_label: str) -> str:
    return _(
        'No unit "%(path)s" in %(scope)s. Give its name or its full path, starting with '
        '"%(scope)s/" (a new unit needs its full path and "allow creating units").'
    ) % {"path": path, "scope": scope_label}


def make_plan(
    good: list[tuple[int, dict]],
    mentioned: set[str],
    *,
    columns: dict[str, int],
    headings: list[str],
    scope: Organisation | None,
    full: bool,
    create_units: bool,
    may_place_unplaced: bool,
    report: ImportReport,
) -> Plan:
    unit_heading = headings[columns["unit"]]
    employee_heading = headings[columns["employee_number"]]
    unit_ids, scope_label = unit_index(scope)
    plan = Plan(unit_ids=unit_ids)
    planned: set[str] = set()
    problems: dict[str, str | None] = {}

    inside = [
        label for label in plan.unit_ids if scope_label and label.startswith(scope_label + "/")
    ]
    resolved: dict[str, tuple[str, str | None]] = {}

    def resolve(path: str) -> tuple[str, str | None]:
        """The full path a row's unit names, and what is wrong with it. Full paths are
        taken as they are; a bare name ("Enhet X") or a path below the organisation
        ("Socialförvaltningen/Enhet X") is the one unit inside the organisation whose path
        ends so; two or more is a row error that names them."""
        if path in resolved:
            return resolved[path]
        answer: tuple[str, str | None] = (path, None)
        if scope_label and path != scope_label and not path.startswith(scope_label + "/"):
            candidates = [label for label in inside if label.endswith("/" + path)]
            if len(candidates) == 1:
                answer = (candidates[0], None)
            elif candidates:
                answer = (
                    path,
                    _(
                        '"%(path)s" names %(n)d units in %(scope)s: %(candidates)s. '
                        "Give the full path."
                    )
                    % {
                        "path": path,
                        "n": len(candidates),
                        "scope": scope_label,
                        "candidates": "; ".join(sorted(candidates)),
                    },
                )
            elif "/" in path and path.split("/")[0] != scope_label:
                root = path.split("/")[0]
                if any(label == root or label.startswith(root + "/") for label in inside):
                    answer = (path, _no_unit(path, scope_label))
                else:
                    answer = (
                        path,
                        _('"%(path)s" is outside %(scope)s.')
                        % {"path": path, "scope": scope_label},
                    )
            else:
                answer = (path, _no_unit(path, scope_label))
        resolved[path] = answer
        return answer

    def unit_problem(path: str) -> str | None:
        if path in problems:
            return problems[path]
        problem = None
        if path not in plan.unit_ids:
            if create_units:
                parts = path.split("/")
                for depth in range(1, len(parts) + 1):
                    level = "/".join(parts[:depth])
                    if level not in plan.unit_ids and level not in planned:
                        planned.add(level)
                        plan.units_to_create.append(level)
            else:
                problem = _('No unit "%(path)s" (allow creating units to add it).') % {"path": path}
        problems[path] = problem
        return problem

    placed: list[tuple[int, dict]] = []
    for number, row in good:
        full_path, problem = resolve(row["unit"])
        if problem is None:
            row["unit"] = full_path
            problem = unit_problem(full_path)
        if problem:
            report.errors.append(RowError(number, unit_heading, problem))
        else:
            placed.append((number, row))
    report.units_created = list(plan.units_to_create)

    # An employee number names a person within one top-level organisation (decision
    # 0032): a row is compared only with the profiles of its unit's organisation, so
    # another organisation's people are never found, changed or mentioned.
    root_of = _row_roots(placed, plan.unit_ids, scope)
    numbers_by_root: dict[int, list[str]] = {}
    for _number, row in placed:
        root = root_of(row)
        if root is not None:
            numbers_by_root.setdefault(root, []).append(row["employee_number"])
    profiles: dict[tuple[int, str], LearnerProfile] = {}
    for root, numbers in numbers_by_root.items():
        for chunk in chunks(numbers):
            found = (
                LearnerProfile.objects.filter(organisation_id=root, employee_number__in=chunk)
                .select_related("user", "unit")
                .only(*_PROFILE_COLUMNS)
            )
            for profile in found:
                profiles[(root, profile.employee_number)] = profile

    def profile_for(row: dict) -> LearnerProfile | None:
        return profiles.get((root_of(row), row["employee_number"]))

    memberships: set[tuple[int, int]] = set()
    places: dict[int, list[str]] = {}  # user id -> the paths of the units they are in
    for chunk in chunks([p.user_id for p in profiles.values()]):
        for user_id, unit_id, path, waiting in Membership.objects.filter(
            user_id__in=chunk
        ).values_list("user_id", "unit_id", "unit__path", "unit__is_unplaced"):
            memberships.add((user_id, unit_id))
            if not waiting:  # the organisation's "not yet placed" unit is no place
                places.setdefault(user_id, []).append(path)

    def identity_changes(profile: LearnerProfile, row: dict) -> list[str]:
        return [
            name
            for name in IDENTITY_FIELDS
            if row[name] and getattr(profile.user, name) != row[name]
        ]

    # Asked only about the accounts a row would rename: a rerun asks nothing.
    privileged = privileged_user_ids(
        profile_for(row).user_id
        for _number, row in placed
        if profile_for(row) is not None and identity_changes(profile_for(row), row)
    )

    def refuse(number: int, message: str) -> None:
        report.errors.append(RowError(number, employee_heading, message))

    for number, row in placed:
        profile = profile_for(row)
        if profile is None:
            plan.creates.append(row)
            report.created.append(_label(row))
            continue
        values = {"n": row["employee_number"], "scope": scope_label}
        user = profile.user
        elsewhere = scope is not None and any(
            not path.startswith(scope.path) for path in places.get(user.pk, [])
        )
        # Someone waiting in the organisation's "not yet placed" unit (they signed in
        # before an import placed them) is placed by any import into the organisation.
        waiting = profile.unit is not None and profile.unit.is_unplaced
        if profile.unit is None and not places.get(user.pk) and not may_place_unplaced:
            refuse(
                number,
                _(
                    "Employee number %(n)s belongs to someone who is in no unit; only an "
                    "administrator can place them."
                )
                % values,
            )
            continue
        if scope is not None and (
            (
                profile.unit is not None
                and not waiting
                and not profile.unit.path.startswith(scope.path)
            )
            or (profile.unit is None and elsewhere)
        ):
            message = _("Employee number %(n)s belongs to someone outside %(scope)s.")
            refuse(number, message % values)
            continue
        user_changes = identity_changes(profile, row)
        if user_changes and user.pk in privileged:
            refuse(
                number,
                _(
                    "Employee number %(n)s belongs to an account with administration rights: "
                    "an import does not change its name or email."
                )
                % values,
            )
            continue
        if user_changes and elsewhere:
            refuse(
                number,
                _(
                    "Employee number %(n)s belongs to someone also placed outside %(scope)s: "
                    "an import into %(scope)s does not change their name or email."
                )
                % values,
            )
            continue
        unit_id = plan.unit_ids.get(row["unit"])  # None: a unit still to be created
        profile_changes = ["unit"] if profile.unit_id != unit_id or unit_id is None else []
        profile_changes += [
            name
            for name in _OPTIONAL_PROFILE_FIELDS
            if name in columns and getattr(profile, name) != row[name]
        ]
        # Being in the file means not having left, unless the file says otherwise.
        if profile.leave_date != row["leave_date"]:
            profile_changes.append("leave_date")
        membership_missing = "unit" not in profile_changes and (
            (user.pk, unit_id) not in memberships
        )
        if user_changes or profile_changes or membership_missing:
            plan.updates.append((profile, row, user_changes, profile_changes, membership_missing))
            report.updated.append(_label(row))
            report.changes.append(
                user_changes + profile_changes + (["membership"] if membership_missing else [])
            )
        else:
            report.unchanged += 1

    if full:
        missing = (
            LearnerProfile.objects.filter(
                unit__path__startswith=scope.path,
                kind=LearnerProfile.Kind.STAFF,
                leave_date__isnull=True,
                employee_number__isnull=False,
            )
            .exclude(employee_number="")
            .order_by("employee_number")
            .values_list("pk", "employee_number", "user__first_name", "user__last_name")
        )
        for pk, number, first, last in missing:
            if number not in mentioned:
                plan.leavers.append(pk)
                report.left.append(f"{number} {first} {last}")
    return plan


def _row_roots(placed: list[tuple[int, dict]], unit_ids: dict[str, int], scope):
    """A function: row -> the id of the top-level organisation its unit lies in (None for
    a row whose organisation the import is still to create)."""
    if scope is not None:
        root = root_ids([scope.pk])[scope.pk]
        return lambda row: root
    known = {unit_ids[row["unit"]] for _number, row in placed if row["unit"] in unit_ids}
    roots: dict[int, int] = {}
    for chunk in chunks(list(known)):
        roots.update(root_ids(chunk))

    def root_of(row: dict) -> int | None:
        unit_id = unit_ids.get(row["unit"])
        if unit_id is not None:
            return roots[unit_id]
        # A unit still to be created goes below the one its path's first name names.
        top = unit_ids.get(row["unit"].split("/")[0])
        return roots.get(top, top)

    return root_of


def privileged_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` whose account is more than a learner's: superusers, staff, and
    anyone holding a permission (their own or a group's: model permissions, Wagtail page,
    collection or site permissions, admin access) or a reporting scope. An import never
    renames these accounts: whoever can set an admin's email can take the account over
    with a password reset."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupCollectionPermission, GroupPagePermission, GroupSitePermission

    user_ids = list(set(user_ids))
    if not user_ids:
        return set()
    User = get_user_model()
    group_ids = set(Group.objects.filter(permissions__isnull=False).values_list("pk", flat=True))
    for model in (GroupPagePermission, GroupCollectionPermission, GroupSitePermission):
        group_ids.update(model.objects.values_list("group_id", flat=True))
    group_ids.update(
        ReportingScope.objects.filter(group__isnull=False).values_list("group_id", flat=True)
    )
    found: set[int] = set()
    for chunk in chunks(user_ids):
        found.update(
            User.objects.filter(pk__in=chunk)
            .filter(Q(is_superuser=True) | Q(is_staff=True))
            .values_list("pk", flat=True)
        )
        found.update(
            User.user_permissions.through.objects.filter(user_id__in=chunk).values_list(
                "user_id", flat=True
            )
        )
        found.update(
            User.groups.through.objects.filter(
                user_id__in=chunk, group_id__in=group_ids
            ).values_list("user_id", flat=True)
        )
        found.update(
            ReportingScope.objects.filter(user_id__in=chunk).values_list("user_id", flat=True)
        )
    return found
