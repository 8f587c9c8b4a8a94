"""The editor's "extra CSS" of a certificate design, checked with a real CSS parser.

A regular expression looking for `url(` is bypassed by CSS escapes (`u\\72 l(...)`), by
`image-set("...")` and by every other function that takes a URL, and the browser showing
the web certificate then fetches whatever they name. So the CSS is parsed (tinycss2, the
parser weasyprint itself uses) and checked against allow-lists: which rules, properties,
functions and tokens may appear. References are allowed only where the PDF fetcher would
serve them (our /static/ and /media/ files and data: URLs); anything not understood is
refused rather than guessed at.
"""

from __future__ import annotations

import tinycss2
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .fetcher import is_allowed_url

__all__ = ["css_problems"]

# Property names (after tinycss2 has read them) allowed in style rules and @page.
_PROPERTIES = frozenset(
    {
        "color",
        "opacity",
        "display",
        "visibility",
        "position",
        "top",
        "right",
        "bottom",
        "left",
        "inset",
        "z-index",
        "float",
        "clear",
        "width",
        "height",
        "min-width",
        "min-height",
        "max-width",
        "max-height",
        "box-sizing",
        "overflow",
        "object-fit",
        "object-position",
        "line-height",
        "letter-spacing",
        "word-spacing",
        "white-space",
        "vertical-align",
        "content",
        "quotes",
        "gap",
        "row-gap",
        "transform",
        "transform-origin",
        "box-shadow",
        "size",
        "page-break-before",
        "page-break-after",
        "page-break-inside",
        "break-before",
        "break-after",
        "break-inside",
        "orphans",
        "widows",
        "hyphens",
        "direction",
        "border-collapse",
        "border-spacing",
        "caption-side",
        "table-layout",
        "empty-cells",
        "counter-reset",
        "counter-increment",
        "order",
    }
)
_PROPERTY_PREFIXES = (
    "background",
    "margin",
    "padding",
    "border",
    "outline",
    "font",
    "text-",
    "list-style",
    "flex",
    "align-",
    "justify-",
    "place-",
    "grid",
    "column",
)
# @font-face describes one font file; these are its descriptors.
_FONT_FACE_DESCRIPTORS = frozenset(
    {"font-family", "src", "font-weight", "font-style", "font-stretch", "font-display"}
)
_FUNCTIONS = frozenset(
    {
        "url",  # its argument is checked like an unquoted url(...)
        "format",  # @font-face src: url(...) format("truetype")
        "rgb",
        "rgba",
        "hsl",
        "hsla",
        "hwb",
        "calc",
        "min",
        "max",
        "clamp",
        "linear-gradient",
        "radial-gradient",
        "repeating-linear-gradient",
        "repeating-radial-gradient",
        "counter",
        "counters",
        "translate",
        "translatex",
        "translatey",
        "rotate",
        "scale",
        "scalex",
        "scaley",
        "skew",
        "skewx",
        "skewy",
        "matrix",
        "repeat",
        "minmax",
    }
)
_SELECTOR_FUNCTIONS = frozenset(
    {
        "not",
        "is",
        "where",
        "nth-child",
        "nth-last-child",
        "nth-of-type",
        "nth-last-of-type",
        "lang",
    }
)
_VALUE_DELIMITERS = frozenset({",", "/", "+", "-", "*"})
_SELECTOR_DELIMITERS = frozenset({".", ",", ">", "+", "~", "*", ":", "|", "=", "^", "$", "-"})
# @page's margin boxes (@top-center { content: ... }).
_PAGE_MARGIN_BOXES = frozenset(
    f"{edge}-{place}"
    for edge, places in (
        ("top", ("left-corner", "left", "center", "right", "right-corner")),
        ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
        ("left", ("top", "middle", "bottom")),
        ("right", ("top", "middle", "bottom")),
    )
    for place in places
)
_OUR_FILES = gettext_lazy("Only /static/ and /media/ files and data: URLs can be used.")


def css_problems(css: str) -> list[str]:
    """What in `css` is not allowed, as messages for the editor (empty: the CSS is fine).

    Pure: parses and reads, touches nothing."""
    if not (css or "").strip():
        return []
    checker = _Checker()
    if "\\" in css:
        # Escapes are how a name hides from a reader that is not the browser's parser;
        # a certificate has no need of them.
        line = css[: css.index("\\")].count("\n") + 1
        checker.add(line, _("CSS escapes (backslashes) are not allowed."))
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    checker.rules(rules, top_level=True)
    return checker.problems


