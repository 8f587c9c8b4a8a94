"""Modules and the reusable content their steps point at: lectures and quizzes."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, Orderable, Page, PreviewableMixin, RevisionMixin
from wagtail.search import index

from wagtail_learning.defaults import value
from wagtail_learning.events import api as events
from wagtail_learning.lms.api import (
    ChoiceSpec,
    QuestionSpec,
    QuizRules,
    ReviewPolicy,
    StepSpec,
    check_prerequisites,
    protected_storage,
)
from wagtail_learning.org.api import owner_field

from . import views
from .blocks import QuestionsBlock, StepsBlock
from .captions import (
    CAPTION_KINDS,
    DESCRIPTION_KIND,
    MAX_CAPTION_BYTES,
    CaptionProblem,
    Cue,
    check_caption_file,
    check_cues,
    decode_caption_bytes,
    read_webvtt,
)
from .forms import LectureForm, ModulePageForm, PrerequisiteChooser
from .validators import MediaProbe, probe_video, refuse_obvious_non_video

CAPTION_LANGUAGES = [
    ("sv", "Svenska"),
    ("en", "English"),
    ("fi", "Suomi"),
    ("fit", "Meänkieli"),
    ("se", "Davvisámegiella"),
    ("sma", "Åarjelsaemien gïele"),
    ("smj", "Julevsámegiella"),
    ("rom", "Romani chib"),
    ("yi", "ייִדיש"),
]
VIDEO_EXTENSIONS = ["mp4", "webm", "m4v", "ogv"]


class LectureStatus(models.TextChoices):
    """Where a lecture's video file is: checked and ready for learners, still being read by
    the task queue (large uploads), or refused by that check."""

    READY = "ready", _("Ready")
    PROCESSING = "processing", _("Processing")
    FAILED = "failed", _("Not a playable video")


class LectureFactsPanel(Panel):
    """The lecture's status (ready, processing, refused) and what ffprobe read from its
    file, shown read-only at the top of the lecture form."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "modules/admin/lecture_facts_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["lecture"] = self.instance
            if self.instance.pk and self.instance.caption_tracks.exists():
                context["caption_editor_url"] = reverse(
                    "wagtailsnippets_modules_lecture:captions", args=[self.instance.pk]
                )
            return context


