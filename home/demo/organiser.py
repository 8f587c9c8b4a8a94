"""The demo's organiser (issue 25: every role in the accessibility suite has its own account):
`arrangor`, who works at Länsstyrelsen i Uppsala län, one of the three county boards that
organise the network meeting. They edit the calendar's events (page permissions on the
events index, nothing else in the page tree) and coordinate their county board, which has
no staff on the platform: so they run the network meeting (every participant, attendance,
the meeting tool's report, cancelling) and see no one's training. Not a course editor (no
permission on the catalogue, lectures or quizzes), not HR (no compliance permission).

Runs after the events exist (home.demo.events). Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from home.management import demo_content as content
from wagtail_learning.events.api import EventIndexPage
from wagtail_learning.org.api import Organisation, ReportingScope

USERNAME = "arrangor"
FIRST_NAME, LAST_NAME = "Ingrid", "Mattsson"
ORGANISATION = "Länsstyrelsen i Uppsala län"
GROUP = "Evenemang Länsstyrelsen i Uppsala län"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def accounts() -> list[tuple[str, str]]:
    """The account this part of the demo signs in with, and what it shows."""
    return [
        (
            USERNAME,
            f"event organiser at {ORGANISATION}: edits the calendar's events, runs the "
            "network meeting (participants, attendance); no courses, no HR",
        )
    ]


def seed_organiser(note) -> None:
    index = EventIndexPage.objects.order_by("path").first()
    county = Organisation.get_root_nodes().filter(name=ORGANISATION).first()
    if index is None or county is None:  # the events were not built
        return
    group, created = Group.objects.get_or_create(name=GROUP)
    note("groups", GROUP, created=created)
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    if not group.permissions.filter(pk=access.pk).exists():
        group.permissions.add(access)
    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    ReportingScope.objects.get_or_create(group=group, unit=county)

    user = get_user_model().objects.filter(username=USERNAME).first()
    created = user is None
    if created:
        user = get_user_model()(
            username=USERNAME,
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            email=f"{USERNAME}@{content.EMAIL_DOMAIN}",
        )
        user.set_password(content.DEMO_PASSWORD)
        user.save()
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    note("users", USERNAME, created=created)
