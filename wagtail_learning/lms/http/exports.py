"""Streamed CSV and XLSX exports, with spreadsheet formulas neutralised, and audited:
the platform's one spreadsheet writer (HR's reports, imports and shared-course figures,
an event's participants). Low in the layers so that every app above can use it.

CSV is for machines and for Excel in Sweden: one header row, `;` between fields, dates as
ISO 8601, decimals with a comma. XLSX is for people: a title naming what was exported
and when, then the header (bold, frozen, with a filter), real numbers and dates, and
column widths. Both are streamed: the first bytes leave before the rows are read.
"""

from __future__ import annotations

import contextlib
import csv
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from wagtail.log_actions import log

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLUSH_EVERY = 500  # rows between two chunks of a streamed XLSX


def neutralise(value) -> str:
    """A cell a spreadsheet will show as text: values starting with = + - @ (or a tab or
    carriage return) get a leading apostrophe, so =HYPERLINK(...) in a name stays a name."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_value(value) -> str:
    """One CSV field in the Swedish locale: 12,5 not 12.5; ISO dates; local times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return f"{value:.1f}".replace(".", ",")
    return neutralise(value)


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
            yield writer.writerow([csv_value(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    # Unit names end up in the file name: quotes and non-ASCII need Django's escaping.
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def _xlsx_value(value):
    """Numbers and dates as themselves (openpyxl gives a date a date format); times in
    the site's zone (XLSX has none); text with control characters XLSX cannot hold
    dropped rather than failing the export."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, date | int | float | Decimal):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def _xlsx_cells(sheet, values: Sequence, *, font=None) -> list:
    """A string openpyxl would store as a formula (it starts with =) is stored as a plain
    string, shown as typed, never run."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        if cell.data_type == "f":
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        cells.append(cell)
    return cells


class _Sink:
    """An unseekable file the zip writes into; the response takes what has collected."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def default_widths(header: Sequence[str]) -> list[int]:
    return [max(10, min(40, len(str(h)) + 4)) for h in header]


def xlsx_chunks(
    *,
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    title_lines: Sequence[str] = (),
    widths: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """An XLSX file as it is written: openpyxl's write-only worksheet writes its XML
    straight into the zip entry (not a temporary file zipped at the end), so the first
    bytes go out at once and memory stays flat. The title lines, then the header (bold,
    frozen, with an autofilter over every row), then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    workbook = Workbook(write_only=True)
    # Sheet titles may not hold \ / ? * [ ] : (a unit called "Vård/omsorg" would fail).
    sheet = workbook.create_sheet(title=re.sub(r"[\\/?*\[\]:]", "-", sheet_title)[:31] or "Export")
    sheet._id = 1  # its path in the archive, set before the entry is opened
    for index, width in enumerate(widths or default_widths(header), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = len(title_lines) + (2 if title_lines else 1)
    sheet.freeze_panes = f"A{header_row + 1}"

    entry = archive.open(sheet.path[1:], "w", force_zip64=True)
    try:
        sheet._writer = WorksheetWriter(sheet, out=entry)
        sheet._writer.write_top()
        bold = Font(bold=True)
        for number, line in enumerate(title_lines):
            sheet.append(_xlsx_cells(sheet, [line], font=bold if number == 0 else None))
        if title_lines:
            sheet.append([])
        sheet.append(_xlsx_cells(sheet, header, font=bold))
        yield sink.take()
        last = header_row
        for last, row in enumerate(rows, start=header_row + 1):  # noqa: B007
            sheet.append(_xlsx_cells(sheet, row))
            if last % FLUSH_EVERY == 0:
                yield sink.take()
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(max(len(header), 1))}{last}"
        sheet.close()  # the filter and the rest of the sheet's tail
        entry.close()

        class _Writer(ExcelWriter):
            def write_worksheet(self, ws):
                # Already in the archive: only its relations and its place in the manifest.
                from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

                ws._drawing = SpreadsheetDrawing()
                ws._rels = ws._writer._rels
                self.manifest.append(ws)

        _Writer(workbook, archive).save()
        yield sink.take()
    except GeneratorExit:
        # The client went away mid-file: finish the archive into the sink, which is
        # dropped, so that openpyxl's and the zip's writers do not complain about a
        # closed file when they are collected (nothing stored depends on it).
        with contextlib.suppress(Exception):
            sheet.close()
            entry.close()
            archive.close()
        raise


def stream_xlsx(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title_lines: Sequence[str] = (),
    widths: Sequence[int] | None = None,
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        xlsx_chunks(
            sheet_title=filename,
            header=header,
            rows=rows,
            title_lines=title_lines,
            widths=widths,
        ),
        content_type=XLSX_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response


def export_response(
    request,
    *,
    fmt: str,
    filename: str,
    header,
    rows,
    audit_units,
    what: str,
    title_lines: Sequence[str] = (),
    widths: Sequence[int] | None = None,
):
    """Answer ?export=csv|xlsx, and write who exported what, when, to the audit log: one
    entry on each unit the export covers, so the wall shows it to those who see that unit
    (and to no one else). The file name ends with the date; the XLSX starts with
    `title_lines` (what it is, and when it was taken); the CSV is the header and rows."""
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
        return stream_xlsx(stamped, header, rows, title_lines=title_lines, widths=widths)
    return stream_csv(stamped, header, rows)