def format_duration(value: timedelta | None) -> str:
    """12:05 or 1:02:05, as a player shows it."""
    if value is None:
        return ""
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Lecture(index.Indexed, ClusterableModel):
    """A recorded lecture, reusable in any number of modules and courses."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = owner_field()  # org.ownership, decision 0035
    video = models.FileField(
        _("video file"),
        storage=protected_storage,
        upload_to="lectures/video/",
        validators=[FileExtensionValidator(VIDEO_EXTENSIONS)],
        help_text=_("MP4 (H.264/AAC) or WebM (VP9/Opus). Served only to learners with access."),
    )
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duration = models.DurationField(
        _("duration"),
        null=True,
        blank=True,
        help_text=_("Read from the video file. As h:mm:ss or mm:ss, e.g. 12:30."),
    )
    duration_from_file = models.BooleanField(_("duration read from the file"), default=False)
    width = models.PositiveIntegerField(_("width (pixels)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (pixels)"), null=True, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LectureStatus.choices, default=LectureStatus.READY
    )
    status_message = models.TextField(_("status message"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    organiser = models.CharField(
        _("organiser"), max_length=300, blank=True, help_text=_("Who arranged the lecture.")
    )
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    transcript = models.TextField(
        _("transcript"),
        blank=True,
        help_text=_("Leave empty to show the text of the first caption track as the transcript."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("speakers"),
        index.SearchField("description"),
        index.SearchField("transcript"),
        index.FilterField("recorded_on"),
    ]

    panels = [
        FieldPanel("title"),
        LectureFactsPanel(heading=_("Status")),
        FieldPanel("video"),
        FieldRowPanel([FieldPanel("duration"), FieldPanel("recorded_on")]),
        FieldPanel("poster", help_text=_("Empty: a frame of the video is used.")),
        FieldRowPanel([FieldPanel("speakers"), FieldPanel("organiser")]),
        FieldPanel("description"),
        InlinePanel("caption_tracks", heading=_("Caption tracks"), label=_("Caption track")),
        InlinePanel("chapters", heading=_("Chapters"), label=_("Chapter")),
        FieldPanel("transcript"),
    ]
    base_form_class = LectureForm

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        """A new video must really be one (its content is probed, not its extension); its
        duration, picture size and codecs are read from it. A file larger than
        LMS_LECTURE_PROBE_ASYNC_BYTES is only sniffed here and probed by the task queue
        after saving (the lecture is "processing" until then). A typed duration counts only
        when the file does not tell."""
        super().clean()
        if self.video and not self.video._committed:
            upload = self.video.file
            try:
                if upload.size > value("LMS_LECTURE_PROBE_ASYNC_BYTES"):
                    refuse_obvious_non_video(upload)
                    self.status, self.status_message = LectureStatus.PROCESSING, ""
                else:
                    self.apply_probe(probe_video(upload))
            except ValidationError as error:
                raise ValidationError({"video": error.messages}) from error
        elif self.status == LectureStatus.FAILED and self.duration and self.media_facts != "—":
            # The task read the file but not its length; the editor has now given it.
            self.status, self.status_message = LectureStatus.READY, ""
        if self.duration is None and self.status == LectureStatus.READY:
            raise ValidationError(
                {"duration": _("Give the duration; it could not be read from the video.")}
            )

    def apply_probe(self, probe: MediaProbe) -> None:
        """Take what ffprobe read from the file; the lecture is ready for learners."""
        self.width, self.height = probe.width, probe.height
        self.video_codec, self.audio_codec = probe.video_codec, probe.audio_codec
        if probe.duration is not None:
            self.duration, self.duration_from_file = probe.duration, True
        else:
            self.duration_from_file = False
        self.status, self.status_message = LectureStatus.READY, ""

    @property
    def media_facts(self) -> str:
        """Picture size and codecs as ffprobe read them, e.g. "1280×720 · vp9 / opus"."""
        parts = []
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        codecs = " / ".join(c for c in (self.video_codec, self.audio_codec) if c)
        if codecs:
            parts.append(codecs)
        return " · ".join(parts) or "—"

    @property
    def is_ready(self) -> bool:
        return self.status == LectureStatus.READY

    @property
    def status_display(self) -> str:
        if self.status == LectureStatus.FAILED and self.status_message:
            return f"{self.get_status_display()}: {self.status_message}"
        return self.get_status_display()

    @property
    def duration_display(self) -> str:
        return format_duration(self.duration)

    @property
    def video_content_type(self) -> str:
        return mimetypes.guess_type(self.video.name)[0] or "video/mp4"

    def transcript_paragraphs(self) -> list[str]:
        """The transcript's text without the descriptions: the written one, or the cue text
        of the captions."""
        return [entry.text for entry in self.transcript_entries() if not entry.is_description]

    def transcript_entries(self, tracks=None) -> list[TranscriptEntry]:
        """The transcript shown beside the video: the text of the captions in the site's
        language (else of the first caption track), with the descriptions of what is only
        visible (description tracks in that language) in their place in time. A written
        transcript replaces the captions' text (it has no times: the descriptions follow
        it). `tracks`: the lecture's tracks, when the caller has them."""
        tracks = list(self.caption_tracks.all()) if tracks is None else list(tracks)
        captions = [t for t in tracks if t.kind in CAPTION_KINDS]
        site_language = settings.LANGUAGE_CODE.split("-")[0]
        chosen = next((t for t in captions if t.language == site_language), None) or next(
            iter(captions), None
        )
        language = chosen.language if chosen else site_language
        written = [p.strip() for p in self.transcript.split("\n\n") if p.strip()]
        entries = []
        for track in tracks:
            is_description = track.kind == DESCRIPTION_KIND
            if (track is chosen and not written) or (is_description and track.language == language):
                entries.extend(
                    TranscriptEntry(cue.start, " ".join(cue.plain_text.split()), is_description)
                    for cue in track.read_cues()
                    if cue.plain_text.strip()
                )
        entries.sort(key=lambda e: (e.start, not e.is_description))
        return [TranscriptEntry(None, p, False) for p in written] + entries

    def caption_warnings(self) -> list[tuple[LectureCaptionTrack, CaptionProblem]]:
        """What makes the stored captions hard to follow (reading speed, line length),
        per track, for the editor."""
        duration = self.duration.total_seconds() if self.duration else None
        found = []
        for track in self.caption_tracks.all():
            _errors, warnings = check_cues(track.read_cues(), duration=duration, kind=track.kind)
            found.extend((track, warning) for warning in warnings)
        return found


