"""What a course or module really contained, in words a certificate can print.

The default certificate used to say "lecture, reading, reflection and knowledge test" for
every module, whatever it held (issue 21). Now the kinds of the required steps are frozen on
the certificate when it is issued (`Certificate.contents`, in the order they first appear)
and put into words when it is rendered, in the certificate's language: the placeholders
`{contents}` (the design's language) and `{contents_en}` (English, for bilingual designs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import translation
from django.utils.translation import gettext, ngettext

# The kinds a certificate can name, in the engine's words (lms.protocols.StepSpec.kind).
# A kind the list does not know (a step type added later) is named by the fallback.
_NAMES = {
    "lecture": lambda n: ngettext("recorded lecture", "recorded lectures", n),
    "live_session": lambda n: ngettext("live session", "live sessions", n),
    "reading": lambda n: ngettext("reading", "readings", n),
    "document": lambda n: ngettext("document", "documents", n),
    "reflection": lambda n: ngettext("written reflection", "written reflections", n),
    "quiz": lambda n: ngettext("knowledge test", "knowledge tests", n),
    "package": lambda n: ngettext("e-learning package", "e-learning packages", n),
}


def step_kinds(page) -> list[list]:
    """[kind, count] of the required steps of a module, or of a course's modules, in the
    order each kind first appears. `page` is a learning module or course (lms protocols)."""
    modules = page.get_lms_modules() if hasattr(page, "get_lms_modules") else [page]
    counts: dict[str, int] = {}
    for module in modules:
        for spec in module.get_lms_steps():
            if spec.required:
                counts[spec.kind] = counts.get(spec.kind, 0) + 1
    return [[kind, count] for kind, count in counts.items()]


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    # Translators: joins the last two items of a list: "lectures, reading and a quiz".
    return gettext("%(items)s and %(last)s") % {
        "items": ", ".join(words[:-1]),
        "last": words[-1],
    }


def describe(kinds: Iterable[Sequence], language: str) -> str:
    """The contents in words, in `language`: "inspelade föreläsningar, läsning och
    kunskapstest". Nothing recorded (a certificate issued before contents were kept):
    a neutral phrase that claims nothing."""
    with translation.override(language):
        words = [_NAMES[kind](count) for kind, count in kinds if kind in _NAMES]
        if not words:
            return gettext("the parts of the training")
        return _join(words)
