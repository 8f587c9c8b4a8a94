"""The editors' forms. Modules: ASCII slugs, prerequisites offered grouped by course (drafts
too), a cycle refused by the engine's rule (`lms.api.check_prerequisites`). Lectures: facts
read from the video, and a video kept across a failed save (`modules.uploads`)."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Page

from wagtail_learning.lms.api import check_prerequisites

from .caption_duty import check_lecture_keeps_captions, check_module_may_publish
from .uploads import PendingUpload, PendingUploadRefused, discard_pending, keep_upload, open_pending


class AsciiSlugPageForm(WagtailAdminPageForm):
    """Slugs stay ASCII (WAGTAIL_ALLOW_UNICODE_SLUGS = False): a slug typed with å, ä or ö
    is transliterated (a, a, o) rather than percent-encoded in every link."""

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        return slugify(slug, allow_unicode=False) if not slug.isascii() else slug


class PrerequisiteChooser(forms.CheckboxSelectMultiple):
    """Modules to choose as prerequisites, grouped by course, with a search box that narrows
    the list as the editor types. Drafts are offered, marked as such."""

    template_name = "modules/admin/prerequisite_chooser.html"


class ModulePageForm(AsciiSlugPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("prerequisites")
        if field is not None:
            queryset = field.queryset.order_by("path")
            if self.instance.pk:
                queryset = queryset.exclude(pk=self.instance.pk)
            field.queryset = queryset
            # Grouped by course: module titles repeat across courses ("Grundmodul").
            modules = list(queryset.only("pk", "title", "path", "live"))
            courses = dict(
                Page.objects.filter(
                    path__in={page.path[: -Page.steplen] for page in modules}
                ).values_list("path", "title")
            )
            groups: dict[str, list] = {}  # by the course's path: two courses may share a title
            for page in modules:
                label = page.title if page.live else _draft_label(page.title)
                groups.setdefault(page.path[: -Page.steplen], []).append((page.pk, label))
            field.choices = [(courses.get(path, ""), options) for path, options in groups.items()]
            field.help_text = gettext_lazy(
                "Modules (in any course) the learner must complete first. A draft may be "
                "chosen: it keeps this module locked until it is published and completed."
            )

    def clean_prerequisites(self):
        # The page's clean() refuses the same on every save; here it becomes a field error.
        chosen = list(self.cleaned_data.get("prerequisites") or [])
        check_prerequisites(self.instance, chosen)
        return chosen

    def clean(self):
        cleaned = super().clean()
        # Wagtail publishes what this form holds when the editor pressed "Publish" (the
        # edit and create views read the same key); a draft may still lack captions.
        steps = cleaned.get("steps")
        if self.data.get("action-publish") and steps is not None:
            lectures = [b.value["lecture"] for b in steps if b.block_type == "lecture"]
            module = SimpleNamespace(title=cleaned.get("title") or self.instance.title)
            try:
                check_module_may_publish(module, lectures)
            except forms.ValidationError as error:
                # Not a field error: Wagtail lists non-field errors in the message at the
                # top of the editor; on the steps it would show only inside the StreamField.
                self.add_error(None, error)
        return cleaned


def _draft_label(title: str) -> str:
    return gettext("%(title)s (draft: locks until published)") % {"title": title}


def draft_prerequisites(page) -> list:
    """The chosen prerequisites that are not published: they keep the module locked."""
    return [p for p in page.prerequisites.all() if not p.live]


class KeptFileInput(forms.ClearableFileInput):
    """A file input that, after a failed save, names the file already received and carries
    its signed reference (see modules.uploads), so it need not be uploaded again."""

    template_name = "modules/admin/kept_file_input.html"
    kept: PendingUpload | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["kept_name"] = f"{name}{PENDING_SUFFIX}"
        if self.kept is not None:
            context["widget"]["kept"] = self.kept
            # The kept file stands in for a new upload: the browser must not insist on one.
            context["widget"]["attrs"].pop("required", None)
        return context


PENDING_SUFFIX = "-kept"


class LectureForm(WagtailAdminModelForm):
    """The lecture editor's form. Duration, picture size and codecs are read from the video
    (Lecture.clean); the duration can be typed only when the file does not tell. A video
    uploaded with a form that fails to save is kept (modules.uploads)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_path = None
        self._kept_refused = False
        video = self.fields.get("video")
        if video is not None:
            video.widget = KeptFileInput()
            key = f"{self.add_prefix('video')}{PENDING_SUFFIX}"
            token = self.data.get(key) if self.is_bound else None
            if token and not self.files.get(self.add_prefix("video")):
                try:
                    kept = open_pending(token)
                except PendingUploadRefused:
                    self._kept_refused = True
                else:
                    self.files = self.files.copy()
                    self.files[self.add_prefix("video")] = kept
                    self._kept_path = kept.pending_path
        duration = self.fields.get("duration")
        if duration is not None:
            duration.required = False
            if self.instance.duration_from_file and self.instance.duration:
                duration.disabled = True
                duration.help_text = gettext_lazy("Read from the video file.")
            else:
                duration.help_text = gettext_lazy(
                    "Read from the video file when you save. Give it here only if the file "
                    "does not tell (h:mm:ss or mm:ss)."
                )

    def clean(self):
        cleaned = super().clean()
        if self._kept_refused:
            self.add_error(
                "video",
                gettext_lazy(
                    "The video kept from your last attempt could not be found or its "
                    "reference is not valid. Choose the file again."
                ),
            )
        return cleaned

    def is_valid(self):
        valid = super().is_valid() and self._keeps_required_captions()
        upload = self.files.get(self.add_prefix("video")) if self.is_bound else None
        if not valid and upload is not None and "video" not in self.errors:
            # The video itself was fine: keep it, so fixing the rest needs no new upload.
            self.fields["video"].widget.kept = keep_upload(upload)
        return valid

    def _keeps_required_captions(self) -> bool:
        """A lecture in a live module keeps its Swedish captions (modules.caption_duty)."""
        formset = self.formsets.get("caption_tracks")
        if formset is None:
            return True
        deleted = formset.deleted_forms if formset.can_delete else []
        tracks = [
            (form.cleaned_data.get("language"), form.cleaned_data.get("kind"))
            for form in formset.forms
            if form.cleaned_data and form not in deleted
        ]
        try:
            check_lecture_keeps_captions(self.instance, tracks=tracks)
        except forms.ValidationError as error:
            self.add_error(None, error)
            return False
        return True

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if self._kept_path:
            path = self._kept_path
            transaction.on_commit(lambda: discard_pending(path))
        return instance