@dataclass(frozen=True)
class TranscriptEntry:
    """A paragraph of a lecture's transcript: a cue's text with its start (None for a
    written transcript), or a description of what is only visible."""

    start: float | None
    text: str
    is_description: bool

    @property
    def start_display(self) -> str:
        return "" if self.start is None else format_duration(timedelta(seconds=int(self.start)))


class LectureChapter(Orderable):
    lecture = ParentalKey(Lecture, on_delete=models.CASCADE, related_name="chapters")
    start = models.DurationField(_("starts at"), help_text=_("mm:ss or h:mm:ss"))
    title = models.CharField(_("title"), max_length=200)

    panels = [FieldRowPanel([FieldPanel("start"), FieldPanel("title")])]

    class Meta(Orderable.Meta):
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["sort_order", "start"]

    def __str__(self) -> str:
        return f"{format_duration(self.start)} {self.title}"

    @property
    def start_seconds(self) -> int:
        return int(self.start.total_seconds())

    @property
    def start_display(self) -> str:
        return format_duration(self.start)


class LectureCaptionTrack(Orderable):
    lecture = ParentalKey(Lecture, on_delete=models.CASCADE, related_name="caption_tracks")
    language = models.CharField(_("language"), max_length=8, choices=CAPTION_LANGUAGES)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Defaults to the language name.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=[
            ("captions", _("Captions (with sounds)")),
            ("subtitles", _("Subtitles")),
            (DESCRIPTION_KIND, _("Descriptions of what is only visible")),
        ],
        default="captions",
        help_text=_(
            "Descriptions are shown in the transcript, in their place in time, and offered "
            "to screen readers."
        ),
    )
    file = models.FileField(
        _("caption file"),
        storage=protected_storage,
        upload_to="lectures/captions/",
        validators=[FileExtensionValidator(["vtt", "srt"])],
        help_text=_(
            "WebVTT or SRT (UTF-8). An SRT file is converted to WebVTT. Checked for timing, "
            "overlapping cues, reading speed and line length."
        ),
    )
    # None: automatic (the first track in the site's language is on); True/False: the
    # editor's own choice.
    is_default = models.BooleanField(
        _("on by default"),
        null=True,
        blank=True,
        default=None,
        choices=[
            (None, _("Automatic: the first track in Swedish")),
            (True, _("On")),
            (False, _("Off")),
        ],
    )

    panels = [
        FieldRowPanel([FieldPanel("language"), FieldPanel("kind"), FieldPanel("is_default")]),
        FieldPanel("label"),
        FieldPanel("file"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "language", "kind"], name="modules_caption_track_unique_language"
            )
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return self.label or self.get_language_display()

    def clean(self):
        """A new file is read (WebVTT, or SRT converted to WebVTT) and checked against the
        lecture's duration; every error names its cue. Warnings are the editor's to weigh
        (shown after saving and in the caption editor)."""
        super().clean()
        upload = self.file
        if not upload or upload._committed:
            return
        name = upload.name or ""
        if not name.lower().endswith((".vtt", ".srt")):
            return  # the extension validator says so
        handle = upload.file
        handle.seek(0)
        raw = handle.read(MAX_CAPTION_BYTES + 1)
        handle.seek(0)
        try:
            lecture = self.lecture
        except ObjectDoesNotExist:
            lecture = None
        duration = lecture.duration.total_seconds() if lecture and lecture.duration else None
        try:
            caption_file, _warnings = check_caption_file(
                raw, name, duration=duration, kind=self.kind
            )
        except ValidationError as error:
            raise ValidationError({"file": error.error_list}) from error
        if name.lower().endswith(".srt"):
            stem = Path(name).name.rsplit(".", 1)[0]
            self.file = ContentFile(caption_file.to_webvtt().encode("utf-8"), name=f"{stem}.vtt")

    def read_text(self) -> str:
        with self.file.open("rb") as handle:
            return decode_caption_bytes(handle.read(MAX_CAPTION_BYTES + 1))

    def read_cues(self) -> list[Cue]:
        """The stored file's cues; none when it cannot be read (it was checked on upload)."""
        try:
            return read_webvtt(self.read_text()).cues
        except (OSError, ValidationError, ValueError):
            return []


