"""Forms of the staff import (upload, then column mapping)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_learning.org.api import FIELDS, REQUIRED, Organisation

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_EXTENSIONS = (".csv", ".txt", ".xlsx")

FIELD_LABELS = {
    "employee_number": _("Employee number"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "unit": _("Unit (path, e.g. Huddinge/Socialförvaltningen/Enhet X)"),
    "job_title": _("Job title"),
    "is_manager": _("Manager (ja/nej)"),
    "hire_date": _("Hire date"),
    "leave_date": _("Leave date"),
    "kind": _("Kind (personal/extern)"),
}


# The headings of the template file (each one the import recognises; see org's FIELDS),
# and what goes in each column.
TEMPLATE_HEADINGS = {
    "employee_number": "Anställningsnummer",
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "email": "E-post",
    "unit": "Enhet",
    "job_title": "Befattning",
    "is_manager": "Chef",
    "hire_date": "Anställningsdatum",
    "leave_date": "Slutdatum",
    "kind": "Typ",
}
COLUMN_HELP = {
    "employee_number": _(
        "Unique per person within the organisation (another organisation may use the same "
        "numbers); how a person is recognised on the next import."
    ),
    "first_name": "",
    "last_name": "",
    "email": _("Optional; without it the person gets an address of the organisation's form."),
    "unit": _(
        "The unit's name when it is unique in the organisation (Enhet X), or its path "
        "(Socialförvaltningen/Enhet X, or from the top: Huddinge kommun/Socialförvaltningen/"
        "Enhet X)."
    ),
    "job_title": "",
    "is_manager": _("ja or nej (yes/no, 1/0 also work)."),
    "hire_date": _("A date: 2024-01-31 (also 20240131 or 31.01.2024)."),
    "leave_date": _("A date; empty while the person is employed."),
    "kind": _("personal (staff) or extern (external participant)."),
}


def import_columns() -> list[dict]:
    """The columns of the staff import as the upload page lists them."""
    return [
        {
            "heading": TEMPLATE_HEADINGS[name],
            "label": FIELD_LABELS[name],
            "required": name in REQUIRED,
            "also": [a for a in FIELDS[name] if a != TEMPLATE_HEADINGS[name].lower()],
            "help": COLUMN_HELP[name],
        }
        for name in FIELDS
    ]


class StaffImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HR export"),
        help_text=_("A .csv or .xlsx file, at most 20 MB. The first row holds the headings."),
    )
    # Any unit validates (so a unit outside the user's scope is refused with a 403 by the
    # view, not a form error); the menu offers only the user's own.
    organisation = forms.ModelChoiceField(
        label=_("Organisation the file covers"), queryset=Organisation.objects.all()
    )
    full = forms.BooleanField(
        label=_("Full import (mark people missing from the file as left)"), required=False
    )
    create_units = forms.BooleanField(
        label=_("Allow creating units that are not in the tree yet"), required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "---------")] + [
            (unit.pk, unit.label) for unit in units
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class ColumnMappingForm(forms.Form):
    """One select per field of ours, offering the file's headings."""

    def __init__(self, *args, headings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        seen: list[str] = []
        for heading in headings:
            if heading.strip() and heading not in seen:
                seen.append(heading)
        choices = [("", _("(not imported)"))] + [(h, h) for h in seen]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS.get(name, name),
                choices=choices,
                required=name in REQUIRED,
            )

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in FIELDS}
