"""StreamField blocks: the learning steps of a module and the questions of a quiz."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


def _required_block():
    return blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("Required for completing the module"),
    )


class LectureStepBlock(blocks.StructBlock):
    lecture = SnippetChooserBlock("modules.Lecture", label=_("Lecture"))
    required_share = blocks.IntegerBlock(
        default=90,
        min_value=1,
        max_value=100,
        label=_("Share that must be watched (%)"),
        help_text=_("Counted from the parts actually played; skipping ahead does not count."),
    )
    required = _required_block()

    class Meta:
        icon = "media"
        label = _("Lecture")
        template = "modules/blocks/lecture_step.html"


class ReadingStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    body = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "blockquote"],
        label=_("Text"),
    )
    required = _required_block()

    class Meta:
        icon = "doc-full"
        label = _("Reading")
        template = "modules/blocks/reading_step.html"


class DocumentStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.TextBlock(required=False, label=_("Description"))
    required = _required_block()

    class Meta:
        icon = "doc-full-inverse"
        label = _("Document")
        template = "modules/blocks/document_step.html"


class QuizStepBlock(blocks.StructBlock):
    quiz = SnippetChooserBlock("modules.Quiz", label=_("Quiz"))
    pass_required = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("A pass is required"),
        help_text=_("Otherwise submitting an attempt completes the step."),
    )
    required = _required_block()

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "modules/blocks/quiz_step.html"


class ReflectionStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, label=_("Title"))
    prompt = blocks.RichTextBlock(
        features=["bold", "italic", "ol", "ul", "link"], label=_("Prompt")
    )
    min_length = blocks.IntegerBlock(
        default=50, min_value=0, max_value=5000, label=_("Minimum answer length (characters)")
    )
    required = _required_block()

    class Meta:
        icon = "edit"
        label = _("Reflection")
        template = "modules/blocks/reflection_step.html"


class LiveSessionStepBlock(blocks.StructBlock):
    """A session of a live event: completed by attending it, or by watching its recording
    (attached to the session afterwards) to the required share."""

    event = blocks.PageChooserBlock(page_type="events.EventPage", label=_("Event"))
    session_number = blocks.IntegerBlock(
        default=1, min_value=1, max_value=50, label=_("Session (1 = the event's first)")
    )
    required_share = blocks.IntegerBlock(
        default=90,
        min_value=1,
        max_value=100,
        label=_("Share of the recording that must be watched (%)"),
    )
    required = _required_block()

    class Meta:
        icon = "date"
        label = _("Live session")
        template = "modules/blocks/live_session_step.html"


class PackageStepBlock(blocks.StructBlock):
    """A SCORM 1.2/2004 (or cmi5) package from the package library, played in the step
    page; what completes it is the editor's choice."""

    package = SnippetChooserBlock("packages.ContentPackage", label=_("Package"))
    completes_on = blocks.ChoiceBlock(
        choices=[
            ("completed", _("The package reports it completed")),
            ("passed", _("The package reports it passed")),
            ("min_score", _("A minimum score")),
        ],
        default="completed",
        label=_("Completed when"),
    )
    min_score = blocks.IntegerBlock(
        required=False,
        min_value=0,
        max_value=100,
        label=_("Minimum score (%)"),
        help_text=_("With \"A minimum score\": the lowest score that completes the step."),
    )
    required = _required_block()

    def clean(self, value):
        value = super().clean(value)
        if value["completes_on"] == "min_score" and value["min_score"] is None:
            raise StructBlockValidationError(
                block_errors={"min_score": ValidationError(_("Give the minimum score."))}
            )
        return value

    class Meta:
        icon = "folder-open-inverse"
        label = _("E-learning package (SCORM)")
        template = "modules/blocks/package_step.html"


class StepsBlock(blocks.StreamBlock):
    lecture = LectureStepBlock()
    reading = ReadingStepBlock()
    document = DocumentStepBlock()
    quiz = QuizStepBlock()
    reflection = ReflectionStepBlock()
    live_session = LiveSessionStepBlock()
    package = PackageStepBlock()


# --- Quiz questions -------------------------------------------------------------------


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500, label=_("Answer"))
    correct = blocks.BooleanBlock(required=False, default=False, label=_("Correct"))
    feedback = blocks.TextBlock(
        required=False, label=_("Feedback"), help_text=_("Shown after submission when chosen.")
    )

    class Meta:
        icon = "radio-full"
        label = _("Choice")


class _ChoiceQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Question"))
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=2, max_num=12, label=_("Choices"))
    explanation = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link"],
        label=_("Explanation"),
        help_text=_("Shown after submission."),
    )
    points = blocks.IntegerBlock(default=1, min_value=1, max_value=100, label=_("Points"))

    def _correct_count(self, value) -> int:
        return sum(1 for choice in value["choices"] if choice["correct"])


class SingleChoiceQuestionBlock(_ChoiceQuestionBlock):
    def clean(self, value):
        value = super().clean(value)
        if self._correct_count(value) != 1:
            raise StructBlockValidationError(
                block_errors={"choices": ValidationError(_("Mark exactly one choice as correct."))}
            )
        return value

    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceQuestionBlock(_ChoiceQuestionBlock):
    def clean(self, value):
        value = super().clean(value)
        if self._correct_count(value) < 1:
            raise StructBlockValidationError(
                block_errors={"choices": ValidationError(_("Mark at least one choice as correct."))}
            )
        return value

    class Meta:
        icon = "list-ul"
        label = _("Multiple choice")


class TrueFalseQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Statement"))
    correct_answer = blocks.ChoiceBlock(
        choices=[("true", _("True")), ("false", _("False"))], label=_("Correct answer")
    )
    feedback_true = blocks.TextBlock(required=False, label=_("Feedback when answering true"))
    feedback_false = blocks.TextBlock(required=False, label=_("Feedback when answering false"))
    explanation = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link"], label=_("Explanation")
    )
    points = blocks.IntegerBlock(default=1, min_value=1, max_value=100, label=_("Points"))

    class Meta:
        icon = "help"
        label = _("True or false")


class QuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()

    class Meta:
        min_num = 1
