"""Which column of the file holds which of our fields: recognised headings, or a mapping
the person chose."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..errors import InvalidInput

__all__ = ["FIELDS", "REQUIRED", "resolve_mapping", "suggest_mapping"]

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
