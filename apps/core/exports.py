"""Excel exports of list pages, streamed row by row so a large list stays cheap.

Every text cell goes through ``safe_text``: a value that a spreadsheet would read as a formula
(it starts with = + - @, or a tab or carriage return before one) is written with a leading
apostrophe, so opening an export never runs what someone typed into a record."""

import re
from io import BytesIO

from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name, which is at most 31 characters long.
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")


def safe_text(value):
    """``value`` as text a spreadsheet shows as it is, never as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _cell_value(row, accessor):
    value = accessor(row) if callable(accessor) else getattr(row, accessor)
    return _safe(value)


def _safe(value):
    return value if value is None or isinstance(value, int | float) else safe_text(value)


def workbook_bytes(columns, rows):
    """An .xlsx with a header row of ``columns`` labels and one line per row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([safe_text(header) for header, _accessor in columns])
    for row in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
        sheet.append([_cell_value(row, accessor) for _header, accessor in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheets_bytes(sheets):
    """An .xlsx with one sheet per ``(title, headers, rows)``: ``rows`` are lists of values.
    Titles are cut to Excel's limits and kept distinct."""
    workbook = Workbook(write_only=True)
    used = set()
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_name(title, used))
        sheet.append([safe_text(header) for header in headers])
        for row in rows:
            sheet.append([_safe(value) for value in row])
    if not used:
        workbook.create_sheet()
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title, used):
    base = SHEET_NAME_REFUSED.sub(" ", str(title)).strip("' ")[:28] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        name, number = f"{base[:26]}~{number}", number + 1
    used.add(name.lower())
    return name
