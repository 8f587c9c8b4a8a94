"""Forms of the learner-facing event views."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    """The organiser's questions, one field each, keyed by the question's id."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q-{question.key}"] = forms.CharField(
                label=question.label, required=question.required, max_length=1000,
                widget=forms.TextInput,
            )  # fmt: skip

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("q-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q-")
        }


class CheckInForm(forms.Form):
    session = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code shown in the room"), max_length=12)
