"""The owner's pages about a shared course, and their exports, show another organisation's
figures only for groups of at least k people and periods of at least a month (decision
0034); the hand-counted world of tests/sharing_world.py, where Järfälla has four people."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests import sharing_world
from tests.factories import in_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    return sharing_world.build()


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_owners_figures_and_exports_show_a_mark_for_a_small_group(w, client):
    client.force_login(w.hr["S"])
    url = reverse("hr_shared_course", args=[w.course.pk])
    page = body(client.get(url)).decode()  # Swedish, the site's language
    assert "färre än 5" in page and "visas inte" in page
    in_english(client)
    page = body(client.get(url)).decode()
    figures = page.split('data-testid="shared-figures"')[1].split("</table>")[0]
    assert figures.count("fewer than 5") == 1 and "Fewer than 5" in page  # the row, the note
    small, hidden = ["fewer than 5"] * 6, ["not shown"] * 6
    assert csv_rows(client.get(url, {"export": "csv"}))[1:] == [
        ["Sundbybergs stad", "3", "2", "66,7", "0", "0", "1"],
        ["Järfälla kommun", *small],
        ["Total (each person once)", *hidden],
    ]
    rows = xlsx_rows(client.get(url, {"export": "xlsx"}))
    header = next(i for i, row in enumerate(rows) if row[0] == "Organisation")
    assert rows[header + 2 :] == [
        ["Järfälla kommun", *small],
        ["Total (each person once)", *hidden],
    ]


def test_the_programme_report_refuses_a_day_and_withholds_a_small_group(w, client, time_machine):
    client.force_login(w.hr["S"])
    in_english(client)
    url = reverse("hr_programme_report", args=[w.course.pk])
    for params in (
        {"start": "2026-03-06", "end": "2026-03-06"},
        {"start": "2026-03-06", "end": "2026-03-06", "export": "csv"},
        {"start": "2026-03-06", "end": "2026-03-06", "export": "xlsx"},
    ):
        response = client.get(url, params)
        assert response.status_code == 400
        assert "at least a month" in body(response).decode()
    # The page says so in the admin, beside the dates it can correct: not a bare text page.
    page = client.get(url, {"start": "2026-03-06", "end": "2026-03-06"}).content.decode()
    assert 'role="alert"' in page and 'name="start"' in page and 'value="2026-03-06"' in page
    assert 'data-testid="programme-report"' not in page
    backwards = client.get(url, {"start": "2026-03-31", "end": "2026-03-01"})
    assert backwards.status_code == 400 and 'name="end"' in backwards.content.decode()
    # The page's own default period is long enough, even early in January.
    time_machine.move_to(timezone.make_aware(datetime(2027, 1, 5, 9, 0)), tick=False)
    client.force_login(w.hr["S"])  # a session of that day
    assert client.get(url).status_code == 200
    time_machine.move_to(sharing_world.NOW, tick=False)
    client.force_login(w.hr["S"])

    march = {"start": "2026-03-01", "end": "2026-03-31"}
    small, hidden = ["fewer than 5"] * 5, ["not shown"] * 5
    assert csv_rows(client.get(url, {**march, "export": "csv"}))[1:] == [
        ["Sundbybergs stad", "2", "2", "2,5", "2026-03-02", "2026-03-12"],
        ["Järfälla kommun", *small],
        ["Total (each person once)", *hidden],
    ]
    rows = xlsx_rows(client.get(url, {**march, "export": "xlsx"}))
    header = next(i for i, row in enumerate(rows) if row[0] == "Organisation")
    assert rows[header + 2 :] == [
        ["Järfälla kommun", *small],
        ["Total (each person once)", *hidden],
    ]
    page = body(client.get(url, march)).decode()
    assert "fewer than 5" in page and "not shown" in page


def test_the_owners_forecast_withholds_a_small_organisation_and_what_gives_it_back(
    w, client, settings
):
    """Issue 24: the forecast per organisation on the owner's page follows decision 0034:
    Järfälla's four people read "färre än 5", the total "visas inte"; with k = 4 they show
    (Sven of Sundbyberg is due on 31 March: within 30 days)."""
    client.force_login(w.hr["S"])
    url = reverse("hr_shared_course", args=[w.course.pk])
    forecast = client.get(url).context["forecast"]
    sundbyberg, jarfalla = forecast.rows
    assert (sundbyberg.audience, sundbyberg.due_30, sundbyberg.lapse_90) == (3, 1, 0)
    assert str(jarfalla.audience) == "färre än 5" and jarfalla.due_90 is jarfalla.withheld
    assert str(forecast.total.audience) == "visas inte"
    table = body(client.get(url)).decode().split('data-testid="shared-forecast"')[1]
    assert "färre än 5" in table.split("</table>")[0]

    settings.LMS_MIN_GROUP_SIZE = 4
    forecast = client.get(url).context["forecast"]
    assert [(r.audience, r.due_30, r.lapse_90) for r in forecast.rows] == [(3, 1, 0), (4, 0, 0)]
    assert forecast.total.audience == 6 and forecast.withheld is None
