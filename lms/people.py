"""Organisation units and people: finding units by path, and importing staff from the HR
system's export (CSV or XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import LearnerProfile, Membership, Organization

__all__ = [
    "FIELDS",
    "ImportReport",
    "RowError",
    "find_unit",
    "get_or_create_unit",
    "import_staff",
    "read_table",
]

# Our fields, and the column headings we recognise for each without a mapping.
FIELDS: dict[str, tuple[str, ...]] = {
    "employee_number": (
        "employee_number",
        "anställningsnummer",
        "anst.nr",
        "anstnr",
        "personalnummer",
    ),
    "first_name": ("first_name", "förnamn", "fornamn"),
    "last_name": ("last_name", "efternamn"),
    "email": ("email", "e-post", "epost", "mejl"),
    "unit": ("unit", "enhet", "organisation", "unit_path"),
    "job_title": ("job_title", "befattning", "titel", "yrke"),
    "is_manager": ("is_manager", "chef", "manager"),
    "hire_date": ("hire_date", "anställningsdatum", "startdatum"),
    "leave_date": ("leave_date", "slutdatum", "avgångsdatum"),
    "kind": ("kind", "typ", "kategori"),
}
REQUIRED = ("employee_number", "first_name", "last_name", "unit")
_TRUE = {"1", "ja", "j", "yes", "y", "true", "sant", "x"}
_FALSE = {"", "0", "nej", "n", "no", "false", "falskt"}
_KINDS = {
    "staff": LearnerProfile.Kind.STAFF,
    "personal": LearnerProfile.Kind.STAFF,
    "anställd": LearnerProfile.Kind.STAFF,
    "external": LearnerProfile.Kind.EXTERNAL,
    "extern": LearnerProfile.Kind.EXTERNAL,
}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the heading is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Units --------------------------------------------------------------------------------


def _split_path(path: str) -> list[str]:
    return [part.strip() for part in path.replace("\\", "/").split("/") if part.strip()]


def find_unit(path: str) -> Organization | None:
    """The unit at 'Huddinge/Socialförvaltningen/Enhet X', or None."""
    node = None
    for name in _split_path(path):
        siblings = Organization.get_root_nodes() if node is None else node.get_children()
        node = siblings.filter(name=name).first()
        if node is None:
            return None
    return node


def get_or_create_unit(path: str) -> tuple[Organization, list[str]]:
    """The unit at `path`, creating missing levels; returns it and the paths created."""
    parts = _split_path(path)
    if not parts:
        raise InvalidInput(_("An empty unit path."))
    node = None
    created: list[str] = []
    for depth, name in enumerate(parts, start=1):
        siblings = Organization.get_root_nodes() if node is None else node.get_children()
        child = siblings.filter(name=name).first()
        if child is None:
            child = Organization.add_root(name=name) if node is None else node.add_child(name=name)
            created.append("/".join(parts[:depth]))
        node = child
    return node, created


# --- Reading files ------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Headings and (row number, cells) from a CSV (UTF-8, ; or , separated) or XLSX file.
    Raises InvalidInput for a file that is neither."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise InvalidInput(_("Upload a .csv or .xlsx file."))


def _read_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV" on Swedish Windows
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("The CSV file is not UTF-8 text.")) from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headings = next(reader)
    except StopIteration as exc:
        raise InvalidInput(_("The file is empty.")) from exc
    return [h.strip() for h in headings], ((n, row) for n, row in enumerate(reader, start=2))


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headings = ["" if c is None else str(c).strip() for c in next(rows)]
    except StopIteration as exc:
        raise InvalidInput(_("The workbook's first sheet is empty.")) from exc

    def cells():
        for number, row in enumerate(rows, start=2):
            yield number, [_cell_text(c) for c in row]

    return headings, cells()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def resolve_mapping(headings: list[str], mapping: dict[str, str] | None) -> dict[str, int]:
    """Our field -> column index, from an explicit mapping (field -> heading) or the
    headings we recognise. Raises InvalidInput naming missing required columns."""
    lowered = {h.strip().lower(): i for i, h in enumerate(headings) if h.strip()}
    result: dict[str, int] = {}
    for field_name, aliases in FIELDS.items():
        wanted = (mapping or {}).get(field_name)
        if wanted:
            if wanted.strip().lower() not in lowered:
                raise InvalidInput(
                    _('The column "%(column)s" mapped to %(field)s is not in the file.')
                    % {"column": wanted, "field": field_name}
                )
            result[field_name] = lowered[wanted.strip().lower()]
            continue
        for alias in aliases:
            if alias in lowered:
                result[field_name] = lowered[alias]
                break
    missing = [f for f in REQUIRED if f not in result]
    if missing:
        raise InvalidInput(
            _("The file has no column for: %(fields)s. Map them to the file's headings.")
            % {"fields": ", ".join(missing)}
        )
    return result


# --- Importing ------------------------------------------------------------------------------


def _parse_date(text: str, column: str, row: int, errors: list[RowError]) -> date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y"):
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
    for name in REQUIRED:
        if not values.get(name):
            errors.append(RowError(number, heading[name], _("This value is required.")))
    if len(values.get("employee_number", "")) > 64:
        errors.append(RowError(number, heading["employee_number"], _("Longer than 64 characters.")))
    for name, limit in (("first_name", 150), ("last_name", 150), ("job_title", 200)):
        if len(values.get(name, "")) > limit:
            errors.append(
                RowError(number, heading[name], _("Longer than %(n)d characters.") % {"n": limit})
            )
    email = values.get("email", "")
    if email:
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
    if len(_split_path(values.get("unit", ""))) > 10:
        errors.append(RowError(number, heading["unit"], _("A unit path deeper than 10 levels.")))
    cleaned = {
        "employee_number": values.get("employee_number", ""),
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "email": email,
        "unit": "/".join(_split_path(values.get("unit", ""))),
        "job_title": values.get("job_title", ""),
        "is_manager": manager in _TRUE,
        "hire_date": hire,
        "leave_date": leave,
        "kind": _KINDS.get(kind, LearnerProfile.Kind.STAFF),
    }
    return cleaned, errors


def import_staff(
    data: bytes,
    *,
    filename: str,
    mapping: dict[str, str] | None = None,
    scope: Organization | None = None,
    full: bool = False,
    create_units: bool = False,
    dry_run: bool = True,
    today: date | None = None,
) -> ImportReport:
    """Import staff from an HR export: upsert by employee number, atomically.

    Bad rows are reported (row, column, what is wrong) and skipped; good rows are
    imported. With `full`, people in `scope`'s subtree who are missing from the file are
    marked as left (never deleted). A dry run does the same work and rolls it back. A
    second run of the same file changes nothing. Raises InvalidInput for an unreadable
    file or missing columns.
    """
    headings, rows = read_table(data, filename)
    columns = resolve_mapping(headings, mapping)
    if full and scope is None:
        raise InvalidInput(_("A full import needs the organisation it covers."))
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    seen: dict[str, int] = {}
    good: list[tuple[int, dict]] = []
    for count, (number, cells) in enumerate(rows):
        if count >= MAX_ROWS:
            raise InvalidInput(_("More than %(n)d rows; split the file.") % {"n": MAX_ROWS})
        if not any(c.strip() for c in cells):
            continue
        cleaned, errors = _clean_row(number, cells, columns, headings)
        number_key = cleaned["employee_number"]
        if number_key and number_key in seen:
            errors.append(
                RowError(
                    number,
                    headings[columns["employee_number"]],
                    _("Employee number %(n)s also on row %(row)d.")
                    % {"n": number_key, "row": seen[number_key]},
                )
            )
        elif number_key:
            seen[number_key] = number
        if errors:
            report.errors.extend(errors)
        else:
            good.append((number, cleaned))

    with transaction.atomic():
        units: dict[str, Organization] = {}
        for number, row in good:
            path = row["unit"]
            if path in units:
                continue
            unit = find_unit(path)
            if unit is None and create_units:
                unit, created = get_or_create_unit(path)
                report.units_created.extend(created)
            if unit is None:
                report.errors.append(
                    RowError(
                        number,
                        headings[columns["unit"]],
                        _('No unit "%(path)s" (allow creating units to add it).') % {"path": path},
                    )
                )
                continue
            if scope is not None and not (unit.path.startswith(scope.path)):
                report.errors.append(
                    RowError(
                        number,
                        headings[columns["unit"]],
                        _('"%(path)s" is outside %(scope)s.') % {"path": path, "scope": scope.name},
                    )
                )
                continue
            units[path] = unit
        imported_numbers = set()
        for _number, row in good:
            unit = units.get(row["unit"])
            if unit is None:
                continue
            imported_numbers.add(row["employee_number"])
            _upsert(row, unit, report)
        if full:
            _mark_leavers(scope, imported_numbers, today, report)
        if dry_run:
            transaction.set_rollback(True)
    report.errors.sort(key=lambda e: (e.row, e.column))
    return report


def _upsert(row: dict, unit: Organization, report: ImportReport) -> None:
    User = get_user_model()
    profile = (
        LearnerProfile.objects.select_related("user")
        .filter(employee_number=row["employee_number"])
        .first()
    )
    label = f"{row['employee_number']} {row['first_name']} {row['last_name']}"
    if profile is None:
        username = f"anst-{row['employee_number']}".lower()
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": row["email"],
            },
        )
        if _created:
            user.set_unusable_password()  # they sign in through SSO or a reset link
            user.save(update_fields=["password"])
        LearnerProfile.objects.create(
            user=user,
            unit=unit,
            employee_number=row["employee_number"],
            job_title=row["job_title"],
            is_manager=row["is_manager"],
            hire_date=row["hire_date"],
            leave_date=row["leave_date"],
            kind=row["kind"],
        )
        Membership.objects.get_or_create(user=user, unit=unit)
        report.created.append(label)
        return
    user = profile.user
    changed = False
    for attr in ("first_name", "last_name", "email"):
        if row[attr] and getattr(user, attr) != row[attr]:
            setattr(user, attr, row[attr])
            changed = True
    if changed:
        user.save(update_fields=["first_name", "last_name", "email"])
    updates = {
        "unit": unit,
        "job_title": row["job_title"],
        "is_manager": row["is_manager"],
        "hire_date": row["hire_date"],
        "leave_date": row["leave_date"],
        "kind": row["kind"],
    }
    profile_changed = [k for k, v in updates.items() if getattr(profile, k) != v]
    if profile_changed:
        old_unit_id = profile.unit_id
        for key in profile_changed:
            setattr(profile, key, updates[key])
        profile.save()
        if "unit" in profile_changed:
            Membership.objects.filter(user=user, unit_id=old_unit_id).delete()
            Membership.objects.get_or_create(user=user, unit=unit)
    if changed or profile_changed:
        report.updated.append(label)
    else:
        report.unchanged += 1


def _mark_leavers(scope: Organization, kept: set[str], today: date, report: ImportReport) -> None:
    missing = (
        LearnerProfile.objects.filter(
            unit__path__startswith=scope.path,
            kind=LearnerProfile.Kind.STAFF,
            leave_date__isnull=True,
        )
        .exclude(employee_number__in=kept)
        .exclude(employee_number__isnull=True)
        .select_related("user")
    )
    for profile in missing:
        profile.leave_date = today
        profile.save(update_fields=["leave_date", "updated_at"])
        report.left.append(f"{profile.employee_number} {profile.user.get_full_name()}")
