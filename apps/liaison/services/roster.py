"""执委名册导入: an Excel roster of representatives, checked row by row and loaded all or nothing.

``start_import`` stores the upload and queues ``run_import`` on a Celery worker, which reports
its progress on the RosterImport record and either creates every representative (with her user
account and village membership) or none of them, listing each problem by row and column.
"""

import logging
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from io import BytesIO
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.services import create_members
from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.permissions import is_staff_over
from apps.core.queueing import queue_on_commit
from apps.core.roles import Role
from apps.core.uploads import sniff_upload
from apps.liaison.models import Representative, RosterImport, Sector, Specialty
from apps.liaison.services.representatives import username_for
from apps.organizations.models import OrgUnit

logger = logging.getLogger(__name__)

ROSTER_COLUMNS = [
    "编号",
    "姓名",
    "手机号",
    "村（社区）编码",
    "界别",
    "特长",
    "任期开始",
    "任期结束",
]
NUMBER, NAME, PHONE, VILLAGE, SECTOR, SPECIALTIES, TERM_START, TERM_END = ROSTER_COLUMNS
REQUIRED_COLUMNS = {NUMBER, NAME, VILLAGE, SECTOR, TERM_START, TERM_END}
MAX_LENGTHS = {NUMBER: 30, NAME: 50}

MAX_ROSTER_BYTES = 10 * 1024 * 1024
# What a roster of MAX_ROWS lines unpacks to is a few tens of MB; anything beyond is refused in
# the request, before a worker spends minutes (and memory) parsing it.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_SHARED_BYTES = 30 * 1024 * 1024
MAX_SMALL_PART_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_ROWS = 20_000
MAX_ERRORS = 500
PROGRESS_EVERY = 200
SPECIALTY_SEPARATORS = re.compile(r"[、,，]")


@dataclass
class RosterRow:
    """One checked line of the roster, ready to become a representative; the fields follow
    ROSTER_COLUMNS."""

    number: str
    full_name: str
    phone: str
    village: OrgUnit
    sector: str
    specialties: list
    term_start: date
    term_end: date


