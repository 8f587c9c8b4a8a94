"""The design's extra CSS is read by a CSS parser and checked against allow-lists, so a
reference to another host cannot hide behind escapes, comments or URL-taking functions
(the web certificate would fetch it); what an editor legitimately writes still passes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.factories import CertificateDesignFactory, SuperuserFactory, in_english
from wagtail_learning.certificates.css import css_problems
from wagtail_learning.certificates.rendering import WeasyPrintRenderer, certificate_context

from .test_admin_views import design_form_data


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


BYPASSES = {
    # Escapes: what the old regular expression could not see.
    "escaped url": r".a { background: u\72 l(https://evil.example/x.png) }",
    "escaped first letter": r".a { background: \75 rl(https://evil.example/x.png) }",
    "escape inside the address": r".a { background: url(\68ttps://evil.example/x.png) }",
    "escaped @import": r'@\69mport "https://evil.example/x.css";',
    "escaped property": r".a { backgr\6f und: url(https://evil.example/x.png) }",
    # Functions that take a URL without being url().
    "image-set": '.a { background-image: image-set("https://evil.example/x.png" 1x) }',
    "webkit image-set": ".a { background-image: -webkit-image-set(url(/static/x.png) 1x) }",
    "src()": '.a { background-image: src("https://evil.example/x.png") }',
    "image()": '.a { background-image: image("https://evil.example/x.png") }',
    "cross-fade": ".a { background-image: cross-fade(url(/static/a.png), url(/static/b.png)) }",
    "expression()": ".a { width: expression(alert(1)) }",
    "var() from a custom property": (
        ".a { --x: url(https://evil.example/x.png) } .b { background: var(--x) }"
    ),
    # url() in every spelling.
    "url without quotes": ".a { background: url(https://evil.example/x.png) }",
    "uppercase URL": ".a { background: URL(https://evil.example/x.png) }",
    "mixed case, quoted": '.a { background: Url( "https://evil.example/x.png" ) }',
    "protocol-relative": ".a { background: url(//evil.example/x.png) }",
    "list-style-image": ".a { list-style: url(https://evil.example/x.png) }",
    "content": '.a::before { content: url("https://evil.example/x.png") }',
    "border-image": ".a { border-image: url(https://evil.example/x.png) 30 }",
    "url left open": ".a { background: url(https://evil.example/x.png",
    # At-rules.
    "@import": '@import "https://evil.example/x.css";',
    "@import url()": "@import url(https://evil.example/x.css);",
    "@import of our own file": '@import "/static/wagtail_learning/css/site.css";',
    "@import with a comment": '@im/**/port "https://evil.example/x.css";',
    "@font-face elsewhere": "@font-face { font-family: X; src: url(https://evil.example/x.woff) }",
    "@media holding a url": "@media print { .a { background: url(https://evil.example/x.png) } }",
    "@supports": "@supports (display: grid) { .a { background: url(/static/x.png) } }",
    "@namespace": '@namespace svg "http://www.w3.org/2000/svg";',
    "@charset": '@charset "utf-8";',
    # Properties that run or fetch things.
    "behavior": ".a { behavior: url(/static/x.htc) }",
    "-moz-binding": ".a { -moz-binding: url(https://evil.example/x.xml#x) }",
    # Comments do not hide anything from a parser...
    "url after a comment": ".a { background: /* plain */ url(https://evil.example/x.png) }",
    # ...and structure that is not plain rules is refused rather than guessed at.
    "nested rule": ".a { .b { background: url(https://evil.example/x.png) } }",
    "closing the style element": "</style><script>alert(1)</script>",
}


@pytest.mark.parametrize("css", BYPASSES.values(), ids=BYPASSES.keys())
def test_references_to_other_hosts_cannot_sneak_through(css):
    problems = css_problems(css)

    assert problems, css
    assert all(problem.startswith("Line ") for problem in problems)


@pytest.mark.parametrize(
    "css, words",
    [
        (r".a { color: r\65 d }", "backslashes"),
        ('.a { background-image: image-set("x.png" 1x) }', "image-set()"),
        (".a { width: expression(alert(1)) }", "expression()"),
        (".a { behavior: url(/static/x.htc) }", "“behavior”"),
        ("@import url(https://evil.example/x.css);", "@import"),
        ("@supports (display: grid) {}", "@supports"),
        (".a { background: url(https://evil.example/x.png) }", "https://evil.example/x.png"),
        (".a { .b { color: red } }", "rules inside rules"),
    ],
)
def test_each_problem_says_what_and_where(css, words):
    [problem] = css_problems(css)

    assert problem.startswith("Line 1: ")
    assert words in problem


def test_the_line_of_the_problem_is_named():
    css = ".a { color: red }\n\n.b {\n  background: url(https://evil.example/x.png);\n}"

    assert css_problems(css) == [
        "Line 4: https://evil.example/x.png would be left out of the PDF and not shown on "
        "the web. Only /static/ and /media/ files and data: URLs can be used."
    ]


ALLOWED = {
    "font from static": (
        '@font-face { font-family: X; src: url("/static/wagtail_learning/fonts/DejaVuSans.ttf") '
        'format("truetype"); font-weight: bold; }'
    ),
    "media image with the background shorthand": (
        ".sheet { background: url(/media/images/paper.png) no-repeat center / cover; }"
    ),
    "data URL": ".b { background: url('data:image/png;base64,iVBORw0KGgo='); }",
    "page and a margin box": (
        "@page { size: A4 landscape; margin: 10mm; @bottom-center { content: counter(page); } }"
    ),
    "selectors and shorthands": (
        'h1, .name > span:not(.x), .a[lang="sv"]::before { color: #083d6d !important; '
        'font: bold 24pt/1.2 "Cert Serif", serif; content: "Intyg"; }'
    ),
    "print media": "@media print and (min-width: 100mm) { .sheet { border: none; } }",
    "functions": (
        ".sheet { background: linear-gradient(to right, rgba(0, 0, 0, .1), transparent 50%); "
        "transform: rotate(2deg); width: calc(100% - 2mm); }"
    ),
    "comments": "/* Kommunens färger */ .title { color: hsl(210 80% 30%); /* blå */ }",
    "empty": "   ",
}


@pytest.mark.parametrize("css", ALLOWED.values(), ids=ALLOWED.keys())
def test_what_editors_write_still_passes(css):
    assert css_problems(css) == []


@pytest.mark.django_db
def test_the_model_refuses_the_escape_bypass_with_a_message_on_the_field():
    design = CertificateDesignFactory.build(
        extra_css=r".sheet { background: u\72 l(https://evil.example/x.png) }"
    )

    with pytest.raises(ValidationError) as raised:
        design.full_clean()

    assert raised.value.message_dict["extra_css"] == [
        "Line 1: CSS escapes (backslashes) are not allowed.",
        # tinycss2 reads the escape as the browser does, so the URL is named too.
        "Line 1: https://evil.example/x.png would be left out of the PDF and not shown on "
        "the web. Only /static/ and /media/ files and data: URLs can be used.",
    ]


@pytest.mark.django_db
def test_the_design_form_shows_the_problems(client):
    client.force_login(SuperuserFactory())
    client = in_english(client)
    url = reverse("wagtailsnippets_certificates_certificatedesign:add")

    response = client.post(
        url,
        design_form_data(
            extra_css='.sheet { background-image: image-set("https://evil.example/x.png" 1x) }'
        ),
    )

    assert response.status_code == 200  # the form again, not a redirect
    html = response.content.decode()
    assert "Line 1: the function image-set() is not allowed." in html


@pytest.mark.django_db
def test_the_web_certificate_leaves_out_css_saved_before_the_check(certified, learner, complete):
    certified.design.extra_css = r".sheet { background: u\72 l(https://evil.example/x.png) }"
    certified.design.save()  # past clean(), as a design saved before this check was
    certified.design.save_revision(clean=False)
    certificate = complete(learner, certified)

    page = render_to_string(WeasyPrintRenderer.template_name, certificate_context(certificate))

    assert "evil.example" not in page


@pytest.mark.django_db
def test_the_web_certificate_keeps_css_that_passes(certified, learner, complete):
    certified.design.extra_css = ".sheet { border-color: #abcdef; }"
    certified.design.save()
    certified.design.save_revision()
    certificate = complete(learner, certified)

    page = render_to_string(WeasyPrintRenderer.template_name, certificate_context(certificate))

    assert ".sheet { border-color: #abcdef; }" in page
