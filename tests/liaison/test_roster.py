"""执委名册导入: a roster is imported whole or not at all, with every problem named by row and
column, by county or township staff only, from a real .xlsx of at most 10 MB."""

from datetime import date, datetime, timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from apps.accounts.models import Membership, User
from apps.core.roles import Role
from apps.liaison import services, tasks
from apps.liaison.models import Representative, RosterImport
from apps.liaison.services import roster

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def roster_file(rows, header=roster.ROSTER_COLUMNS, name="执委名册.xlsx"):
    """An uploaded .xlsx whose first row is ``header`` and then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def line(number, village, name="王秀英", sector="农民", specialties="", start="2026-01-01"):
    return [number, name, "13800000000", village.code, sector, specialties, start, "2030-12-31"]


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    """Stored rosters go to a temporary folder instead of the project's media folder."""
    field = RosterImport._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """The ids the import task was queued with; no broker is involved."""
    ids = []

    def queue_on_commit(task, roster_import_id, **kwargs):
        assert task is tasks.run_roster_import
        ids.append(roster_import_id)

    monkeypatch.setattr(roster, "queue_on_commit", queue_on_commit)
    return ids


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def import_roster(user, unit, upload):
    roster_import = services.start_import(user, unit, upload)
    services.run_import(roster_import.pk)
    roster_import.refresh_from_db()
    return roster_import


class TestValidRoster:
    def test_every_row_becomes_a_representative_with_an_account(self, county, county_admin, queued):
        upload = roster_file(
            [
                line("001", county.village_a1, "王秀英", "农民", "家庭教育、矛盾调解"),
                line("002", county.village_a2, "李桂兰", "教师", "法律咨询,心理疏导，就业创业"),
                ["003", "张玉梅", None, county.village_b1.code, "律师", None]
                + [datetime(2025, 6, 1), datetime(2029, 5, 31)],
            ]
        )
        roster_import = import_roster(county_admin, county.county, upload)

        assert queued == [roster_import.pk]
        assert roster_import.status == RosterImport.Status.DONE
        assert (roster_import.total_rows, roster_import.imported_rows) == (3, 3)
        assert roster_import.errors == []
        first = Representative.objects.get(number="001")
        assert (first.unit, first.full_name, first.phone) == (
            county.village_a1,
            "王秀英",
            "13800000000",
        )
        assert (first.sector, first.specialties) == ("farmer", ["parenting", "mediation"])
        assert (first.term_start, first.term_end) == (date(2026, 1, 1), date(2030, 12, 31))
        assert first.is_active
        second = Representative.objects.get(number="002")
        assert second.specialties == ["legal", "counselling", "employment"]
        third = Representative.objects.get(number="003")
        assert (third.phone, third.specialties, third.term_start) == ("", [], date(2025, 6, 1))

    def test_accounts_are_village_reps_without_a_password(self, county, county_admin):
        import_roster(county_admin, county.county, roster_file([line("001", county.village_a1)]))

        user = User.objects.get(username="rep-001")
        assert (user.full_name, user.phone) == ("王秀英", "13800000000")
        assert not user.has_usable_password()
        assert user.representative.number == "001"
        membership = Membership.objects.get(user=user)
        assert (membership.role, membership.unit) == (Role.VILLAGE_REP, county.village_a1)

    def test_a_township_staffer_imports_into_her_township(self, county, township_a_staff):
        upload = roster_file([line("001", county.village_a1), line("002", county.village_a2)])

        roster_import = import_roster(township_a_staff, county.township_a, upload)

        assert roster_import.status == RosterImport.Status.DONE
        assert Representative.objects.count() == 2

    def test_progress_is_reported_every_200_rows_and_reaches_the_total(
        self, county, county_admin, monkeypatch
    ):
        reported = []
        report = roster._report_progress
        monkeypatch.setattr(
            roster,
            "_report_progress",
            lambda record, rows: reported.append(rows) or report(record, rows),
        )
        rows = [line(f"{n:04d}", county.village_a1) for n in range(450)]

        roster_import = import_roster(county_admin, county.county, roster_file(rows))

        assert reported == [200, 400, 450]
        assert roster_import.processed_rows == roster_import.total_rows == 450
        assert roster_import.percent == 100
        assert Representative.objects.count() == 450

    def test_the_template_is_a_valid_roster_header(self):
        sheet = openpyxl.load_workbook(BytesIO(roster.template_workbook())).active
        rows = list(sheet.iter_rows(values_only=True))

        assert list(rows[0]) == roster.ROSTER_COLUMNS
        assert rows[1][:2] == ("001", "王秀英")
        assert rows[1][4] == "农民"


