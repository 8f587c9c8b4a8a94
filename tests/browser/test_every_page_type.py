"""Every page type of the project is opened by the accessibility suite or excluded with a
reason (tests/browser/pages.py): a new view, viewset or page route fails here until it is."""

from .pages import checked_page_types, exclusion_reason, page_types


def test_every_page_type_is_checked_or_excluded_with_a_reason():
    forgotten = sorted(
        name
        for name in page_types()
        if name not in checked_page_types() and exclusion_reason(name) is None
    )
    assert forgotten == [], (
        "Page types the accessibility suite neither opens nor excludes "
        "(tests/browser/pages.py: add them to a role's pages, or to EXCLUDED with why):\n"
        + "\n".join(forgotten)
    )


def test_the_list_names_no_page_type_that_does_not_exist():
    """A renamed view must not leave a stale entry that checks nothing."""
    known = page_types() | {
        # Wagtail's own admin pages that editors use, opened on purpose.
        "wagtailadmin_pages:edit",
        "wagtailadmin_explore",
    }
    assert sorted(checked_page_types() - known) == []


def test_every_barrier_the_suite_allows_is_listed_in_the_demo_statement():
    """What the suite lets pass inside Wagtail's admin is a known barrier the statement
    names (decision 0038): by its WCAG success criterion."""
    from home.demo.accessibility import BARRIERS

    from .a11y import KNOWN_WAGTAIL_BARRIERS

    stated = " ".join(barrier["requirement"] for barrier in BARRIERS)
    criteria = {barrier.criterion for barrier in KNOWN_WAGTAIL_BARRIERS} | {"1.4.10"}
    assert sorted(c for c in criteria if f" {c} " not in f" {stated} ") == []