class Quiz(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, models.Model):
    """A pool of questions with the rules for taking it. Learners always get the live version;
    each attempt records the revision it was taken against."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("introduction"), blank=True)
    owner = owner_field()  # org.ownership, decision 0035
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of the points needed to pass."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for unlimited attempts."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    draw_count = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Draw this many questions at random from the pool. Empty: all questions."),
    )
    fresh_draw = models.BooleanField(
        _("new questions in each attempt"),
        default=False,
        help_text=_(
            "With questions drawn from a pool: a new attempt draws first from the questions "
            "the previous attempt did not have, as far as the pool allows."
        ),
    )
    review = models.CharField(
        _("show answers, feedback and explanations"),
        max_length=32,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT,
        help_text=_(
            "When a learner's result shows which answers were right, the feedback and the "
            "explanations. Until then it shows only the score, so a failed attempt does not "
            "give away the answers to the next one."
        ),
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="quiz")

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("description"),
    ]

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("max_attempts")]),
                FieldRowPanel(
                    [
                        FieldPanel("draw_count"),
                        FieldPanel("fresh_draw"),
                        FieldPanel("shuffle_questions"),
                        FieldPanel("shuffle_choices"),
                    ]
                ),
                FieldPanel("review"),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("questions"),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    @property
    def question_count(self) -> int:
        return len(self.questions)

    @property
    def questions_per_attempt(self) -> int:
        return min(self.draw_count or self.question_count, self.question_count)

    def clean(self):
        super().clean()
        if self.draw_count and self.draw_count > len(self.questions):
            raise ValidationError(
                {
                    "draw_count": _(
                        "The pool has only %(count)d questions; draw at most that many."
                    )
                    % {"count": len(self.questions)}
                }
            )

    def public_questions(self) -> list[dict]:
        """The questions as learners may see them before answering: no correct flags,
        no feedback, no explanations. Choice ids are the ListBlock item ids."""
        result = []
        for block in self.questions:
            value = block.value
            if block.block_type == "true_false":
                choices = [{"id": "true", "text": _("True")}, {"id": "false", "text": _("False")}]
            else:
                choices = [
                    {"id": item.id, "text": item.value["text"]}
                    for item in value["choices"].bound_blocks
                ]
            result.append(
                {
                    "id": block.id,
                    "type": block.block_type,
                    "text": value["question"],
                    "multiple": block.block_type == "multiple_choice",
                    "choices": choices,
                }
            )
        return result

    # --- The engine's protocol ------------------------------------------------------

    def get_lms_revision(self):
        """The published revision learners are served (attempts record it)."""
        return self.live_revision

    def get_lms_quiz_rules(self) -> QuizRules:
        questions = []
        for block in self.questions:
            value = block.value
            if block.block_type == "true_false":
                answer = value["correct_answer"]
                choices = (
                    ChoiceSpec("true", str(_("True")), answer == "true", value["feedback_true"]),
                    ChoiceSpec(
                        "false", str(_("False")), answer == "false", value["feedback_false"]
                    ),
                )
            else:
                choices = tuple(
                    ChoiceSpec(
                        item.id,
                        item.value["text"],
                        bool(item.value["correct"]),
                        item.value["feedback"] or "",
                    )
                    for item in value["choices"].bound_blocks
                )
            questions.append(
                QuestionSpec(
                    question_id=block.id,
                    kind=block.block_type,
                    text=value["question"],
                    choices=choices,
                    explanation=str(value["explanation"]) if value["explanation"] else "",
                    points=value["points"] or 1,
                )
            )
        return QuizRules(
            pass_mark=self.pass_mark,
            max_attempts=self.max_attempts,
            draw_count=self.draw_count,
            shuffle_questions=self.shuffle_questions,
            shuffle_choices=self.shuffle_choices,
            questions=tuple(questions),
            review=ReviewPolicy(self.review),
            fresh_draw=self.fresh_draw,
        )

    def get_preview_template(self, request, mode_name):
        return "modules/quiz_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["questions"] = self.public_questions()
        return context


class ModulePage(RoutablePageMixin, Page):
    """One module of a course: a sequence of learning steps, possibly behind prerequisites."""

    level = models.PositiveSmallIntegerField(
        _("level"), default=1, help_text=_("1 for a basic module, higher for deeper ones.")
    )
    summary = models.TextField(_("summary"), blank=True)
    estimated_minutes = models.PositiveIntegerField(
        _("estimated time (minutes)"), null=True, blank=True
    )
    required_for_course = models.BooleanField(
        _("required for completing the course"),
        default=True,
        help_text=_("Untick for optional modules that do not count towards the course."),
    )
    prerequisites = ParentalManyToManyField(
        "modules.ModulePage",
        verbose_name=_("prerequisite modules"),
        blank=True,
        symmetrical=False,
        related_name="unlocks",
        help_text=_("Modules (in any course) the learner must complete first."),
    )
    available_from = models.DateTimeField(
        _("available from"), null=True, blank=True, help_text=_("Locked until this time.")
    )
    steps = StreamField(StepsBlock(), blank=True, verbose_name=_("steps"))
    certificate_design = models.ForeignKey(
        "certificates.CertificateDesign",
        verbose_name=_("certificate design"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Issued when a learner completes the module. Empty: the default design."),
    )

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    template = "modules/module_page.html"
    base_form_class = ModulePageForm

    search_fields = Page.search_fields + [index.SearchField("summary")]

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("level"), FieldPanel("estimated_minutes")]),
        FieldPanel("summary"),
        FieldPanel("steps"),
    ]
    rules_panels = [
        FieldPanel("required_for_course"),
        FieldPanel("prerequisites", widget=PrerequisiteChooser),
        FieldPanel("available_from"),
        FieldPanel("certificate_design"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(rules_panels, heading=_("Rules")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def clean(self):
        super().clean()
        # Page.save() and save_revision() clean, so code and publishing are refused too.
        try:
            check_prerequisites(self, self.prerequisites.all())
        except ValidationError as exc:
            raise ValidationError({"prerequisites": exc.messages}) from exc

    # --- The engine's protocol ------------------------------------------------------

    def get_lms_steps(self) -> list[StepSpec]:
        return self.step_specs

    def get_lms_prerequisites(self) -> list[ModulePage]:
        # Cached per instance: access checks and state both ask within one request.
        if getattr(self, "_lms_prerequisites", None) is None:
            self._lms_prerequisites = list(self.prerequisites.all())
        return self._lms_prerequisites

    def get_lms_course_id(self) -> int:
        if getattr(self, "_lms_course_id", None) is None:
            course = self.__dict__.get("_lms_course")
            self._lms_course_id = (
                course.pk
                if course is not None
                else Page.objects.parent_of(self).values_list("pk", flat=True).get()
            )
        return self._lms_course_id

    def get_lms_audience(self) -> str:
        """Who the module's course is for (its `lms_audience`, decision 0033): from the
        course this request was routed through (CoursePage sets `_lms_course`), else read
        afresh: an audience can change while a page object lives, its course id cannot."""
        course = self.__dict__.get("_lms_course")
        if course is None:
            course = Page.objects.parent_of(self).get().specific
        return course.lms_audience

    def get_lms_quiz(self, step_id: str) -> Quiz | None:
        """The live quiz behind a quiz step; None when missing or unpublished."""
        block = self.find_step_block(step_id)
        if block is None or block.block_type != "quiz":
            return None
        quiz = block.value["quiz"]
        return quiz if quiz is not None and quiz.live else None

    # --- Content helpers ------------------------------------------------------------

    @cached_property
    def step_specs(self) -> list[StepSpec]:
        return [_step_spec(block.block_type, block.id, block.value) for block in self.steps]

    @classmethod
    def prefetch_step_specs(cls, modules: list[ModulePage]) -> None:
        """Fill in `step_specs` of many modules with one query per kind of content behind
        the steps (lectures, quizzes, documents), instead of that many queries per module."""
        child_blocks = cls._meta.get_field("steps").stream_block.child_blocks
        raw = [(module, list(module.steps.raw_data)) for module in modules]
        positions: dict[str, list[tuple[int, int]]] = {}
        for module_index, (_module, items) in enumerate(raw):
            for item_index, item in enumerate(items):
                if item["type"] in child_blocks:
                    positions.setdefault(item["type"], []).append((module_index, item_index))
        values: dict[tuple[int, int], object] = {}
        for kind, where in positions.items():
            converted = child_blocks[kind].bulk_to_python([raw[m][1][i]["value"] for m, i in where])
            values.update(zip(where, converted, strict=True))
        for module_index, (module, items) in enumerate(raw):
            module.__dict__["step_specs"] = [
                _step_spec(item["type"], item.get("id"), values[(module_index, item_index)])
                for item_index, item in enumerate(items)
                if (module_index, item_index) in values
            ]

    def find_step_block(self, step_id: str):
        return next((block for block in self.steps if block.id == step_id), None)

    def get_step_block(self, step_id: str):
        block = self.find_step_block(step_id)
        if block is None:
            raise Http404(_("No such step in this module."))
        return block

    def get_lms_step_url(self, step_id: str) -> str:
        return self.url + self.reverse_subpage("step", args=[step_id])

    # --- Routes: thin wrappers around modules.views ------------------------------------

    @path("")
    def overview(self, request):
        return views.module_overview(request, self)

    @path("steg/<str:step_id>/", name="step")
    def step(self, request, step_id: str):
        return views.step(request, self, step_id)

    @path("steg/<str:step_id>/video/", name="video")
    def video(self, request, step_id: str):
        return views.lecture_video(request, self, step_id)

    # Wagtail's routing appends a slash to every sub-path, so a route ending in ".vtt" would
    # never match.
    @path("steg/<str:step_id>/textning/<int:track_id>/", name="captions")
    def captions(self, request, step_id: str, track_id: int):
        return views.lecture_captions(request, self, step_id, track_id)

    @path("steg/<str:step_id>/dokument/", name="document")
    def document(self, request, step_id: str):
        return views.step_document(request, self, step_id)

    @path("steg/<str:step_id>/dokument/<int:document_id>/", name="linked_document")
    def linked_document(self, request, step_id: str, document_id: int):
        return views.linked_document(request, self, step_id, document_id)

    def serve_preview(self, request, mode_name):
        # Editors preview the module overview and, following its links (mode "step:<id>",
        # see module_tags.step_url), each step; access rules do not apply to previews.
        if mode_name.startswith("step:"):
            return views.step(request, self, mode_name.removeprefix("step:"), preview=True)
        return views.module_overview(request, self, preview=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = self.get_parent()
        context["step_specs"] = self.step_specs
        return context


def live_session_of(value):
    """The event session a live-session step names, or None (event or session gone)."""
    event = value["event"]
    if event is None:
        return None
    return events.session_by_number(event.specific, value["session_number"])


def _step_spec(kind: str, step_id: str, value) -> StepSpec:
    """What the engine needs to know about one step, from its block value."""
    extra: dict = {}
    if kind == "lecture":
        lecture = value["lecture"]
        title = lecture.title if lecture else str(_("Lecture"))
        extra = {
            "required_share": value["required_share"] / 100,
            "duration_seconds": (
                lecture.duration.total_seconds() if lecture and lecture.duration else None
            ),
            "object_id": lecture.pk if lecture else None,
        }
    elif kind == "live_session":
        session = live_session_of(value)
        recording = session.recording if session else None
        title = value["event"].title if value["event"] else str(_("Live session"))
        extra = {
            "required_share": value["required_share"] / 100,
            "duration_seconds": recording.duration.total_seconds() if recording else None,
            "object_id": session.pk if session else None,
        }
    elif kind == "package":
        package = value["package"]
        title = package.title if package else str(_("E-learning package"))
        extra = {
            "object_id": package.pk if package else None,
            "package_rule": value["completes_on"],
            "min_score": value["min_score"],
        }
    elif kind == "quiz":
        quiz = value["quiz"]
        title = quiz.title if quiz else str(_("Quiz"))
        extra = {"pass_required": value["pass_required"], "object_id": quiz.pk if quiz else None}
    else:
        title = value["title"]
        if kind == "document" and value["document"]:
            extra = {"object_id": value["document"].pk}
        elif kind == "reflection":
            extra = {"min_length": value["min_length"] or 0}
    return StepSpec(step_id=step_id, kind=kind, title=title, required=value["required"], **extra)
