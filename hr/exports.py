"""Streamed CSV and XLSX exports, with spreadsheet formulas neutralised, and audited."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from wagtail.log_actions import log

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text: values starting with = + - @ (or a tab or
    carriage return) get a leading apostrophe, so =HYPERLINK(...) in a name stays a name."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def stream_csv(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly with a BOM
        yield writer.writerow([neutralise(h) for h in header])
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    # Unit names end up in the file name: quotes and non-ASCII need Django's escaping.
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def _xlsx_cells(sheet, values: Sequence) -> list:
    """Numbers as numbers, everything else as text: a string openpyxl would store as a
    formula (it starts with =) is stored as a plain string, shown as typed, never run.
    Control characters XLSX cannot hold are dropped rather than failing the export."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for value in values:
        if not isinstance(value, int | float) or isinstance(value, bool):
            value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
        cell = WriteOnlyCell(sheet, value=value)
        if cell.data_type == "f":
            cell.data_type = "s"
        cells.append(cell)
    return cells


def stream_xlsx(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    """openpyxl's write-only mode streams rows to a temporary file, so memory stays flat."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # Sheet titles may not hold \ / ? * [ ] : (a unit called "Vård/omsorg" would fail).
    sheet = workbook.create_sheet(title=re.sub(r"[\\/?*\[\]:]", "-", filename)[:31] or "Export")
    sheet.append(_xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(_xlsx_cells(sheet, row))
    # Not a with-block: FileResponse reads and closes it after the response is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(request, *, fmt: str, filename: str, header, rows, audit_units, what: str):
    """Answer ?export=csv|xlsx, and write who exported what, when, to the audit log: one
    entry on each unit the export covers, so the wall shows it to those who see that unit
    (and to no one else)."""
    stamped = f"{filename}-{timezone.localdate():%Y%m%d}"
    for unit in audit_units:
        log(
            instance=unit,
            action="lms.export",
            user=request.user,
            data={
                "what": what,
                "format": fmt,
                "filters": dict(request.GET.items()),
                "unit_id": unit.pk,
            },
        )
    if fmt == "xlsx":
        return stream_xlsx(stamped, header, rows)
    return stream_csv(stamped, header, rows)
