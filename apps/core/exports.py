"""Excel exports of list pages, streamed row by row so a large list stays cheap."""

from io import BytesIO

from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell_value(row, accessor):
    value = accessor(row) if callable(accessor) else getattr(row, accessor)
    return value if isinstance(value, int | float) or value is None else str(value)


def workbook_bytes(columns, rows):
    """An .xlsx with a header row of ``columns`` labels and one line per row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([str(header) for header, _accessor in columns])
    for row in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
        sheet.append([_cell_value(row, accessor) for _header, accessor in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
