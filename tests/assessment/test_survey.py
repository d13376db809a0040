"""第三方测评: a survey firm's file (.xlsx or .csv) of scores, checked row by row and entered all
or nothing."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assessment import services
from apps.assessment.models import Indicator, ManualScore
from tests.assessment.conftest import scored

D = Decimal


def xlsx(rows, name="测评结果.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text, encoding="utf-8", name="测评结果.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


@pytest.fixture
def scheme(county_admin, year):
    """甲镇 and 乙镇 scored by hand (70) and by a survey firm's 群众满意度测评 (30)."""
    return services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作考核",
        period=year,
        level="township",
        indicators=[
            {"title": "工作实绩", "max_points": 70, "kind": "manual"},
            {"title": "群众满意度测评", "max_points": 30, "kind": "survey"},
        ],
    )


def survey(scheme):
    return Indicator.objects.get(scheme=scheme, kind="survey")


def test_a_workbook_of_scores_is_entered(county, county_admin, scheme):
    upload = xlsx([["序号", "单位", "得分"], [1, "100101", 27.5], [2, "乙镇", 30], [None, None]])

    assert services.import_survey(county_admin, survey(scheme), upload, "initial") == 2

    scores = dict(ManualScore.objects.values_list("unit__name", "value"))
    assert scores == {"甲镇": D("27.50"), "乙镇": D("30.00")}
    results = {r.unit.name: r.total for r in scored(scheme, "initial")}
    assert results == {"甲镇": D("27.50"), "乙镇": D("30.00")}


def test_a_csv_saved_by_excel_in_gbk_is_read(county_admin, scheme):
    upload = csv_file("单位编码,得分\r\n100101,25\r\n100102,18.5\r\n", encoding="gbk")

    assert services.import_survey(county_admin, survey(scheme), upload, "initial") == 2
    assert ManualScore.objects.get(unit__code="100102").value == D("18.50")


def test_every_bad_row_is_named_and_nothing_is_written(county_admin, scheme):
    upload = xlsx(
        [
            ["单位", "得分"],
            ["100101", 28],
            ["丙镇", 20],  # row 3: not assessed by this scheme
            ["乙镇", 31],  # row 4: above the item's 30
            ["甲镇", 10],  # row 5: 甲镇 again
            ["100102", -1],  # row 6: 乙镇 (code) again, and negative
            ["100102", "好"],  # row 7: again, and not a number
        ]
    )

    with pytest.raises(ValidationError) as error:
        services.import_survey(county_admin, survey(scheme), upload, "initial")

    messages = error.value.message_dict["file"]
    assert messages == [
        "第3行：“丙镇”不是本方案考核的单位。",
        "第4行：得分31应在0至30之间。",
        "第5行：“甲镇”已在第2行出现。",
        "第6行：“100102”已在第4行出现。",
        "第6行：得分-1应在0至30之间。",
        "第7行：“100102”已在第4行出现。",
        "第7行：“好”不是有效的得分。",
    ]
    assert not ManualScore.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("测评.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            "“测评.xlsx”既不是 Excel 工作簿（.xlsx），也不是 CSV 文件。",
        ),
        (
            SimpleUploadedFile("测评.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "“测评.csv”既不是 Excel 工作簿（.xlsx），也不是 CSV 文件。",
        ),
        (
            SimpleUploadedFile("测评.csv", b"\xff\xfe\x00\x00garbage\x00"),
            "“测评.csv”不是可读取的 CSV 文件。",
        ),
        (
            SimpleUploadedFile("测评.txt", "单位,得分\n甲镇,5\n".encode()),
            "“测评.txt”既不是 Excel 工作簿（.xlsx），也不是 CSV 文件。",
        ),
        (
            csv_file("名称,备注\n甲镇,好\n"),
            "第一行须写明单位列（单位编码或单位）和得分列（得分）。",
        ),
        (csv_file("单位,得分\n"), "文件表头下没有得分行。"),
    ],
    ids=["pdf-named-xlsx", "png-named-csv", "binary-csv", "txt", "no-columns", "no-rows"],
)
def test_a_file_of_the_wrong_kind_is_refused(county_admin, scheme, upload, message):
    with pytest.raises(ValidationError) as error:
        services.import_survey(county_admin, survey(scheme), upload, "initial")
    assert error.value.message_dict == {"file": [message]}
    assert not ManualScore.objects.exists()


