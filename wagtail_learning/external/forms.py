"""Forms of the public registration pages and the coordinator's withdrawal."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from wagtail_learning.org.api import Organisation

from .services import EXTERNAL_KINDS, NewOrganisation, get_listed_organisations

NEW = "new"


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("We send a link to confirm it. You log in with this address."),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    organisation = forms.ChoiceField(
        label=_("Your organisation"),
        help_text=_("Not in the list? Choose 'A new organisation' and tell us about it."),
    )
    new_name = forms.CharField(
        label=_("Name of the new organisation"), max_length=200, required=False
    )
    new_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        required=False,
        choices=[(kind.value, kind.label) for kind in EXTERNAL_KINDS],
    )
    new_org_number = forms.RegexField(
        label=_("Organisation number (optional)"),
        regex=r"^\d{6}-?\d{4}$",
        required=False,
        error_messages={"invalid": _("An organisation number looks like 802012-3456.")},
    )
    new_contact = forms.BooleanField(
        label=_("I will be my organisation's contact person"),
        required=False,
        help_text=_(
            "Once a coordinator has approved the organisation, you see its participants' "
            "progress and decide whether it appears on the public register."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            ("", _("Choose…")),
            *[(str(org.pk), org.name) for org in get_listed_organisations()],
            (NEW, _("A new organisation")),
        ]

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self):
        data = super().clean()
        choice = data.get("organisation")
        if choice == NEW:
            if not data.get("new_name", "").strip():
                self.add_error("new_name", _("Give the name of your organisation."))
            if not data.get("new_kind"):
                self.add_error("new_kind", _("Choose association or business."))
            data["organisation_obj"] = None
        elif choice:
            data["organisation_obj"] = get_listed_organisations().filter(pk=choice).first()
            if data["organisation_obj"] is None:
                self.add_error("organisation", _("Choose an organisation from the list."))
        return data

    def new_organisation(self) -> NewOrganisation | None:
        if self.cleaned_data.get("organisation") != NEW:
            return None
        return NewOrganisation(
            name=self.cleaned_data["new_name"],
            kind=self.cleaned_data["new_kind"],
            org_number=self.cleaned_data.get("new_org_number") or "",
            contact=self.cleaned_data.get("new_contact", False),
        )

    def chosen_organisation(self) -> Organisation | None:
        return self.cleaned_data.get("organisation_obj")


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=150)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept, and shown on the public verification page."),
    )
