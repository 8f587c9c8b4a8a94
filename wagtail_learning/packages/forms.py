"""The package's admin form: the zip is checked in `clean` (nothing is stored for a bad
one) and unpacked into protected storage on save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class PackageForm(WagtailAdminModelForm):
    package_file = forms.FileField(
        label=_("Package (zip)"),
        required=False,
        help_text=_(
            "A SCORM 1.2, SCORM 2004 (3rd or 4th edition) or cmi5 package as a zip, with "
            "its manifest (imsmanifest.xml or cmi5.xml) at the top. A new zip replaces "
            "the package for learners who start it afterwards."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Empty: the title in the package's manifest.")

    def clean(self):
        from .manifests import read_package

        cleaned = super().clean()
        upload = cleaned.get("package_file")
        if upload is None:
            if self.instance.pk is None:
                self.add_error("package_file", _("Choose the package's zip file."))
            return cleaned
        try:
            self.checked_package = read_package(upload)
        except forms.ValidationError as error:
            self.add_error("package_file", error)
        return cleaned

    def save(self, commit=True):
        from .services import store_package

        instance = super().save(commit=False)
        checked = getattr(self, "checked_package", None)
        if checked is not None:
            package, archive = checked
            store_package(instance, package, archive, size=self.cleaned_data["package_file"].size)
        if commit:
            instance.save()
            self.save_m2m()
        return instance