def _is_allowed_property(name: str) -> bool:
    return name in _PROPERTIES or name.startswith(_PROPERTY_PREFIXES)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, line: int | None, message: str) -> None:
        text = _("Line %(line)s: %(message)s") % {"line": line or 1, "message": message}
        if text not in self.problems:
            self.problems.append(text)

    # --- Rules ---------------------------------------------------------------------------

    def rules(self, rules, *, top_level: bool) -> None:
        for rule in rules:
            if rule.type == "error":
                self.add(rule.source_line, _("this could not be read as CSS."))
            elif rule.type == "qualified-rule":
                self.selector(rule.prelude)
                self.declarations(rule, rule.content, allowed=_is_allowed_property)
            elif rule.type == "at-rule":
                self.at_rule(rule, top_level=top_level)
            else:
                self.add(rule.source_line, _("this could not be read as CSS."))

    def at_rule(self, rule, *, top_level: bool) -> None:
        keyword = rule.lower_at_keyword
        if keyword == "import":
            self.add(
                rule.source_line,
                _("@import is not allowed (%(url)s): write the rules here instead. %(ours)s")
                % {"url": _first_reference(rule.prelude) or "?", "ours": _OUR_FILES},
            )
        elif keyword == "page" and top_level and rule.content is not None:
            self.selector(rule.prelude)
            self.declarations(rule, rule.content, allowed=_is_allowed_property, page=True)
        elif keyword == "font-face" and top_level and rule.content is not None:
            self.no_prelude(rule)
            self.declarations(rule, rule.content, allowed=_FONT_FACE_DESCRIPTORS.__contains__)
        elif keyword == "media" and top_level and rule.content is not None:
            self.media_query(rule.prelude)
            self.rules(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                top_level=False,
            )
        else:
            self.add(
                rule.source_line,
                _("@%(name)s is not allowed here. Use style rules, @page, @media or @font-face.")
                % {"name": keyword},
            )

    def declarations(self, rule, content, *, allowed, page: bool = False) -> None:
        if content is None:
            self.add(rule.source_line, _("this could not be read as CSS."))
            return
        for item in tinycss2.parse_blocks_contents(
            content, skip_comments=True, skip_whitespace=True
        ):
            if item.type == "declaration":
                if not allowed(item.lower_name):
                    self.add(
                        item.source_line,
                        _("the property “%(name)s” is not allowed.") % {"name": item.name},
                    )
                    continue
                self.value(item.value)
            elif item.type == "at-rule" and page and item.lower_at_keyword in _PAGE_MARGIN_BOXES:
                self.no_prelude(item)
                self.declarations(item, item.content, allowed=_is_allowed_property)
            elif item.type == "error":
                self.add(item.source_line, _("this could not be read as CSS."))
            else:
                self.add(item.source_line, _("rules inside rules are not allowed."))

    def no_prelude(self, rule) -> None:
        if _meaningful(rule.prelude):
            self.add(rule.source_line, _("this could not be read as CSS."))

    # --- Tokens --------------------------------------------------------------------------

    def value(self, tokens) -> None:
        for token in _meaningful(tokens):
            kind = token.type
            if kind in ("ident", "number", "percentage", "dimension", "hash", "string"):
                continue
            if kind == "unicode-range":
                continue
            if kind == "literal" and token.value in _VALUE_DELIMITERS:
                continue
            if kind == "url":
                self.reference(token, token.value)
            elif kind == "function":
                self.function(token)
            elif kind == "() block":
                self.value(token.content)
            elif kind == "error":
                self.add(token.source_line, _("this could not be read as CSS."))
            else:
                self.add(
                    token.source_line,
                    _("“%(text)s” is not allowed in a value.")
                    % {"text": tinycss2.serialize([token])[:40]},
                )

    def function(self, token) -> None:
        name = token.lower_name
        if name not in _FUNCTIONS:
            self.add(
                token.source_line,
                _("the function %(name)s() is not allowed.") % {"name": token.name},
            )
            return
        if name == "url":
            arguments = _meaningful(token.arguments)
            if len(arguments) == 1 and arguments[0].type == "string":
                self.reference(token, arguments[0].value)
            else:
                self.add(token.source_line, _("this could not be read as CSS."))
            return
        self.value(token.arguments)

    def reference(self, token, url: str) -> None:
        if not is_allowed_url(url.strip()):
            self.add(
                token.source_line,
                _("%(url)s would be left out of the PDF and not shown on the web. %(ours)s")
                % {"url": url, "ours": _OUR_FILES},
            )

    def selector(self, tokens) -> None:
        for token in _meaningful(tokens):
            kind = token.type
            if kind in ("ident", "hash", "string", "number", "dimension", "percentage"):
                continue
            if kind == "literal" and token.value in _SELECTOR_DELIMITERS:
                continue
            if kind == "[] block":
                self.selector(token.content)
            elif kind == "function" and token.lower_name in _SELECTOR_FUNCTIONS:
                self.selector(token.arguments)
            else:
                self.add(
                    token.source_line,
                    _("“%(text)s” is not allowed in a selector.")
                    % {"text": tinycss2.serialize([token])[:40]},
                )

    def media_query(self, tokens) -> None:
        for token in _meaningful(tokens):
            if token.type == "ident" or (token.type == "literal" and token.value == ","):
                continue
            if token.type == "() block" and all(
                part.type in ("ident", "number", "dimension", "percentage")
                or (part.type == "literal" and part.value in (":", "/"))
                for part in _meaningful(token.content)
            ):
                continue
            self.add(
                token.source_line,
                _("“%(text)s” is not allowed in a media query.")
                % {"text": tinycss2.serialize([token])[:40]},
            )


def _meaningful(tokens) -> list:
    return [token for token in tokens or () if token.type not in ("whitespace", "comment")]


def _first_reference(tokens) -> str:
    for token in _meaningful(tokens):
        if token.type in ("string", "url"):
            return token.value
        if token.type == "function" and token.lower_name == "url":
            return _first_reference(token.arguments)
    return ""