@pytest.mark.usefixtures("english")
class TestAllOrNothing:
    def test_a_bad_date_in_row_57_imports_nothing(self, county, county_admin):
        rows = [line(f"{n:03d}", county.village_a1) for n in range(60)]
        rows[55][6] = "2026-13-01"  # the 56th data line is Excel row 57
        users_before = User.objects.count()

        roster_import = import_roster(county_admin, county.county, roster_file(rows))

        assert roster_import.status == RosterImport.Status.FAILED
        assert roster_import.errors == [
            {
                "row": 57,
                "column": "任期开始",
                "message": "“2026-13-01” is not a date; write it as YYYY-MM-DD.",
            }
        ]
        assert roster_import.processed_rows == roster_import.total_rows == 60
        assert roster_import.imported_rows == 0
        assert not Representative.objects.exists()
        assert User.objects.count() == users_before
        assert not Membership.objects.filter(role=Role.VILLAGE_REP).exists()

    def test_a_missing_column_is_one_problem_in_row_1(self, county, county_admin):
        header = [column for column in roster.ROSTER_COLUMNS if column != "界别"]
        upload = roster_file([["001", "王秀英", "", county.village_a1.code]], header=header)

        roster_import = import_roster(county_admin, county.county, upload)

        assert roster_import.status == RosterImport.Status.FAILED
        assert roster_import.errors == [
            {"row": 1, "column": "界别", "message": "The first row lacks these columns: 界别."}
        ]

    def test_every_problem_is_listed_with_its_row_and_column(self, county, county_admin):
        rows = [
            line("001", county.village_a1),
            line("002", county.village_a1, sector="农夫"),
            line("003", county.village_a1, specialties="法律咨询、唱歌"),
            ["004", "", "1380000", "999", "农民", "", "2026-01-01", "2025-12-31"],
            line("005", county.township_a),
            [None, "赵敏", None, county.village_a1.code, "农民", None, None, "2030-12-31"],
        ]

        roster_import = import_roster(county_admin, county.county, roster_file(rows))

        problems = [(error["row"], error["column"]) for error in roster_import.errors]
        assert problems == [
            (3, "界别"),
            (4, "特长"),
            (5, "姓名"),
            (5, "手机号"),
            (5, "村（社区）编码"),
            (5, "任期结束"),
            (6, "村（社区）编码"),
            (7, "编号"),
            (7, "任期开始"),
        ]
        messages = {
            (error["row"], error["column"]): error["message"] for error in roster_import.errors
        }
        assert messages[(4, "特长")].startswith("There is no specialty “唱歌”")
        assert messages[(5, "手机号")] == "A mobile phone number has 11 digits."
        assert messages[(5, "村（社区）编码")] == "There is no unit with the code 999."
        assert messages[(5, "任期结束")] == "The term cannot end before it starts."
        assert messages[(6, "村（社区）编码")] == "甲镇 is not a village or community."
        assert messages[(7, "编号")] == "This cell must not be empty."
        assert not Representative.objects.exists()

    def test_a_number_twice_in_the_file_names_both_rows(self, county, county_admin):
        rows = [line("001", county.village_a1), line("002", county.village_a1)]
        rows.append(line("001", county.village_a2))

        roster_import = import_roster(county_admin, county.county, roster_file(rows))

        assert roster_import.errors == [
            {
                "row": 4,
                "column": "编号",
                "message": "Number 001 appears twice, in rows 2 and 4.",
            }
        ]
        assert not Representative.objects.exists()

    def test_a_number_already_in_use_is_refused(self, county, county_admin, rep_a1):
        rows = [line("A1-01", county.village_a2), line("002", county.village_a2)]

        roster_import = import_roster(county_admin, county.county, roster_file(rows))

        assert roster_import.errors == [
            {
                "row": 2,
                "column": "编号",
                "message": "Number A1-01 already belongs to a representative.",
            }
        ]
        assert list(Representative.objects.all()) == [rep_a1]

    def test_a_township_staffer_cannot_import_into_another_township(self, county, township_a_staff):
        rows = [line("001", county.village_a1), line("002", county.village_b1)]

        roster_import = import_roster(township_a_staff, county.township_a, roster_file(rows))

        assert roster_import.errors == [
            {
                "row": 3,
                "column": "村（社区）编码",
                "message": f"There is no unit with the code {county.village_b1.code}.",
            }
        ]
        assert not Representative.objects.exists()

    def test_more_than_20000_rows_is_refused(self, county, county_admin, monkeypatch):
        rows = [line(f"{n:03d}", county.village_a1) for n in range(5)]
        roster_import = services.start_import(county_admin, county.county, roster_file(rows))
        # The task counts again: the request only read what the file declares.
        monkeypatch.setattr(roster, "MAX_ROWS", 3)

        services.run_import(roster_import.pk)
        roster_import.refresh_from_db()

        assert roster_import.status == RosterImport.Status.FAILED
        assert roster_import.errors == [
            {
                "row": 5,
                "column": "",
                "message": "The roster has more than 3 rows; split it into several files.",
            }
        ]

    def test_an_unexpected_failure_rolls_everything_back(self, county, county_admin, monkeypatch):
        def fail(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(Representative.objects, "bulk_create", fail)
        users_before = User.objects.count()

        roster_import = import_roster(
            county_admin, county.county, roster_file([line("001", county.village_a1)])
        )

        assert roster_import.status == RosterImport.Status.FAILED
        assert len(roster_import.errors) == 1
        assert roster_import.errors[0]["message"].startswith("The file could not be read.")
        assert User.objects.count() == users_before
        assert not Membership.objects.filter(role=Role.VILLAGE_REP).exists()


class TestRunningTwice:
    def test_a_second_run_does_nothing(self, county, county_admin):
        upload = roster_file([line("001", county.village_a1)])
        roster_import = services.start_import(county_admin, county.county, upload)

        assert tasks.run_roster_import(roster_import.pk) == RosterImport.Status.DONE
        assert tasks.run_roster_import(roster_import.pk) is None

        assert Representative.objects.count() == 1
        roster_import.refresh_from_db()
        assert roster_import.imported_rows == 1

    def test_an_import_another_live_run_holds_is_not_claimed_again(self, county, county_admin):
        upload = roster_file([line("001", county.village_a1)])
        roster_import = services.start_import(county_admin, county.county, upload)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.RUNNING, claimed_by="task-1", claimed_at=timezone.now()
        )

        assert services.run_import(roster_import.pk, claim="task-2") is None
        assert not Representative.objects.exists()

    def test_a_redelivered_task_finishes_the_import_it_claimed(self, county, county_admin):
        """Its worker was killed mid-run: the same task id comes back and starts over."""
        upload = roster_file([line("001", county.village_a1), line("002", county.village_a1)])
        roster_import = services.start_import(county_admin, county.county, upload)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.RUNNING,
            claimed_by="task-1",
            claimed_at=timezone.now(),
            processed_rows=1,
        )

        assert services.run_import(roster_import.pk, claim="task-1") == RosterImport.Status.DONE
        roster_import.refresh_from_db()
        assert (roster_import.imported_rows, roster_import.processed_rows) == (2, 2)
        assert Representative.objects.count() == 2

    def test_a_claim_older_than_the_task_time_limit_is_taken_over(
        self, county, county_admin, settings
    ):
        upload = roster_file([line("001", county.village_a1)])
        roster_import = services.start_import(county_admin, county.county, upload)
        held_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.RUNNING, claimed_by="dead-task", claimed_at=held_since
        )

        assert services.run_import(roster_import.pk, claim="task-2") == RosterImport.Status.DONE
        assert Representative.objects.count() == 1

    def test_the_progress_page_fails_an_abandoned_import(
        self, county, township_a_staff, client_as, settings
    ):
        """The run hit the hard time limit and nobody will run it again: the page stops."""
        upload = roster_file([line("001", county.village_a1)])
        roster_import = services.start_import(township_a_staff, county.township_a, upload)
        held_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=RosterImport.Status.RUNNING, claimed_by="dead-task", claimed_at=held_since
        )

        progress = client_as(township_a_staff).get(
            f"/liaison/representatives/import/{roster_import.pk}/", {"format": "json"}
        )

        assert progress.json()["status"] == "failed"
        assert progress.json()["finished"] is True
        roster_import.refresh_from_db()
        assert "中断" in roster_import.errors[0]["message"]


