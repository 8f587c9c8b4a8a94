"""Organisation units and people: finding units by path, and importing staff from the HR
system's export (CSV or XLSX)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput, OutOfScope
from .hooks import announce_people_changed
from .models import LearnerProfile, Membership, Organisation, ReportingScope
from .scopes import can_see_unit, get_scope_units

__all__ = [
    "FIELDS",
    "REQUIRED",
    "ImportReport",
    "RowError",
    "can_import_into",
    "find_unit",
    "get_import_units",
    "get_or_create_unit",
    "import_staff",
    "read_table",
    "resolve_mapping",
    "suggest_mapping",
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
MAX_ROWS = 200_000
# Limits on what a file may make us read, checked before (XLSX: the zip's directory and
# the sheet's declared dimension) or while reading, so a small file that unpacks into
# gigabytes or claims a million rows of 16 384 columns is refused in milliseconds.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_SHEETS = 50
MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 160 * 1024 * 1024  # a 200 000-row sheet written by openpyxl: ~120 MB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # an HR export's sheet packs ~10:1; zip bombs 1000:1
_RATIO_FROM_BYTES = 1024 * 1024  # tiny members (styles, rels) may pack better
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
_CHUNK = 900


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


# --- Who may import where -----------------------------------------------------------------


def get_import_units(user) -> QuerySet[Organisation]:
    """The organisations `user` may import staff into: the top units of their reporting
    scope (superusers: the roots); none without the `org.import_staff` permission."""
    if not user.has_perm("org.import_staff"):
        return Organisation.objects.none()
    return get_scope_units(user)


def can_import_into(user, unit: Organisation) -> bool:
    """Whether `user` may import staff into `unit`: the permission, and `unit` inside
    their reporting scope (their own, or a group's; superusers everywhere)."""
    return user.has_perm("org.import_staff") and can_see_unit(user, unit)


# --- Units --------------------------------------------------------------------------------


def _split_path(path: str) -> list[str]:
    return [part.strip() for part in path.replace("\\", "/").split("/") if part.strip()]


def find_unit(path: str) -> Organisation | None:
    """The unit at 'Huddinge/Socialförvaltningen/Enhet X', or None."""
    node = None
    for name in _split_path(path):
        siblings = Organisation.get_root_nodes() if node is None else node.get_children()
        node = siblings.filter(name=name).first()
        if node is None:
            return None
    return node


def get_or_create_unit(path: str) -> tuple[Organisation, list[str]]:
    """The unit at `path`, creating missing levels; returns it and the paths created."""
    parts = _split_path(path)
    if not parts:
        raise InvalidInput(_("An empty unit path."))
    node = None
    created: list[str] = []
    for depth, name in enumerate(parts, start=1):
        siblings = Organisation.get_root_nodes() if node is None else node.get_children()
        child = siblings.filter(name=name).first()
        if child is None:
            child = Organisation.add_root(name=name) if node is None else node.add_child(name=name)
            created.append("/".join(parts[:depth]))
        node = child
    return node, created


def _unit_index(scope: Organisation | None) -> tuple[dict[str, int], str | None]:
    """Unit path ('Huddinge/Soc/Enhet X') -> id, for `scope`'s ancestors and subtree (or
    the whole tree), and the scope's own path. Where siblings share a name the first by
    tree order wins, as in find_unit; a same-named sibling of the scope is not loaded, so
    paths under the scope's name always lead into the scope."""
    nodes = Organisation.objects.order_by("path")
    if scope is not None:
        ancestors = [
            scope.path[:end] for end in range(scope.steplen, len(scope.path), scope.steplen)
        ]
        nodes = nodes.filter(Q(path__in=ancestors) | Q(path__startswith=scope.path))
    labels: dict[str, str] = {}
    index: dict[str, int] = {}
    for pk, path, name in nodes.values_list("pk", "path", "name"):
        parent = labels.get(path[: -Organisation.steplen])
        labels[path] = f"{parent}/{name.strip()}" if parent else name.strip()
        index.setdefault(labels[path], pk)
    return index, (labels[scope.path] if scope is not None else None)


# --- Reading files ------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Headings and (row number, cells) from a CSV (UTF-8, UTF-16 or Windows-1252; `;`,
    `,` or tab separated) or XLSX file. Raises InvalidInput for a file that is neither,
    also when the problem shows only while the rows are read."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            _("The file is larger than %(n)d MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") or (is_zip and name.endswith((".csv", ".txt"))):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise InvalidInput(_("Upload a .csv or .xlsx file."))


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("The file is not readable text.")) from exc
    sample = data[:8192]
    if sample.count(b"\x00") * 100 > len(sample):  # text has none; a stray one is a row error
        raise InvalidInput(_("This is not a CSV file. Upload a .csv or .xlsx file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV" on Swedish Windows
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The CSV file is neither UTF-8 nor Windows-1252 text.")) from exc


def _read_csv(data: bytes):
    text = _decode(data)
    # The heading line decides the separator: it has no quoted commas, unlike data rows,
    # which is where csv.Sniffer guesses wrong.
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = next(reader)
    except StopIteration as exc:
        raise InvalidInput(_("The file is empty.")) from exc
    except csv.Error as exc:
        raise InvalidInput(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc

    _check_width(headings, 1)

    def cells():
        number = 1
        try:
            for number, row in enumerate(reader, start=2):
                _check_width(row, number)
                yield number, row
        except csv.Error as exc:
            raise InvalidInput(
                _("The CSV file cannot be read after row %(row)d: %(error)s")
                % {"row": number, "error": exc}
            ) from exc

    return [h.strip() for h in headings], cells()


def _check_width(cells, number: int) -> None:
    """Refuse a row wider than MAX_COLUMNS or with a cell longer than MAX_CELL_CHARS."""
    if len(cells) > MAX_COLUMNS:
        raise InvalidInput(
            _("Row %(row)d has more than %(n)d columns.") % {"row": number, "n": MAX_COLUMNS}
        )
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise InvalidInput(
                _("Row %(row)d has a cell longer than %(n)d characters.")
                % {"row": number, "n": MAX_CELL_CHARS}
            )


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX whose zip directory promises more than a staff list needs: too many
    members or sheets, members or a total too large once unpacked, or packed too tightly.
    Reads only the directory (nothing is unpacked). zipfile stops unpacking a member at
    its declared size, so the declared sizes bound what openpyxl can read."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    too_big = _(
        "The workbook unpacks to more than a staff list can hold (%(what)s). Save it again "
        "in Excel, or export a CSV file."
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise InvalidInput(too_big % {"what": _("too many parts")})
    sheets = [
        m
        for m in members
        if m.filename.startswith("xl/worksheets/")
        and "/" not in m.filename[len("xl/worksheets/") :]
    ]
    if len(sheets) > MAX_SHEETS:
        raise InvalidInput(
            _("The workbook has more than %(n)d sheets; the staff list must be the first.")
            % {"n": MAX_SHEETS}
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise InvalidInput(too_big % {"what": _("size")})
        if member.file_size > _RATIO_FROM_BYTES and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise InvalidInput(too_big % {"what": _("compression ratio")})


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension: openpyxl pads every row to its width and adds every
        # row up to its height, so "A1:XFD1048576" alone would mean 17 billion cells.
        if (sheet.max_row or 0) > MAX_ROWS + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
            raise InvalidInput(
                _(
                    "The sheet claims %(rows)s rows and %(columns)s columns; a staff list "
                    "has at most %(max_rows)d rows and %(max_columns)d columns. Save it "
                    "again in Excel, or export a CSV file."
                )
                % {
                    "rows": sheet.max_row,
                    "columns": sheet.max_column,
                    "max_rows": MAX_ROWS,
                    "max_columns": MAX_COLUMNS,
                }
            )
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except InvalidInput:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    if first is None:
        workbook.close()
        raise InvalidInput(_("The workbook's first sheet is empty."))
    _check_width(first, 1)
    headings = [_cell_text(c) for c in first]

    def cells():
        number = 1
        try:
            for number, row in enumerate(rows, start=2):
                if number > MAX_ROWS + 1:
                    raise InvalidInput(_too_many_rows())
                if len(row) > MAX_COLUMNS:
                    _check_width(row, number)
                if row.count(None) == len(row):  # cheap: padding rows are all None
                    yield number, []
                    continue
                _check_width(row, number)
                yield number, [_cell_text(c) for c in row]
        except InvalidInput:
            raise
        except Exception as exc:  # a damaged sheet fails only while it is read
            raise InvalidInput(
                _("The workbook cannot be read after row %(row)d.") % {"row": number}
            ) from exc
        finally:
            workbook.close()

    return headings, cells()


def _too_many_rows() -> str:
    return _("More than %(n)d rows; split the file.") % {"n": MAX_ROWS}


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


def suggest_mapping(headings: list[str]) -> dict[str, str]:
    """Our field -> the file's heading we recognise for it (fields we don't are left out)."""
    by_lower = {}
    for heading in headings:
        if heading.strip():
            by_lower.setdefault(heading.strip().lower(), heading)
    suggested = {}
    for field_name, aliases in FIELDS.items():
        for alias in aliases:
            if alias in by_lower:
                suggested[field_name] = by_lower[alias]
                break
    return suggested


def resolve_mapping(headings: list[str], mapping: dict[str, str] | None) -> dict[str, int]:
    """Our field -> column index, from an explicit mapping (field -> heading) or the
    headings we recognise. A field mapped to "" is not imported. Raises InvalidInput for
    an unknown field, a heading not in the file, or missing required columns."""
    mapping = mapping or {}
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            _("Unknown fields in the mapping: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    lowered: dict[str, int] = {}
    for i, heading in enumerate(headings):
        if heading.strip():
            lowered.setdefault(heading.strip().lower(), i)
    suggested = suggest_mapping(headings)
    result: dict[str, int] = {}
    for field_name in FIELDS:
        wanted = mapping[field_name] if field_name in mapping else suggested.get(field_name)
        if not wanted or not wanted.strip():
            continue
        if wanted.strip().lower() not in lowered:
            raise InvalidInput(
                _('The column "%(column)s" mapped to %(field)s is not in the file.')
                % {"column": wanted, "field": field_name}
            )
        result[field_name] = lowered[wanted.strip().lower()]
    missing = [f for f in REQUIRED if f not in result]
    if missing:
        raise InvalidInput(
            _("The file has no column for: %(fields)s. Map them to the file's headings.")
            % {"fields": ", ".join(missing)}
        )
    return result


# --- Checking rows --------------------------------------------------------------------------


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
    parts = _split_path(values.get("unit", ""))
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


def _check_rows(rows, columns, headings, report: ImportReport):
    """The good rows as (row number, cleaned values), and every employee number the file
    mentions, good row or bad. Errors go to the report."""
    employee_heading = headings[columns["employee_number"]]
    cleaned_rows: list[tuple[int, dict, list[RowError]]] = []
    rows_by_number: dict[str, list[int]] = {}
    for count, (number, cells) in enumerate(rows):
        if count >= MAX_ROWS:
            raise InvalidInput(_too_many_rows())
        if not any(c.strip() for c in cells):
            report.blank_rows += 1
            continue
        cleaned, errors = _clean_row(number, cells, columns, headings)
        if cleaned["employee_number"]:
            rows_by_number.setdefault(cleaned["employee_number"], []).append(number)
        cleaned_rows.append((number, cleaned, errors))
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
    return good, set(rows_by_number)


# --- Importing ------------------------------------------------------------------------------


@dataclass
class _Plan:
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
)


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _label(row: dict) -> str:
    return f"{row['employee_number']} {row['first_name']} {row['last_name']}"


def import_staff(
    data: bytes,
    *,
    filename: str,
    mapping: dict[str, str] | None = None,
    scope: Organisation | None = None,
    full: bool = False,
    create_units: bool = False,
    dry_run: bool = True,
    today: date | None = None,
    user=None,
) -> ImportReport:
    """Import staff from an HR export: upsert by employee number.

    Bad rows are reported (row, column, what is wrong) and skipped; good rows are
    imported. With `scope`, every unit path must lie in its subtree and people already
    registered elsewhere are not touched. With `full`, people in `scope`'s subtree whom
    the file does not mention (on any row, good or bad) are marked as left (never
    deleted). Units missing from the tree are created only with `create_units`. New and
    changed people get the enrolments of the assignments that now cover them.

    `user` is who imports (None: the operator, through the command). An admin user must
    be allowed to import into `scope`. Whoever imports, the names and email of an account
    with admin rights (see `_privileged_user_ids`) or of someone also placed outside
    `scope` are never changed, and someone placed in no unit is placed only by a
    superuser or the operator: such rows are row errors.

    A dry run only reads: it reports what a real run would do and writes nothing. A real
    run is atomic, and real runs into the same scope take turns (a row lock on
    PostgreSQL; SQLite has one writer anyway); a second run of the same file changes
    nothing. Raises InvalidInput for an unreadable file, missing or unknown columns, a
    full import without a scope, or a conflicting concurrent import.
    """
    headings, rows = read_table(data, filename)
    columns = resolve_mapping(headings, mapping)
    if full and scope is None:
        raise InvalidInput(_("A full import needs the organisation it covers."))
    if user is not None and not (
        user.is_superuser if scope is None else can_import_into(user, scope)
    ):
        raise OutOfScope(_("You may not import staff into this organisation."))
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    good, mentioned = _check_rows(rows, columns, headings, report)
    options = {
        "columns": columns,
        "headings": headings,
        "create_units": create_units,
        # Someone in no unit is in nobody's scope but a superuser's.
        "may_place_unplaced": user is None or user.is_superuser,
    }
    if dry_run:
        if scope is not None:
            scope = _fresh(scope, lock=False)
        _plan(good, mentioned, scope=scope, full=full, report=report, **options)
    else:
        try:
            with transaction.atomic():
                if scope is not None:
                    scope = _fresh(scope, lock=True)
                plan = _plan(good, mentioned, scope=scope, full=full, report=report, **options)
                _apply(plan, today=today)
        except IntegrityError as exc:
            raise InvalidInput(
                _(
                    "Another change to the same people was saved while this import ran. "
                    "Run it again."
                )
            ) from exc
    report.errors.sort(key=lambda e: (e.row, e.column))
    return report


def _fresh(scope: Organisation, *, lock: bool) -> Organisation:
    # The caller's instance may have a stale path (sorted inserts move siblings); locking
    # the row makes two real imports into one organisation take turns.
    query = Organisation.objects.filter(pk=scope.pk)
    found = (query.select_for_update() if lock else query).first()
    if found is None:
        raise InvalidInput(_("The organisation no longer exists."))
    return found


def _plan(
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
) -> _Plan:
    unit_heading = headings[columns["unit"]]
    employee_heading = headings[columns["employee_number"]]
    unit_ids, scope_label = _unit_index(scope)
    plan = _Plan(unit_ids=unit_ids)
    planned: set[str] = set()
    problems: dict[str, str | None] = {}

    def unit_problem(path: str) -> str | None:
        if path in problems:
            return problems[path]
        problem = None
        if scope_label and path != scope_label and not path.startswith(scope_label + "/"):
            problem = _('"%(path)s" is outside %(scope)s.') % {"path": path, "scope": scope_label}
        elif path not in plan.unit_ids:
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
        problem = unit_problem(row["unit"])
        if problem:
            report.errors.append(RowError(number, unit_heading, problem))
        else:
            placed.append((number, row))
    report.units_created = list(plan.units_to_create)

    profiles: dict[str, LearnerProfile] = {}
    for chunk in _chunks([row["employee_number"] for _number, row in placed]):
        found = (
            LearnerProfile.objects.filter(employee_number__in=chunk)
            .select_related("user", "unit")
            .only(*_PROFILE_COLUMNS)
        )
        for profile in found:
            profiles[profile.employee_number] = profile
    memberships: set[tuple[int, int]] = set()
    places: dict[int, list[str]] = {}  # user id -> the paths of the units they are in
    for chunk in _chunks([p.user_id for p in profiles.values()]):
        for user_id, unit_id, path in Membership.objects.filter(user_id__in=chunk).values_list(
            "user_id", "unit_id", "unit__path"
        ):
            memberships.add((user_id, unit_id))
            places.setdefault(user_id, []).append(path)

    def identity_changes(profile: LearnerProfile, row: dict) -> list[str]:
        return [
            name
            for name in IDENTITY_FIELDS
            if row[name] and getattr(profile.user, name) != row[name]
        ]

    # Asked only about the accounts a row would rename: a rerun asks nothing.
    privileged = _privileged_user_ids(
        profiles[row["employee_number"]].user_id
        for _number, row in placed
        if row["employee_number"] in profiles
        and identity_changes(profiles[row["employee_number"]], row)
    )

    def refuse(number: int, message: str) -> None:
        report.errors.append(RowError(number, employee_heading, message))

    for number, row in placed:
        profile = profiles.get(row["employee_number"])
        if profile is None:
            plan.creates.append(row)
            report.created.append(_label(row))
            continue
        values = {"n": row["employee_number"], "scope": scope_label}
        user = profile.user
        elsewhere = scope is not None and any(
            not path.startswith(scope.path) for path in places.get(user.pk, [])
        )
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
            (profile.unit is not None and not profile.unit.path.startswith(scope.path))
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


def _apply(plan: _Plan, *, today: date) -> None:
    """Write the plan; the caller holds the transaction."""
    User = get_user_model()
    now = timezone.now()
    unit_ids = dict(plan.unit_ids)
    # Parents before children, and siblings in name order: treebeard keeps siblings
    # sorted by name, and a new last sibling moves no others (in another order each insert
    # rewrites the paths of the siblings after it).
    for path in sorted(plan.units_to_create, key=lambda p: p.split("/")):
        parent_path, _slash, name = path.rpartition("/")
        if parent_path:
            # Fetched afresh each time: a sorted insert moves the paths of later siblings.
            parent = Organisation.objects.get(pk=unit_ids[parent_path])
            unit_ids[path] = parent.add_child(name=name).pk
        else:
            unit_ids[path] = Organisation.add_root(name=name).pk

    users = _users_for(plan.creates, User)
    adopted = [u for u in users.values() if u.pk is not None]
    User.objects.bulk_create([u for u in users.values() if u.pk is None], batch_size=500)
    missing_pk = [u.username for u in users.values() if u.pk is None]
    if missing_pk:  # a backend that cannot return ids from a bulk insert
        ids = dict(User.objects.filter(username__in=missing_pk).values_list("username", "pk"))
        for user in users.values():
            if user.pk is None:
                user.pk = ids[user.username]
    if adopted:
        User.objects.bulk_update(adopted, list(IDENTITY_FIELDS), batch_size=500)
    LearnerProfile.objects.bulk_create(
        [
            LearnerProfile(
                user_id=users[row["employee_number"]].pk,
                unit_id=unit_ids[row["unit"]],
                employee_number=row["employee_number"],
                job_title=row["job_title"],
                is_manager=row["is_manager"],
                hire_date=row["hire_date"],
                leave_date=row["leave_date"],
                kind=row["kind"],
            )
            for row in plan.creates
        ],
        batch_size=500,
    )
    new_memberships = [
        Membership(user_id=users[row["employee_number"]].pk, unit_id=unit_ids[row["unit"]])
        for row in plan.creates
    ]

    changed_users, changed_profiles, moves = [], [], []
    profile_fields: set[str] = set()
    for profile, row, user_changes, profile_changes, membership_missing in plan.updates:
        unit_id = unit_ids[row["unit"]]
        if user_changes:
            for name in user_changes:
                setattr(profile.user, name, row[name])
            changed_users.append(profile.user)
        if profile_changes:
            if "unit" in profile_changes:
                if profile.unit_id is not None:
                    moves.append((profile.user_id, profile.unit_id))
                profile.unit_id = unit_id
            for name in profile_changes:
                if name != "unit":
                    setattr(profile, name, row[name])
            profile.updated_at = now
            profile_fields.update(profile_changes)
            changed_profiles.append(profile)
        if "unit" in profile_changes or membership_missing:
            new_memberships.append(Membership(user_id=profile.user_id, unit_id=unit_id))
    if changed_users:
        User.objects.bulk_update(changed_users, list(IDENTITY_FIELDS), batch_size=500)
    if changed_profiles:
        fields = [*sorted(profile_fields), "updated_at"]
        LearnerProfile.objects.bulk_update(changed_profiles, fields, batch_size=500)
    for chunk in _chunks(moves, 200):
        condition = Q()
        for user_id, unit_id in chunk:
            condition |= Q(user_id=user_id, unit_id=unit_id)
        Membership.objects.filter(condition).delete()
    Membership.objects.bulk_create(new_memberships, batch_size=500, ignore_conflicts=True)

    for chunk in _chunks(plan.leavers):
        LearnerProfile.objects.filter(pk__in=chunk).update(leave_date=today, updated_at=now)

    touched = [u.pk for u in users.values()] + [p.user_id for p, *_rest in plan.updates]
    for chunk in _chunks(touched, 500):
        announce_people_changed(chunk, today=today)


def _privileged_user_ids(user_ids: Iterable[int]) -> set[int]:
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
    for chunk in _chunks(user_ids):
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


def _users_for(rows: Iterable[dict], User) -> dict[str, object]:
    """A user for each new person (employee number -> unsaved user, or an adopted one).

    The username is `anst-<employee number>`. An existing account by that name is taken
    over only when it has no learner profile and no admin rights (`_privileged_user_ids`):
    an HR file must not be able to attach itself to (and later rewrite the email of) an
    administrator's account.
    Otherwise the name gets a suffix."""
    rows = list(rows)
    wanted = {row["employee_number"]: f"anst-{row['employee_number']}".lower() for row in rows}
    existing: dict[str, object] = {}
    for chunk in _chunks(list(set(wanted.values()))):
        for user in User.objects.filter(username__in=chunk).select_related("learner_profile"):
            existing[user.username] = user
    taken = set(existing)
    privileged = _privileged_user_ids(user.pk for user in existing.values())
    result: dict[str, object] = {}
    for row in rows:
        username = wanted[row["employee_number"]]
        user = existing.pop(username, None)
        if user is not None and not (user.pk in privileged or hasattr(user, "learner_profile")):
            for name in IDENTITY_FIELDS:
                if row[name]:
                    setattr(user, name, row[name])
            result[row["employee_number"]] = user
            continue
        if username in taken:
            username = _free_username(username, taken, User)
        taken.add(username)
        user = User(
            username=username,
            first_name=row["first_name"],
            last_name=row["last_name"],
            email=row["email"],
        )
        user.set_unusable_password()  # they sign in through SSO or a reset link
        result[row["employee_number"]] = user
    return result


def _free_username(base: str, taken: set[str], User) -> str:
    for suffix in range(2, 10_000):
        candidate = f"{base}-{suffix}"
        if candidate not in taken and not User.objects.filter(username=candidate).exists():
            return candidate
    raise InvalidInput(_("No free username for %(name)s.") % {"name": base})