def template_workbook():
    """An .xlsx with the roster's header row and one example line, for users to fill in."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "执委名册"
    with translation.override("zh-hans"):
        sector = str(Sector.FARMER.label)
        specialties = "、".join([str(Specialty.PARENTING.label), str(Specialty.MEDIATION.label)])
    sheet.append(ROSTER_COLUMNS)
    example = ["001", "王秀英", "13800000000", "430599101001", sector, specialties]
    sheet.append([*example, date(2026, 1, 1), date(2030, 12, 31)])
    for cell in sheet[2][6:8]:
        cell.number_format = "yyyy-mm-dd"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check_roster_file(upload):
    """Refuse, cheaply and before anything is stored, an upload that is larger than 10 MB, is
    not an Excel workbook, would unpack to more than the workbook limit (a zip bomb or a huge
    shared-strings table), or declares more rows than a roster may have. Only the zip directory
    and a few small XML parts are read: the full parse is the Celery task's work."""
    try:
        sniff_upload(upload, allowed={XLSX_CONTENT_TYPE: "xlsx"}, max_bytes=MAX_ROSTER_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    try:
        with zipfile.ZipFile(upload) as archive:
            _check_unpacked_sizes(upload, archive)
            rows = _declared_rows(archive)
    except ValidationError:
        raise
    # A damaged workbook fails in many ways (zip, XML, missing parts); all mean the same here.
    except Exception as error:
        raise ValidationError(
            {"file": _("“%(name)s” cannot be opened as an Excel workbook.") % {"name": upload.name}}
        ) from error
    finally:
        upload.seek(0)
    if rows is not None and rows - 1 > MAX_ROWS:
        message = _("The roster has more than %(max)s rows; split it into several files.")
        raise ValidationError({"file": message % {"max": MAX_ROWS}})


def _check_unpacked_sizes(upload, archive):
    """The zip directory states every part's unpacked size (and reading stops there), so the
    sum bounds the work the task will do; a huge one is a zip bomb or far too big a roster."""
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    shared = sum(m.file_size for m in members if m.filename == "xl/sharedStrings.xml")
    if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES or shared > MAX_SHARED_BYTES:
        message = _("“%(name)s” unpacks to more than %(max)s; a roster is much smaller.")
        raise ValidationError(
            {"file": message % {"name": upload.name, "max": filesizeformat(MAX_UNPACKED_BYTES)}}
        )


def _small_xml(archive, name):
    """A small part of the workbook (the workbook index, its relationships), parsed."""
    if archive.getinfo(name).file_size > MAX_SMALL_PART_BYTES:
        raise ValueError(f"{name} is too large")
    return ElementTree.fromstring(archive.read(name))


def _first_sheet_name(archive):
    """The zip path of the first worksheet, the one the import reads."""
    workbook = _small_xml(archive, "xl/workbook.xml")
    sheet = workbook.find(f"{{{SPREADSHEET_NS}}}sheets/{{{SPREADSHEET_NS}}}sheet")
    relation_id = sheet.get(f"{{{RELATIONSHIP_NS}}}id")
    relations = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    for relation in relations:
        if relation.get("Id") == relation_id:
            target = relation.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(relation_id)


def _declared_rows(archive):
    """The last row number of the first sheet, from its ``<dimension ref="A1:H120">`` near the
    top of the sheet; without one, the rows are counted in a streaming pass (the sheet's size is
    already bounded). None when the sheet is empty."""
    last_row = None
    with archive.open(_first_sheet_name(archive)) as sheet:
        for event, element in ElementTree.iterparse(sheet, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start" and tag == "dimension":
                match = re.search(r"(\d+)$", element.get("ref", ""))
                if match:
                    return int(match.group(1))
            elif event == "end" and tag == "row":
                last_row = int(element.get("r") or (last_row or 0) + 1)
                element.clear()
                if last_row - 1 > MAX_ROWS:
                    break
    return last_row


def start_import(user, unit, upload):
    """Store ``upload`` as a roster for ``unit`` and queue its import; county and township
    staff only, into a unit they can see."""
    if not is_staff_over(user, unit):
        raise PermissionDenied(_("You may not import representatives into this unit."))
    check_roster_file(upload)
    roster_import = RosterImport.objects.create(
        unit=unit, file=upload, original_name=upload.name[:200], created_by=user
    )
    # Imported here: the tasks module imports this one.
    from apps.liaison.tasks import run_roster_import

    queue_on_commit(
        run_roster_import, roster_import.pk, on_failure=partial(_not_queued, roster_import.pk)
    )
    return roster_import


def claim_expiry():
    """How old a claim must be before it belongs to a dead run: no run outlives the hard task
    time limit, so an older claim can be taken over (or, by the progress page, failed)."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def run_import(roster_import_id, claim=None):
    """Check every row of a roster and import all of them, or none when any row has a problem.

    Safe to run twice: a run claims the record with ``claim`` (the Celery task id) and only the
    run holding the claim does the work. A redelivered task (its worker was killed mid-run)
    carries the same id and starts over on its own claim; nothing of the dead run's load was
    committed, since the load is one transaction. A claim older than the task time limit is
    stale and may be taken over by any run."""
    claim = claim or uuid.uuid4().hex
    now = timezone.now()
    claimable = Q(status=RosterImport.Status.PENDING) | Q(
        Q(claimed_by=claim) | Q(claimed_at__lt=now - claim_expiry()) | Q(claimed_at__isnull=True),
        status=RosterImport.Status.RUNNING,
    )
    claimed = RosterImport.objects.filter(claimable, pk=roster_import_id).update(
        status=RosterImport.Status.RUNNING, claimed_by=claim, claimed_at=now, processed_rows=0
    )
    if not claimed:
        return None
    roster_import = RosterImport.objects.select_related("unit").get(pk=roster_import_id)
    try:
        _check_and_load(roster_import)
    except Exception:
        logger.exception("Roster import %s failed", roster_import_id)
        message = _("The file could not be read. Save it again from Excel as .xlsx and retry.")
        _finish(roster_import, RosterImport.Status.FAILED, errors=[_error(None, "", message)])
    return roster_import.status


def fail_if_abandoned(roster_import):
    """A running import whose claim is older than the task time limit has lost its run (the
    task hit the hard limit, or its message was lost): mark it failed so its page stops waiting.
    Returns the import, fresh from the database when it changed."""
    if roster_import.status not in (RosterImport.Status.PENDING, RosterImport.Status.RUNNING):
        return roster_import
    message = _("The import was interrupted before it finished. Upload the file again.")
    abandoned = RosterImport.objects.filter(
        Q(status=RosterImport.Status.RUNNING, claimed_at__lt=timezone.now() - claim_expiry())
        | Q(status=RosterImport.Status.PENDING, created_at__lt=timezone.now() - claim_expiry()),
        pk=roster_import.pk,
    ).update(
        status=RosterImport.Status.FAILED,
        errors=[_error(None, "", message)],
        updated_at=timezone.now(),
    )
    if abandoned:
        roster_import.refresh_from_db()
    return roster_import


def _not_queued(roster_import_id):
    """The broker was down when the import was to be queued: say so instead of waiting."""
    message = _("The import could not be started. Upload the file again in a few minutes.")
    RosterImport.objects.filter(pk=roster_import_id, status=RosterImport.Status.PENDING).update(
        status=RosterImport.Status.FAILED,
        errors=[_error(None, "", message)],
        updated_at=timezone.now(),
    )


def _check_and_load(roster_import):
    header, rows = _read_rows(roster_import)
    roster_import.total_rows = len(rows)
    RosterImport.objects.filter(pk=roster_import.pk).update(total_rows=len(rows))
    errors, records = _check_rows(roster_import, header, rows)
    if errors:
        _finish(roster_import, RosterImport.Status.FAILED, errors=errors[:MAX_ERRORS])
        return
    with transaction.atomic():
        _create_representatives(records)
        _finish(roster_import, RosterImport.Status.DONE, imported_rows=len(records))


def _read_rows(roster_import):
    """The header and the non-blank data lines, each with its Excel row number; reading stops
    one line past the cap, which is enough to refuse the file."""
    with roster_import.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            lines = workbook.worksheets[0].iter_rows(values_only=True)
            header = tuple(_text(value) for value in next(lines, ()))
            rows = []
            for row_number, values in enumerate(lines, start=2):
                if any(_text(value) for value in values):
                    rows.append((row_number, values))
                if len(rows) > MAX_ROWS:
                    break
        finally:
            workbook.close()
    return header, rows


def _check_rows(roster_import, header, rows):
    """Every problem in the file, and the checked rows when there is none."""
    missing = [column for column in ROSTER_COLUMNS if column not in header]
    if missing:
        message = _("The first row lacks these columns: %(columns)s.")
        return [_error(1, "、".join(missing), message % {"columns": "、".join(missing)})], []
    if len(rows) > MAX_ROWS:
        message = _("The roster has more than %(max)s rows; split it into several files.")
        return [_error(rows[MAX_ROWS][0], "", message % {"max": MAX_ROWS})], []
    positions = {column: header.index(column) for column in ROSTER_COLUMNS}
    cells = [
        (row_number, {column: _cell(values, index) for column, index in positions.items()})
        for row_number, values in rows
    ]
    return _check_cells(roster_import, cells)


def _check_cells(roster_import, cells):
    checker = RowChecker(roster_import.unit, [row for _number, row in cells])
    errors, records = [], []
    for done, (row_number, row) in enumerate(cells, start=1):
        record, row_errors = checker.check(row_number, row)
        errors += row_errors
        if record:
            records.append(record)
        if done % PROGRESS_EVERY == 0:
            _report_progress(roster_import, done)
    _report_progress(roster_import, len(cells))
    return errors, records


def _report_progress(roster_import, processed_rows):
    # A plain UPDATE outside any transaction, so a page polling the record sees it at once.
    roster_import.processed_rows = processed_rows
    RosterImport.objects.filter(pk=roster_import.pk).update(processed_rows=processed_rows)


class RowChecker:
    """Checks roster lines against the org tree, the choices and the numbers already in use,
    looking those up once for the whole file."""

    def __init__(self, unit, rows):
        numbers = {_text(row[NUMBER]) for row in rows} - {""}
        codes = {_text(row[VILLAGE]) for row in rows} - {""}
        self.unit = unit
        # Only units under the import's own unit are found: a code from elsewhere is "no such
        # unit", never the name of a village outside the importer's area.
        self.villages = {
            village.code: village
            for village in OrgUnit.objects.filter(code__in=codes, path__startswith=unit.path)
        }
        self.taken_numbers = set(
            Representative.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        self.taken_usernames = set(
            User.objects.filter(username__in=[username_for(n) for n in numbers]).values_list(
                "username", flat=True
            )
        )
        self.sectors, self.specialties = _labels(Sector), _labels(Specialty)
        self.seen_numbers = {}

    def check(self, row_number, row):
        """The row as a RosterRow, or None, and its problems."""
        parsers = {
            NUMBER: lambda value: self.number(row_number, value),
            NAME: _text,
            PHONE: _phone,
            VILLAGE: self.village,
            SECTOR: self.sector,
            SPECIALTIES: self.specialty_list,
            TERM_START: _date,
            TERM_END: _date,
        }
        values, errors = {}, []
        for column, parse in parsers.items():
            try:
                values[column] = _check_cell(column, row[column], parse)
            except ValidationError as error:
                errors.append(_error(row_number, column, error.message))
        if TERM_START in values and TERM_END in values and values[TERM_END] < values[TERM_START]:
            errors.append(_error(row_number, TERM_END, _("The term cannot end before it starts.")))
        if errors:
            return None, errors
        return RosterRow(*(values[column] for column in ROSTER_COLUMNS)), []

    def number(self, row_number, value):
        number = _text(value)
        first_row = self.seen_numbers.setdefault(number, row_number)
        if first_row != row_number:
            message = _("Number %(number)s appears twice, in rows %(first)s and %(row)s.")
            raise ValidationError(
                message % {"number": number, "first": first_row, "row": row_number}
            )
        if number in self.taken_numbers:
            message = _("Number %(number)s already belongs to a representative.")
            raise ValidationError(message % {"number": number})
        if username_for(number) in self.taken_usernames:
            message = _("The account %(username)s already exists.")
            raise ValidationError(message % {"username": username_for(number)})
        return number

    def village(self, value):
        code = _text(value)
        village = self.villages.get(code)
        if village is None:
            raise ValidationError(_("There is no unit with the code %(code)s.") % {"code": code})
        if village.kind != OrgUnit.Kind.VILLAGE:
            message = _("%(name)s is not a village or community.")
            raise ValidationError(message % {"name": village.name})
        return village

    def sector(self, value):
        message = _("There is no sector “%(label)s”; use one of: %(choices)s.")
        return _choice(self.sectors, _text(value), message)

    def specialty_list(self, value):
        message = _("There is no specialty “%(label)s”; use any of: %(choices)s.")
        labels = [label.strip() for label in SPECIALTY_SEPARATORS.split(_text(value))]
        codes = [_choice(self.specialties, label, message) for label in labels if label]
        return list(dict.fromkeys(codes))


def _check_cell(column, value, parse):
    text = _text(value)
    if not text and column in REQUIRED_COLUMNS:
        raise ValidationError(_("This cell must not be empty."))
    limit = MAX_LENGTHS.get(column)
    if limit and len(text) > limit:
        raise ValidationError(_("At most %(max)s characters.") % {"max": limit})
    return parse(value)


def _create_representatives(records):
    people = [
        {
            "username": username_for(record.number),
            "full_name": record.full_name,
            "phone": record.phone,
            "unit": record.village,
        }
        for record in records
    ]
    users = create_members(people, role=Role.VILLAGE_REP)
    Representative.objects.bulk_create(
        [_representative(user, record) for user, record in zip(users, records, strict=True)],
        batch_size=1000,
    )


def _representative(user, record):
    return Representative(
        unit=record.village,
        user=user,
        number=record.number,
        full_name=record.full_name,
        phone=record.phone,
        sector=record.sector,
        specialties=record.specialties,
        term_start=record.term_start,
        term_end=record.term_end,
        is_active=True,
    )


def _finish(roster_import, status, errors=(), imported_rows=0):
    roster_import.status = status
    roster_import.errors = list(errors)
    roster_import.imported_rows = imported_rows
    roster_import.save(update_fields=["status", "errors", "imported_rows", "updated_at"])


def _error(row, column, message):
    return {"row": row, "column": column, "message": str(message)}


def _labels(choices):
    """Chinese label → code: the roster is written in Chinese whatever the reader's language."""
    with translation.override("zh-hans"):
        return {str(label): code for code, label in choices.choices}


def _choice(labels, label, message):
    if label not in labels:
        raise ValidationError(message % {"label": label, "choices": "、".join(labels)})
    return labels[label]


def _cell(values, index):
    return values[index] if index < len(values) else None


def _text(value):
    """A cell as trimmed text; Excel stores typed-in numbers (phones, codes) as floats."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _phone(value):
    phone = _text(value)
    if phone and not re.fullmatch(r"\d{11}", phone):
        raise ValidationError(_("A mobile phone number has 11 digits."))
    return phone


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(_text(value), "%Y-%m-%d").date()
    except ValueError:
        message = _("“%(value)s” is not a date; write it as YYYY-MM-DD.")
        raise ValidationError(message % {"value": _text(value)}) from None
