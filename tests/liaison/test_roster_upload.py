"""A roster upload is checked cheaply in the request: size, what it unpacks to and the rows it
declares. The full parse (shared strings and every cell) is the Celery task's work alone."""

import zipfile
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.liaison import services
from apps.liaison.models import RosterImport
from apps.liaison.services import roster
from tests.liaison.test_roster import english, line, private_files, queued, roster_file

__all__ = ["english", "private_files", "queued"]  # fixtures used here by name


def rewritten(upload, replace=None, add=None):
    """``upload`` with some zip members replaced or added (written in the original order)."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(BytesIO(upload.read()))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name, content in add.items():
            target.writestr(name, content)
    return SimpleUploadedFile(upload.name, buffer.getvalue())


@pytest.fixture
def no_full_parse(monkeypatch):
    """Parsing the workbook in the request is what must not happen."""

    def refuse(*args, **kwargs):
        raise AssertionError("the request parsed the whole workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(roster.openpyxl, "load_workbook", refuse)


@pytest.mark.usefixtures("english", "no_full_parse")
class TestCheckedInTheRequest:
    def test_a_good_roster_is_stored_and_queued_without_being_parsed(
        self, county, county_admin, queued
    ):
        upload = roster_file([line("001", county.village_a1)])

        roster_import = services.start_import(county_admin, county.county, upload)

        assert queued == [roster_import.pk]
        assert roster_import.status == RosterImport.Status.PENDING

    def test_a_huge_shared_strings_table_is_refused_on_the_file_field(
        self, county, county_admin, monkeypatch
    ):
        monkeypatch.setattr(roster, "MAX_SHARED_BYTES", 100_000)
        strings = b"<sst>" + b"<si><t>" + b"x" * 200_000 + b"</t></si></sst>"
        upload = rewritten(
            roster_file([line("001", county.village_a1)]), add={"xl/sharedStrings.xml": strings}
        )

        with pytest.raises(ValidationError) as refused:
            services.start_import(county_admin, county.county, upload)

        assert list(refused.value.message_dict) == ["file"]
        assert "unpacks to more than" in refused.value.messages[0]
        assert not RosterImport.objects.exists()

    def test_a_zip_bomb_is_refused(self, county, county_admin, monkeypatch):
        monkeypatch.setattr(roster, "MAX_UNPACKED_BYTES", 1_000_000)
        upload = rewritten(
            roster_file([line("001", county.village_a1)]), add={"xl/media/bomb.bin": b"\0" * 2**21}
        )

        with pytest.raises(ValidationError, match="unpacks to more than"):
            services.start_import(county_admin, county.county, upload)
        assert not RosterImport.objects.exists()

    def test_more_rows_than_a_roster_may_have_are_refused_from_the_dimension(
        self, county, county_admin, monkeypatch
    ):
        monkeypatch.setattr(roster, "MAX_ROWS", 3)
        upload = roster_file([line(f"{n:03d}", county.village_a1) for n in range(4)])

        with pytest.raises(ValidationError) as refused:
            services.start_import(county_admin, county.county, upload)

        assert refused.value.message_dict == {
            "file": ["The roster has more than 3 rows; split it into several files."]
        }
        assert not RosterImport.objects.exists()

    def test_without_a_dimension_the_rows_are_counted(self, county, county_admin, monkeypatch):
        monkeypatch.setattr(roster, "MAX_ROWS", 3)
        upload = roster_file([line(f"{n:03d}", county.village_a1) for n in range(4)])
        sheet = zipfile.ZipFile(BytesIO(upload.read())).read("xl/worksheets/sheet1.xml")
        upload.seek(0)
        sheet = sheet.replace(b'<dimension ref="A1:H5" />', b"")
        upload = rewritten(upload, replace={"xl/worksheets/sheet1.xml": sheet})

        with pytest.raises(ValidationError, match="more than 3 rows"):
            services.start_import(county_admin, county.county, upload)

    def test_a_zip_that_is_not_a_workbook_is_refused(self, county, county_admin):
        upload = rewritten(
            roster_file([line("001", county.village_a1)]),
            replace={"xl/workbook.xml": b"<workbook>"},
        )

        with pytest.raises(ValidationError) as refused:
            services.start_import(county_admin, county.county, upload)

        assert refused.value.message_dict == {
            "file": ["“执委名册.xlsx” cannot be opened as an Excel workbook."]
        }


def test_the_import_page_shows_the_problem_on_the_file_field(
    county, county_admin, client_as, monkeypatch
):
    monkeypatch.setattr(roster, "MAX_ROWS", 1)
    upload = roster_file([line(f"{n:03d}", county.village_a1) for n in range(2)])

    response = client_as(county_admin).post("/liaison/representatives/import/", {"file": upload})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    "replace",
    [
        {"xl/workbook.xml": b"<workbook/>"},
        {"xl/_rels/workbook.xml.rels": b"<Relationships/>"},
        {"xl/worksheets/sheet1.xml": b"<worksheet><dimension"},
    ],
    ids=["no sheets", "no relationship", "broken sheet"],
)
@pytest.mark.usefixtures("english")
def test_a_workbook_missing_its_parts_is_refused(county, replace):
    upload = rewritten(roster_file([line("001", county.village_a1)]), replace=replace)

    with pytest.raises(ValidationError, match="cannot be opened as an Excel workbook"):
        services.check_roster_file(upload)
