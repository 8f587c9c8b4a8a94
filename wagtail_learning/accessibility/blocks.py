"""The statement's known barriers: what, why, and the plan for each."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .vocabulary import BarrierReason


class BarrierBlock(blocks.StructBlock):
    what = blocks.TextBlock(
        label=_("What is not accessible"),
        help_text=_("Describe the barrier as a user meets it, e.g. where and for whom."),
    )
    requirement = blocks.CharBlock(
        label=_("Requirement not met"),
        required=False,
        help_text=_("E.g. WCAG 2.1 success criterion 1.3.1 Info and relationships."),
    )
    reason = blocks.ChoiceBlock(
        label=_("Why"), choices=BarrierReason.choices, default=BarrierReason.NON_COMPLIANCE
    )
    plan = blocks.TextBlock(
        label=_("What we do about it"),
        required=False,
        help_text=_("The plan, or why fixing it would be a disproportionate burden."),
    )
    fixed_by = blocks.DateBlock(label=_("To be fixed by"), required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        reason = value.get("reason")
        context["reason_label"] = BarrierReason(reason).label if reason else ""
        return context

    class Meta:
        icon = "warning"
        label = _("Known barrier")
        template = "accessibility/blocks/barrier.html"
