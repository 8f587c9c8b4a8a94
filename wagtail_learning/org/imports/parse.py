"""Reading an HR export into headings and rows: CSV (UTF-8, UTF-16 or Windows-1252; `;`, `,`
or tab separated) or XLSX, refusing files that would cost far more to read than a staff
list can need."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from django.utils.translation import gettext as _

from ..errors import InvalidInput

__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "read_table", "too_many_rows"]

MAX_ROWS = 200_000
# Limits on what a file may make us read, checked before (XLSX: the zip's directory and
# the sheet's declared dimension) or while reading, so a small file that unpacks into
# gigabytes or claims a million rows of 16 384 columns is refused in milliseconds.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_SHEETS = 50
MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 160 * 1024 * 1024  # a 200 000-row sheet written by openpyxl: ~120 MB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # an HR export's sheet packs ~10:1; zip bombs 1000:1
_RATIO_FROM_BYTES = 1024 * 1024  # tiny members (styles, rels) may pack better


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Headings and (row number, cells) from a CSV (UTF-8, UTF-16 or Windows-1252; `;`,
    `,` or tab separated) or XLSX file. Raises InvalidInput for a file that is neither,
    also when the problem shows only while the rows are read."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            _("The file is larger than %(n)d MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") or (is_zip and name.endswith((".csv", ".txt"))):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise InvalidInput(_("Upload a .csv or .xlsx file."))


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("The file is not readable text.")) from exc
    sample = data[:8192]
    if sample.count(b"\x00") * 100 > len(sample):  # text has none; a stray one is a row error
        raise InvalidInput(_("This is not a CSV file. Upload a .csv or .xlsx file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV" on Swedish Windows
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The CSV file is neither UTF-8 nor Windows-1252 text.")) from exc


def _read_csv(data: bytes):
    text = _decode(data)
    # The heading line decides the separator: it has no quoted commas, unlike data rows,
    # which is where csv.Sniffer guesses wrong.
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = next(reader)
    except StopIteration as exc:
        raise InvalidInput(_("The file is empty.")) from exc
    except csv.Error as exc:
        raise InvalidInput(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc

    _check_width(headings, 1)

    def cells():
        number = 1
        try:
            for number, row in enumerate(reader, start=2):
                if number > MAX_ROWS + 1:
                    raise InvalidInput(too_many_rows())
                _check_width(row, number)
                yield number, row
        except csv.Error as exc:
            raise InvalidInput(
                _("The CSV file cannot be read after row %(row)d: %(error)s")
                % {"row": number, "error": exc}
            ) from exc

    return [h.strip() for h in headings], cells()


def _check_width(cells, number: int) -> None:
    """Refuse a row wider than MAX_COLUMNS or with a cell longer than MAX_CELL_CHARS."""
    if len(cells) > MAX_COLUMNS:
        raise InvalidInput(
            _("Row %(row)d has more than %(n)d columns.") % {"row": number, "n": MAX_COLUMNS}
        )
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise InvalidInput(
                _("Row %(row)d has a cell longer than %(n)d characters.")
                % {"row": number, "n": MAX_CELL_CHARS}
            )


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX whose zip directory promises more than a staff list needs: too many
    members or sheets, members or a total too large once unpacked, or packed too tightly.
    Reads only the directory (nothing is unpacked). zipfile stops unpacking a member at
    its declared size, so the declared sizes bound what openpyxl can read."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    too_big = _(
        "The workbook unpacks to more than a staff list can hold (%(what)s). Save it again "
        "in Excel, or export a CSV file."
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise InvalidInput(too_big % {"what": _("too many parts")})
    sheets = [
        m
        for m in members
        if m.filename.startswith("xl/worksheets/")
        and "/" not in m.filename[len("xl/worksheets/") :]
    ]
    if len(sheets) > MAX_SHEETS:
        raise InvalidInput(
            _("The workbook has more than %(n)d sheets; the staff list must be the first.")
            % {"n": MAX_SHEETS}
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise InvalidInput(too_big % {"what": _("size")})
        if member.file_size > _RATIO_FROM_BYTES and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise InvalidInput(too_big % {"what": _("compression ratio")})


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension: openpyxl pads every row to its width and adds every
        # row up to its height, so "A1:XFD1048576" alone would mean 17 billion cells.
        if (sheet.max_row or 0) > MAX_ROWS + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
            raise InvalidInput(
                _(
                    "The sheet claims %(rows)s rows and %(columns)s columns; a staff list "
                    "has at most %(max_rows)d rows and %(max_columns)d columns. Save it "
                    "again in Excel, or export a CSV file."
                )
                % {
                    "rows": sheet.max_row,
                    "columns": sheet.max_column,
                    "max_rows": MAX_ROWS,
                    "max_columns": MAX_COLUMNS,
                }
            )
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except InvalidInput:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise InvalidInput(_("The file is not a readable XLSX workbook.")) from exc
    if first is None:
        workbook.close()
        raise InvalidInput(_("The workbook's first sheet is empty."))
    _check_width(first, 1)
    headings = [_cell_text(c) for c in first]

    def cells():
        number = 1
        try:
            for number, row in enumerate(rows, start=2):
                if number > MAX_ROWS + 1:
                    raise InvalidInput(too_many_rows())
                if len(row) > MAX_COLUMNS:
                    _check_width(row, number)
                if row.count(None) == len(row):  # cheap: padding rows are all None
                    yield number, []
                    continue
                _check_width(row, number)
                yield number, [_cell_text(c) for c in row]
        except InvalidInput:
            raise
        except Exception as exc:  # a damaged sheet fails only while it is read
            raise InvalidInput(
                _("The workbook cannot be read after row %(row)d.") % {"row": number}
            ) from exc
        finally:
            workbook.close()

    return headings, cells()


def too_many_rows() -> str:
    return _("More than %(n)d rows; split the file.") % {"n": MAX_ROWS}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
