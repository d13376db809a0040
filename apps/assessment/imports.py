"""Reading a third-party survey file (第三方测评): an Excel workbook or a CSV file a survey firm
sends, one row per unit (or person) with a score. Only reading and the file's shape are checked
here; apps.assessment.services.import_survey checks each row against the scheme and enters the
scores."""

import csv
import io
import zipfile

import filetype
import openpyxl
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.uploads import sniff_upload

MAX_SURVEY_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
# The header cells naming the two columns, as survey firms write them (compared without case
# or spaces): the unit (its code or name; a person's account for a scheme of individuals) and
# the score.
UNIT_HEADERS = {
    "单位编码",
    "单位代码",
    "编码",
    "代码",
    "单位",
    "单位名称",
    "名称",
    "账号",
    "unit",
    "code",
}
SCORE_HEADERS = {"得分", "分数", "成绩", "测评得分", "score", "points"}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_survey(upload):
    """``[(row_number, unit, score)]``, the texts of the non-blank lines below the header, each
    with its row number in the file. Refuses (ValidationError on ``file``) a file that is too
    large, neither an .xlsx workbook nor a CSV text file, unreadable, without the two columns,
    without rows, or with more than MAX_ROWS of them."""
    if upload.size > MAX_SURVEY_BYTES:
        raise _refused(
            _("“%(name)s” is %(size)s; a survey file may be at most %(max)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(MAX_SURVEY_BYTES),
            }
        )
    upload.seek(0)
    guessed = filetype.guess(upload.read(8192))
    upload.seek(0)
    if guessed is None and upload.name.lower().endswith(".csv"):
        lines = _csv_lines(upload)
    else:
        try:
            sniff_upload(upload, allowed={XLSX_CONTENT_TYPE: "xlsx"}, max_bytes=MAX_SURVEY_BYTES)
        except ValidationError:
            raise _refused(
                _("“%(name)s” is neither an Excel workbook (.xlsx) nor a CSV file.")
                % {"name": upload.name}
            ) from None
        lines = _workbook_lines(upload)
    return _rows(lines)


def _refused(message):
    return ValidationError({"file": [message]})


def _csv_lines(upload):
    """The CSV's lines; Excel in China saves CSV in GBK, others in UTF-8 (with or without the
    byte-order mark)."""
    content = upload.read()
    upload.seek(0)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("“%(name)s” is not a readable CSV file.") % {"name": upload.name})
    if "\x00" in text:
        raise _refused(_("“%(name)s” is not a readable CSV file.") % {"name": upload.name})
    return csv.reader(io.StringIO(text))


def _workbook_lines(upload):
    """The first sheet's lines; a workbook that unpacks to far more than a survey needs (a zip
    bomb) is refused before it is parsed."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        upload.seek(0)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refused(
                _("“%(name)s” unpacks to more than %(max)s; a survey is much smaller.")
                % {"name": upload.name, "max": filesizeformat(MAX_UNPACKED_BYTES)}
            )
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        try:
            return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except ValidationError:
        raise
    # A damaged workbook fails in many ways (zip, XML, missing parts); all mean the same here.
    except Exception as error:
        raise _refused(
            _("“%(name)s” cannot be opened as an Excel workbook.") % {"name": upload.name}
        ) from error
    finally:
        upload.seek(0)


def _column(header, names):
    for index, cell in enumerate(header):
        if _text(cell).replace(" ", "").lower() in names:
            return index
    return None


def _rows(lines):
    lines = iter(lines)
    header = next(lines, [])
    unit_column, score_column = _column(header, UNIT_HEADERS), _column(header, SCORE_HEADERS)
    if unit_column is None or score_column is None:
        raise _refused(
            _(
                "The first row must name the unit column (单位编码 or 单位) and the score "
                "column (得分)."
            )
        )
    rows = []
    for row_number, cells in enumerate(lines, start=2):
        cells = list(cells)
        unit = _text(cells[unit_column]) if unit_column < len(cells) else ""
        score = _text(cells[score_column]) if score_column < len(cells) else ""
        if not unit and not score:
            continue
        rows.append((row_number, unit, score))
        if len(rows) > MAX_ROWS:
            raise _refused(
                _("The file has more than %(max)s rows; split it into several files.")
                % {"max": MAX_ROWS}
            )
    if not rows:
        raise _refused(_("The file has no rows of scores below its header."))
    return rows
