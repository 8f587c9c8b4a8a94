"""The public form to report a barrier."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DESCRIPTION = 5000


def local_path(value: str, *, host: str = "") -> str | None:
    """`value` as a path on this site ("/kurser/?sida=2"), or None when it points
    elsewhere. A full address on `host` is taken as its path."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    elsewhere = parts.scheme not in ("http", "https") or not host or parts.netloc != host
    if (parts.scheme or parts.netloc) and elsewhere:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in value:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


class BarrierReportForm(forms.Form):
    page_url = forms.CharField(
        label=_("Page"),
        max_length=500,
        required=False,
        help_text=_("The address of the page where you met the barrier, if there is one."),
    )
    description = forms.CharField(
        label=_("What did not work?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe what you tried to do and what stopped you."),
        error_messages={
            "required": _("Describe the barrier you met."),
            "max_length": _("Keep the description within %(limit_value)d characters."),
        },
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    contact_email = forms.EmailField(
        label=_("Your email address (optional)"),
        max_length=254,
        required=False,
        help_text=_("If you want a receipt and an answer. We use it for this report only."),
        error_messages={"invalid": _("Give an email address such as name@example.se.")},
    )

    def __init__(self, *args, host: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host

    def clean_page_url(self) -> str:
        path = local_path(self.cleaned_data["page_url"], host=self.host)
        if path is None:
            raise forms.ValidationError(
                _("Give the address of a page on this site, e.g. /kurser/."), code="elsewhere"
            )
        return path

    def clean_description(self) -> str:
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Describe the barrier you met."), code="required")
        return description
