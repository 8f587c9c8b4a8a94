"""Every table on the learner-facing pages (the templates that extend base.html) sits in a
scroll region made by `{% scroll_region %}`: it scrolls inside its own box on a narrow
screen and the keyboard can reach it. No template writes the box by hand."""

import re
from pathlib import Path

from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "static", "tests"}


def site_templates() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if not SKIP & set(path.relative_to(ROOT).parts)
        and '{% extends "wagtail_learning/base.html" %}' in path.read_text(encoding="utf-8")
    ]


def test_every_table_of_a_site_page_is_in_a_scroll_region():
    templates = site_templates()
    assert len(templates) > 20  # the scan finds the site's templates
    unwrapped = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        if 'class="table-scroll"' in text:
            unwrapped.append(f"{path.relative_to(ROOT)}: a hand-made .table-scroll")
        # Outside the regions, no table is left.
        outside = re.sub(r"{% scroll_region .*?{% endscroll_region %}", "", text, flags=re.S)
        if "<table" in outside:
            unwrapped.append(f"{path.relative_to(ROOT)}: a table outside {{% scroll_region %}}")
    assert unwrapped == []


def test_the_region_is_focusable_and_named_by_its_caption():
    html = Template(
        '{% load site_tags %}{% scroll_region "cap" %}<table><caption id="cap">X</caption>'
        "</table>{% endscroll_region %}"
    ).render(Context())
    assert html == (
        '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="cap">'
        '<table><caption id="cap">X</caption></table></div>'
    )
