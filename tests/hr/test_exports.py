"""CSV and XLSX exports of the matrix and the people list: the page's figures, spreadsheet
formulas neutralised, streamed, and each export in Wagtail's audit log."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from tests.factories import in_english, org_unit, staff_member
from tests.hr.conftest import NOW

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/hr/compliance/"
EVIL = ['=HYPERLINK("http://evil")', "+cmd", "@SUM(1)", "-1+1"]


@pytest.fixture
def hr_client(client, hr_a, frozen):
    client.force_login(hr_a)
    return in_english(client)


def people_url(unit, course) -> str:
    return reverse("hr_unit_people", args=[unit.pk, course.pk])


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_workbook(response):
    assert isinstance(response, StreamingHttpResponse)
    assert "spreadsheetml" in response["Content-Type"]
    return load_workbook(io.BytesIO(body(response))).active


def read_xlsx(response):
    """The header and the rows (the title lines above them left out)."""
    sheet = read_workbook(response)
    rows = [list(row) for row in sheet.iter_rows()]
    header_row = int(sheet.auto_filter.ref.split(":")[0][1:])
    return rows[header_row - 1 :]


def values(rows) -> list[list]:
    return [[cell.value for cell in row] for row in rows]


# --- The matrix ------------------------------------------------------------------------------


def expected_matrix_rows(matrix) -> list[list]:
    rows = []
    for row in [*matrix.rows, matrix.total]:
        label = f"Directly in {row.label}" if row.direct else row.label or "Total"
        cells = [label]
        for course in matrix.courses:
            cell = row.cells[course.course_id]
            share = round(cell.share) if cell.share is not None else None
            cells += [
                cell.audience,
                cell.compliant,
                share,
                cell.target,
                cell.overdue,
                cell.not_due,
                cell.in_progress,
            ]
        rows.append(cells)
    return rows


def test_the_matrix_csv_has_the_figures_of_the_page(hr_client, world):
    page = hr_client.get(DASHBOARD)
    rows = read_csv(hr_client.get(DASHBOARD, {"export": "csv"}))

    assert rows[0] == [
        "Unit",
        "Brandskydd: audience",
        "compliant",
        "share (%)",
        "target (%)",
        "overdue",
        "not yet due",
        "in progress",
        "Likabehandling: audience",
        "compliant",
        "share (%)",
        "target (%)",
        "overdue",
        "not yet due",
        "in progress",
    ]
    expected = [
        ["" if v is None else str(v) for v in row]
        for row in expected_matrix_rows(page.context["matrix"])
    ]
    assert rows[1:] == expected
    # And against the hand count (conftest.py): Förvaltning 1, then the total. Unit; then
    # per course: audience, compliant, share (whole %), target, overdue, not yet due, in
    # progress.
    assert rows[1][0] == "Förvaltning 1"
    assert rows[1][1:8] == ["7", "1", "14", "50", "1", "5", "1"]  # Brandskydd
    assert rows[1][8:] == ["7", "3", "43", "60", "2", "2", "1"]  # Likabehandling
    assert rows[-1][0] == "Total"
    assert rows[-1][8:] == ["13", "6", "46", "60", "2", "5", "2"]


def test_the_matrix_xlsx_has_the_figures_of_the_page_as_numbers(hr_client, world):
    query = {"unit": world.units.f1.pk}
    page = hr_client.get(DASHBOARD, query)
    rows = values(read_xlsx(hr_client.get(DASHBOARD, {**query, "export": "xlsx"})))

    assert rows[0][0] == "Unit" and rows[0][1] == "Brandskydd: audience"
    assert rows[1:] == expected_matrix_rows(page.context["matrix"])
    assert rows[1] == ["Enhet 1a", 4, 1, 25, 50, 1, 2, 0, 4, 2, 50, 60, 1, 1, 1]


def test_the_matrix_export_follows_the_filters(hr_client, world):
    rows = read_csv(hr_client.get(DASHBOARD, {"audience": "managers", "export": "csv"}))
    # Managers and Likabehandling: F1 Anna, Fredrik; F2 Fredrik, Johan; total 4, 3 compliant.
    assert rows[1][8:10] == ["2", "2"]
    assert rows[-1][8:10] == ["4", "3"]


# --- The people list -----------------------------------------------------------------------


PEOPLE_HEADER = [
    "Name",
    "Employee number",
    "Unit",
    "Job title",
    "Manager",
    "Status",
    "Progress (%)",
    "Due",
    "Completed",
    "Expires",
]


def test_the_people_csv_lists_the_people_of_the_page(hr_client, world):
    url = people_url(world.units.f1, world.c2)
    page = hr_client.get(url)
    rows = read_csv(hr_client.get(url, {"export": "csv"}))

    assert rows[0] == PEOPLE_HEADER
    assert [r[0] for r in rows[1:]] == [p.name for p in page.context["people"]]
    by_name = {r[0]: r for r in rows[1:]}
    # Anna completed before the course was assigned: no due date.
    assert by_name["Anna Ahl"][2:] == [
        "Enhet 1a",
        "Chef",
        "yes",
        "Completed",
        "100",
        "",
        "2025-10-01",
        "2026-10-01",
    ]
    assert by_name["Bo Berg"][5:] == ["Expired", "0", "2026-05-15", "2025-02-01", "2026-02-01"]
    assert by_name["David Dahl"][5:8] == ["Overdue", "50", "2026-03-10"]
    assert by_name["Fredrik Forsberg"][5:7] == ["In progress", "50"]
    assert by_name["Hassan Holm"][5:7] == ["Not started", "0"]


def test_the_people_xlsx_lists_the_same_people(hr_client, world):
    url = people_url(world.units.f1, world.c2)
    csv_rows = read_csv(hr_client.get(url, {"export": "csv"}))
    xlsx_rows = values(read_xlsx(hr_client.get(url, {"export": "xlsx"})))

    assert xlsx_rows[0] == PEOPLE_HEADER
    as_text = [
        ["" if v is None else v.date().isoformat() if hasattr(v, "date") else str(v) for v in row]
        for row in xlsx_rows
    ]
    assert as_text == csv_rows
    assert isinstance(xlsx_rows[1][6], int)  # progress is a number
    anna = next(row for row in xlsx_rows if row[0] == "Anna Ahl")
    assert anna[8].date() == date(2025, 10, 1)  # a real date, not text


def test_the_people_xlsx_says_what_it_is_and_is_laid_out(hr_client, world):
    url = people_url(world.units.f1, world.c2)
    sheet = read_workbook(hr_client.get(url, {"export": "xlsx", "status": "overdue"}))

    title = [row[0] for row in sheet.iter_rows(max_row=3, values_only=True)]
    assert title[0] == "People: Brandskydd, Förvaltning 1"
    assert title[1] == "Taken 2026-03-16 12:00"
    assert title[2] == "Filters: Status: Overdue"
    assert sheet.freeze_panes == "A6"  # the header row stays in view
    assert sheet.auto_filter.ref == "A5:J6"  # header and David, the one overdue
    assert sheet["A5"].font.b
    assert sheet.column_dimensions["A"].width >= 20
    assert sheet["H6"].is_date and sheet["H6"].value.date() == date(2026, 3, 10)


def test_the_people_csv_names_course_unit_and_date_in_its_file_name(hr_client, world):
    response = hr_client.get(people_url(world.units.f1, world.c2), {"export": "csv"})
    assert response["Content-Disposition"].endswith(
        "personer-F%C3%B6rvaltning%201-Brandskydd-20260316.csv"
    )


def test_csv_numbers_are_swedish():
    from wagtail_learning.lms.http.exports import csv_value

    assert csv_value(12.5) == "12,5"
    assert csv_value(43) == "43"
    assert csv_value(date(2026, 3, 1)) == "2026-03-01"


def test_the_xlsx_starts_before_the_rows_are_read():
    from wagtail_learning.lms.http.exports import xlsx_chunks

    read = []

    def rows():
        for i in range(3):
            read.append(i)
            yield [f"P{i}", i]

    chunks = xlsx_chunks(sheet_title="t", header=["Name", "N"], rows=rows())
    first = next(chunks)
    assert first  # the first bytes of the file...
    assert read == []  # ...before a single row was read
    data = first + b"".join(chunks)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [r for r in sheet.iter_rows(values_only=True)] == [
        ("Name", "N"),
        ("P0", 0),
        ("P1", 1),
        ("P2", 2),
    ]


def test_the_people_export_follows_the_filters(hr_client, world):
    url = people_url(world.units.f1, world.c2)
    rows = read_csv(hr_client.get(url, {"status": "not_started", "export": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Cilla Carlsson", "Greta Gustafsson", "Hassan Holm"]


# --- Formulas ----------------------------------------------------------------------------


@pytest.fixture
def evil_unit(world):
    """People whose names (and a unit, a job title, a number) a spreadsheet would run."""
    unit = org_unit("=1+1 enhet", world.units.f2)
    world.units.f2.refresh_from_db()
    for i, name in enumerate(EVIL):
        staff_member(
            unit,
            first_name=name,
            last_name="",
            username=f"evil{i}",
            job_title="=cmd|' /C calc'!A0",
            employee_number=f"-{i}+1",
            hire_date=date(2020, 1, 1),
        )
    return unit


def test_csv_cells_that_start_a_formula_are_neutralised(hr_client, world, evil_unit):
    rows = read_csv(hr_client.get(people_url(evil_unit, world.c1), {"export": "csv"}))

    names = sorted(r[0] for r in rows[1:])
    assert names == sorted("'" + name for name in EVIL)
    assert {r[3] for r in rows[1:]} == {"'=cmd|' /C calc'!A0"}
    assert {r[1] for r in rows[1:]} == {f"'-{i}+1" for i in range(4)}
    assert rows[1][2] == "'=1+1 enhet"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell

    matrix_rows = read_csv(hr_client.get(DASHBOARD, {"unit": world.units.f2.pk, "export": "csv"}))
    assert [r[0] for r in matrix_rows[1:3]] == ["'=1+1 enhet", "Enhet 2a"]


def test_xlsx_cells_that_start_a_formula_are_text(hr_client, world, evil_unit):
    rows = read_xlsx(hr_client.get(people_url(evil_unit, world.c1), {"export": "xlsx"}))

    names = sorted(row[0].value for row in rows[1:])
    assert names == sorted(EVIL)  # shown as typed...
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value  # ...and never a formula
    assert {row[3].value for row in rows[1:]} == {"=cmd|' /C calc'!A0"}
    assert {row[3].data_type for row in rows[1:]} == {"s"}


def test_a_course_title_that_starts_a_formula_is_text_in_the_header(hr_client, world):
    world.c1.title = "=SUM(A1:A9)"
    world.c1.save_revision().publish()

    header = read_xlsx(hr_client.get(DASHBOARD, {"export": "xlsx"}))[0]
    assert [c.data_type for c in header] == ["s"] * len(header)
    assert "=SUM(A1:A9): audience" in [c.value for c in header]
    csv_header = read_csv(hr_client.get(DASHBOARD, {"export": "csv"}))[0]
    assert "'=SUM(A1:A9): audience" in csv_header


def test_names_with_control_characters_or_slashes_still_export(hr_client, world):
    unit = org_unit('Vård/omsorg "Norr"', world.units.f2)
    staff_member(unit, first_name="Bell\x07", last_name="Tab\tson", hire_date=date(2020, 1, 1))
    url = people_url(unit, world.c1)

    rows = values(read_xlsx(hr_client.get(url, {"export": "xlsx"})))
    assert rows[1][0] == "Bell Tab\tson"
    csv_response = hr_client.get(url, {"export": "csv"})
    assert read_csv(csv_response)[1][0] == "Bell\x07 Tab\tson"
    # The unit's name is in the file name, escaped (a bare quote would end it early).
    assert csv_response["Content-Disposition"] == (
        "attachment; filename*=utf-8''personer-V%C3%A5rd/omsorg%20%22Norr%22-Likabehandling"
        "-20260316.csv"
    )


# --- Streaming and the audit log --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_streamed_attachments(hr_client, world, fmt):
    for url in (DASHBOARD, people_url(world.units.f1, world.c1)):
        response = hr_client.get(url, {"export": fmt})
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)  # FileResponse is one too
        assert response.streaming
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"20260316.{fmt}" in disposition
        body(response)


def test_every_export_is_in_the_audit_log_with_who_what_and_when(hr_client, hr_a, world):
    f1 = world.units.f1
    hr_client.get(DASHBOARD, {"export": "csv"})
    hr_client.get(DASHBOARD, {"unit": f1.pk, "export": "xlsx", "audience": "staff"})
    hr_client.get(people_url(f1, world.c2), {"export": "csv", "status": "overdue"})
    hr_client.get(people_url(f1, world.c2), {"export": "xlsx"})
    hr_client.get(DASHBOARD)  # a page view is not an export

    entries = list(ModelLogEntry.objects.filter(action="lms.export").order_by("pk"))
    assert len(entries) == 4
    assert {entry.user_id for entry in entries} == {hr_a.pk}
    assert {entry.timestamp for entry in entries} == {NOW}
    assert [entry.data["format"] for entry in entries] == ["csv", "xlsx", "csv", "xlsx"]
    assert [entry.data["what"] for entry in entries] == [
        "compliance matrix",
        "compliance matrix",
        "people: Brandskydd",
        "people: Brandskydd",
    ]
    assert entries[1].data["filters"]["audience"] == "staff"
    assert entries[2].data["filters"]["status"] == "overdue"
    assert [entry.object_id for entry in entries] == [
        str(world.units.kommun.pk),
        str(f1.pk),
        str(f1.pk),
        str(f1.pk),
    ]
    assert entries[0].label == "Kommun A"
    # Wagtail knows the action, so its log views can show it.
    assert entries[0].message == "Report exported"


def test_a_refused_export_is_not_logged(world, frozen, client):
    from tests.factories import hr_user

    client.force_login(hr_user(world.units.kommun_b))
    response = client.get(people_url(world.units.f1, world.c1), {"export": "csv"})
    assert response.status_code == 302
    assert not ModelLogEntry.objects.filter(action="lms.export").exists()


def test_a_client_hanging_up_mid_xlsx_leaves_no_error_behind():
    """The server closes the stream when the client goes away; the half-written archive
    is finished into nothing, not left for the collector to fail on (a log full of
    'I/O operation on closed file' for every cancelled download)."""
    import gc
    import sys

    from wagtail_learning.lms.http.exports import xlsx_chunks

    seen = []
    hook, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        chunks = xlsx_chunks(
            sheet_title="Export", header=["Namn", "Status"], rows=([n, "x"] for n in range(5000))
        )
        assert next(chunks)
        next(chunks)
        chunks.close()
        del chunks
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert [str(u.exc_value) for u in seen] == []
