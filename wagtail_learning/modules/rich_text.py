"""Document links inside a step's rich text point at the module's access-checked route.

Wagtail's own document URL refuses course documents to learners (see
`keep_course_documents_behind_their_modules`), so a link an editor put into a reading
answered 403 to everyone enrolled. While a step's rich text is rendered
(`step_rich_text`), document links point at the module's route for that step, which checks
access like every other file of the module. Elsewhere they stay Wagtail's links.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.utils.html import escape
from wagtail import hooks
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import FIND_A_TAG, extract_attrs

_rendering_step: ContextVar[tuple | None] = ContextVar("rendering_step", default=None)


def linked_document_url(page, step_id: str, document_id: int) -> str:
    return page.url + page.reverse_subpage("linked_document", args=[step_id, document_id])


class ModuleDocumentLinkHandler(DocumentLinkHandler):
    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        where = _rendering_step.get()
        if where is None:
            return super().expand_db_attributes_many(attrs_list)
        page, step_id = where
        return [
            f'<a href="{escape(linked_document_url(page, step_id, doc.pk))}">' if doc else "<a>"
            for doc in cls.get_many(attrs_list)
        ]


@hooks.register("register_rich_text_features", order=100)  # after wagtail.documents
def register_module_document_links(features):
    features.register_link_type(ModuleDocumentLinkHandler)


def render_step_rich_text(value, *, page, step_id: str) -> str:
    """`value` (RichText, or its stored HTML) as HTML, its document links pointing at
    `page`'s route for the step."""
    source = value.source if isinstance(value, RichText) else str(value or "")
    token = _rendering_step.set((page, step_id))
    try:
        return RichText(source).__html__()
    finally:
        _rendering_step.reset(token)


def documents_linked_in(block) -> set[int]:
    """Ids of the documents linked in the rich text of a step (a StreamField child)."""
    ids = set()
    values = block.value.values() if hasattr(block.value, "values") else [block.value]
    for value in values:
        if not isinstance(value, RichText):
            continue
        for match in FIND_A_TAG.finditer(value.source):
            attrs = extract_attrs(match.group(1))
            if attrs.get("linktype") == "document":
                with contextlib.suppress(KeyError, ValueError):
                    ids.add(int(attrs["id"]))
    return ids