@pytest.mark.usefixtures("english")
class TestUploads:
    def test_a_50_mb_file_is_refused_naming_the_limit(self, county, county_admin):
        upload = roster_file([line("001", county.village_a1)])
        upload.size = 50 * 1024 * 1024

        with pytest.raises(ValidationError) as refused:
            services.start_import(county_admin, county.county, upload)

        assert refused.value.messages == [
            "“执委名册.xlsx” is 50.0\xa0MB; files may be at most 10.0\xa0MB."
        ]
        assert not RosterImport.objects.exists()

    def test_a_pdf_named_xlsx_is_refused(self, county, county_admin):
        upload = SimpleUploadedFile("roster.xlsx", PDF)

        with pytest.raises(ValidationError) as refused:
            services.start_import(county_admin, county.county, upload)

        assert refused.value.messages == ["“roster.xlsx” is not an accepted file. Accepted: xlsx."]
        assert not RosterImport.objects.exists()

    def test_a_damaged_workbook_is_refused(self, county, county_admin):
        content = roster_file([line(f"{n:03d}", county.village_a1) for n in range(400)]).read()
        upload = SimpleUploadedFile("roster.xlsx", content[: len(content) // 2])

        with pytest.raises(ValidationError) as refused:
            services.check_roster_file(upload)

        assert refused.value.messages == ["“roster.xlsx” cannot be opened as an Excel workbook."]

    def test_a_good_file_passes_and_can_be_read_again(self, county):
        upload = roster_file([line("001", county.village_a1)])

        services.check_roster_file(upload)

        assert upload.read(2) == b"PK"


class TestPermissions:
    def test_a_village_rep_cannot_start_an_import(self, county, village_a1_rep):
        upload = roster_file([line("001", county.village_a1)])

        with pytest.raises(PermissionDenied):
            services.start_import(village_a1_rep, county.village_a1, upload)
        assert not RosterImport.objects.exists()

    def test_a_leader_cannot_start_an_import(self, county, leader):
        with pytest.raises(PermissionDenied):
            services.start_import(leader, county.county, roster_file([]))

    def test_a_township_staffer_cannot_import_into_the_county(self, county, township_a_staff):
        with pytest.raises(PermissionDenied):
            services.start_import(township_a_staff, county.county, roster_file([]))

    def test_a_township_staffer_cannot_import_into_another_township(self, county, township_a_staff):
        with pytest.raises(PermissionDenied):
            services.start_import(township_a_staff, county.township_b, roster_file([]))