def test_only_survey_items_and_county_staff(county_admin, township_a_staff, scheme):
    manual = Indicator.objects.get(scheme=scheme, kind="manual")
    with pytest.raises(ValidationError, match="不是第三方测评指标"):
        services.import_survey(county_admin, manual, csv_file("单位,得分\n甲镇,5\n"), "initial")
    with pytest.raises(PermissionDenied):
        services.import_survey(
            township_a_staff, survey(scheme), csv_file("单位,得分\n甲镇,5\n"), "self"
        )


def test_an_approved_round_takes_no_survey_scores(county, county_admin, scheme):
    results = scored(scheme, "self")
    services.approve_result(county_admin, next(r for r in results if r.unit == county.township_a))
    upload = csv_file("单位,得分\n甲镇,5\n乙镇,6\n")
    with pytest.raises(ValidationError) as error:
        services.import_survey(county_admin, survey(scheme), upload, "self")
    assert error.value.message_dict["file"] == ["第2行：“甲镇”的本轮结果已审定。"]
    assert not ManualScore.objects.exists()


def test_the_api_imports_a_multipart_upload(api_as, county_admin, township_a_staff, scheme):
    url = f"/api/v1/assessment-schemes/{scheme.pk}/import-survey/"
    body = {"indicator": survey(scheme).pk, "round": "initial"}

    good = api_as(county_admin).post(
        url, body | {"file": csv_file("单位,得分\n甲镇,29\n")}, format="multipart"
    )
    assert good.status_code == 200, good.json()
    assert good.json() == {"imported": 1}

    bad = api_as(county_admin).post(
        url, body | {"file": csv_file("单位,得分\n甲镇,99\n")}, format="multipart"
    )
    assert bad.status_code == 400
    assert bad.json()["file"] == ["第2行：得分99应在0至30之间。"]
    # In the user's own language.
    english = api_as(county_admin).post(
        url,
        body | {"file": csv_file("单位,得分\n丁镇,5\n")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["file"] == ["Row 2: “丁镇” is not among the units this scheme assesses."]
    assert ManualScore.objects.get().value == D("29.00")

    refused = api_as(township_a_staff).post(
        url, body | {"file": csv_file("单位,得分\n甲镇,29\n")}, format="multipart"
    )
    assert refused.status_code == 403


def test_county_staff_import_a_survey_file_on_the_scheme_page(
    client_as, county_admin, township_a_staff, scheme
):
    url = f"/assessment/schemes/{scheme.pk}/survey/"
    page = client_as(county_admin).get(url)
    assert list(page.context["form"].fields["indicator"].queryset) == [survey(scheme)]

    bad = client_as(county_admin).post(
        url,
        {
            "indicator": survey(scheme).pk,
            "round": "initial",
            "file": csv_file("单位,得分\r\n甲镇,31\r\n"),
        },
    )
    assert bad.status_code == 200
    assert "第2行" in " ".join(bad.context["form"].errors["file"])
    assert not ManualScore.objects.exists()

    good = client_as(county_admin).post(
        url,
        {
            "indicator": survey(scheme).pk,
            "round": "initial",
            "file": csv_file("单位,得分\r\n甲镇,28\r\n乙镇,30\r\n"),
        },
    )
    assert good.status_code == 302
    assert ManualScore.objects.count() == 2
    assert client_as(township_a_staff).get(url).status_code == 403
