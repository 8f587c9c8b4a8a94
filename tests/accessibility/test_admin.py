"""The barrier reports in the admin: listed with their handling for superusers and those
given the permission, refused to other admin users; the handling is set there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import SuperuserFactory, UserFactory
from wagtail_learning.accessibility.api import BarrierReport, ReportStatus

pytestmark = pytest.mark.django_db

INDEX = "accessibility_barrierreport:index"


def refused(response) -> bool:
    """Wagtail answers a missing permission with a redirect to the dashboard (and a
    message), or a 403."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def admin_user(*codenames: str, **kwargs):
    user = UserFactory(**kwargs)
    group = Group.objects.create(name=f"Grupp {user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return user


@pytest.fixture
def reports():
    return [
        BarrierReport.objects.create(
            description="Videospelarens knappar saknar namn.", page_url="/kurser/",
            contact_email="sara@example.se",
        ),
        BarrierReport.objects.create(description="Kontrasten i sidfoten är för svag."),
    ]  # fmt: skip


def test_those_given_the_permission_see_the_reports_with_their_status(client, reports):
    client.force_login(admin_user("view_barrierreport", "change_barrierreport"))

    response = client.get(reverse(INDEX))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Videospelarens knappar saknar namn." in html
    assert "Kontrasten i sidfoten är för svag." in html
    assert "Ny" in html
    # Reports come from the public form: nobody adds one here.
    assert reverse("accessibility_barrierreport:add") not in html
    assert refused(client.get(reverse("accessibility_barrierreport:add")))


def test_an_editor_without_the_permission_neither_sees_nor_opens_them(client, reports):
    client.force_login(admin_user("add_page", username="redaktor"))

    pk = reports[0].pk
    assert refused(client.get(reverse(INDEX)))
    assert refused(client.get(reverse("accessibility_barrierreport:edit", args=[pk])))
    assert refused(client.get(reverse("accessibility_barrierreport:inspect", args=[pk])))
    assert refused(
        client.post(reverse("accessibility_barrierreport:edit", args=[pk]), {"status": "fixed"})
    )
    reports[0].refresh_from_db()
    assert reports[0].status == ReportStatus.NEW
    assert reverse(INDEX) not in client.get("/admin/").content.decode()


def test_the_menu_shows_the_reports_to_a_superuser(client, reports):
    client.force_login(SuperuserFactory())

    assert reverse(INDEX) in client.get("/admin/").content.decode()
    assert client.get(reverse(INDEX), {"status": "new"}).status_code == 200


def test_handling_a_report_records_when_it_was_closed_and_reopening_clears_it(client, reports):
    report = reports[0]
    client.force_login(admin_user("view_barrierreport", "change_barrierreport"))
    url = reverse("accessibility_barrierreport:edit", args=[report.pk])
    page = client.get(url).content.decode()
    assert "Videospelarens knappar saknar namn." in page  # shown beside the handling

    response = client.post(url, {"status": "fixed", "note": "Knapparna har fått namn."})

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.note) == (ReportStatus.FIXED, "Knapparna har fått namn.")
    assert report.closed_at is not None
    assert report.description == "Videospelarens knappar saknar namn."  # not editable
    assert report.contact_email == "sara@example.se"

    client.post(url, {"status": "in_progress", "note": "Öppnad igen."})
    report.refresh_from_db()
    assert (report.status, report.closed_at) == (ReportStatus.IN_PROGRESS, None)


def test_an_unknown_status_is_a_message_not_a_500(client, reports):
    client.force_login(SuperuserFactory())
    url = reverse("accessibility_barrierreport:edit", args=[reports[0].pk])

    response = client.post(url, {"status": "glömd", "note": ""})

    assert response.status_code == 200  # the form again, with its error
    assert "Välj ett giltigt alternativ" in response.content.decode()
    reports[0].refresh_from_db()
    assert reports[0].status == ReportStatus.NEW
