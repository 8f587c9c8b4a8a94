"""Swedish throughout: every message our own code and templates mark for translation has a
Swedish translation in wagtail_learning/locale/sv/LC_MESSAGES/django.po (present, not
empty, not fuzzy, so compilemessages keeps it). A new string without one fails here, not in
front of a user.

The messages are found as makemessages finds them (Python calls of the gettext family with
a literal; templates through Django's own templatize), without rewriting the .po file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "wagtail_learning" / "locale" / "sv" / "LC_MESSAGES" / "django.po"
# Our apps; tests, the virtualenv and third-party code are not ours to translate.
SOURCES = ["wagtail_learning", "config", "home", "templates"]
FUNCTIONS = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
    "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip


def po_entries(text: str) -> dict[tuple[str | None, str], list[str]]:
    """{(context, msgid): [msgstr, …]} of the live entries; a fuzzy one has no msgstr."""
    entries = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if not fields.get("msgid"):
            continue  # the header
        unescape = lambda s: ast.literal_eval(f'"{s}"')  # noqa: E731
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        translations = [unescape(v) for k, v in fields.items() if k.startswith("msgstr")]
        context = unescape(fields["msgctxt"]) if "msgctxt" in fields else None
        entries[(context, unescape(fields["msgid"]))] = [] if fuzzy else translations
    return entries


def _calls(source: str):
    """Each gettext-family call with literal arguments in Python source."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name not in FUNCTIONS or not node.args:
            continue
        args = node.args
        context = None
        if name.startswith(("pgettext", "npgettext")):
            if not (isinstance(args[0], ast.Constant) and len(args) > 1):
                continue
            context, args = args[0].value, args[1:]
        if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            yield context, args[0].value


def _template_calls(text: str, origin: str):
    """templatize turns a template into gettext calls among filler; parse each call."""
    converted = templatize(text, origin=origin)
    for match in re.finditer(r"\b(?:np|n|p)?gettext\(", converted):
        end = match.end()
        while (end := converted.find(")", end) + 1) > 0:
            try:
                tree = ast.parse(converted[match.start() : end])
            except SyntaxError:
                continue
            yield from _calls(ast.unparse(tree))
            break


def used_messages() -> dict[tuple[str | None, str], str]:
    found = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            where = str(path.relative_to(ROOT))
            if "migrations" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                calls = _calls(path.read_text(encoding="utf-8"))
            elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
                calls = _template_calls(path.read_text(encoding="utf-8"), where)
            else:
                continue
            for key in calls:
                found.setdefault(key, where)
    return found


def test_every_entry_of_the_swedish_catalogue_is_translated():
    entries = po_entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 1000
    untranslated = [msgid for (_c, msgid), strs in entries.items() if not all(strs) or not strs]
    assert untranslated == []


def test_every_message_our_code_uses_has_a_swedish_translation():
    entries = po_entries(PO.read_text(encoding="utf-8"))
    used = used_messages()
    assert len(used) > 1000  # the scan finds the code's messages
    # The scanner sees what makemessages sees: a blocktranslate, an admin view's message.
    assert (None, 'You are registered for "%(title)s".') in used
    missing = sorted(
        f"{where}: {msgid!r}"
        for key, where in used.items()
        if not entries.get(key)
        for msgid in [key[1]]
    )
    assert missing == []


# Django's "M" is "Jan", "Mar", "Apr", "Aug" in Swedish too: English to a Swedish reader.
# "N" gives Swedish abbreviations ("jan", "mars", "maj", "aug.").
ENGLISH_LOOKING_MONTH = re.compile(
    r"""(?:\|date:|date_format\([^,()]+,\s*)(["'])(?:(?!\1).)*(?<!\\)\bM\b(?:(?!\1).)*\1"""
)


def test_no_date_is_formatted_with_english_looking_month_abbreviations():
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ENGLISH_LOOKING_MONTH.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
