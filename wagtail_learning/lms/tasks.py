"""django-q2 task entry points of the engine. Each is idempotent."""

from wagtail.models import Page

from .completion import recompute_completions


def recompute_completions_task(page_id: int) -> int:
    page = Page.objects.filter(pk=page_id).first()
    return recompute_completions(page.specific) if page is not None else 0
