"""分解目标 in one table: one save writes every part or none, and each refused row says why."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.objectives import services
from apps.objectives.models import Objective
from apps.objectives.services.planning import DecompositionError
from apps.organizations.models import OrgUnit
from tests.conftest import make_user


@pytest.fixture
def twenty_villages(county):
    """Township A with 20 villages: the two of the county fixture and 18 more."""
    for index in range(18):
        OrgUnit.objects.create(
            name=f"甲{index + 3}村",
            code=f"100101{index + 3:03d}",
            kind=OrgUnit.Kind.VILLAGE,
            parent=county.township_a,
        )
    return list(OrgUnit.objects.filter(parent=county.township_a).order_by("path"))


@pytest.fixture
def township_part(split_training):
    """Township A's part of the county's training: 6 points, 180 people."""
    return split_training[0]


def rows(villages, weight="0.3", target="9"):
    return [
        {"assignee_unit": village, "weight": Decimal(weight), "target": Decimal(target)}
        for village in villages
    ]


@pytest.mark.parametrize(
    ("total", "bases", "step", "expected"),
    [
        (Decimal(10), [None, None, None], Decimal("0.01"), ["3.34", "3.33", "3.33"]),
        (Decimal(300), [1, 2, 3], Decimal(1), ["50", "100", "150"]),
        (Decimal(100), [1, 1, 1], Decimal(1), ["34", "33", "33"]),
        (Decimal(10), [5, 3, 2, 7], Decimal("0.01"), ["2.94", "1.76", "1.18", "4.12"]),
        (Decimal(6), [0, 0], Decimal("0.01"), ["3.00", "3.00"]),
    ],
)
def test_shares_are_equal_or_proportional_and_add_up_exactly(total, bases, step, expected):
    shares = services.share_out(total, bases, step)
    assert [str(share) for share in shares] == expected
    assert sum(shares) == total


def test_township_decomposes_to_twenty_villages_in_one_save(
    township_part, twenty_villages, township_a_staff
):
    parts = services.decompose_objective(township_a_staff, township_part, rows(twenty_villages))
    assert len(parts) == 20
    children = township_part.children.all()
    assert children.count() == 20
    assert sum(child.weight for child in children) == Decimal(6)
    assert {child.title for child in children} == {township_part.title}
    assert services.rule_violations([township_part, *children]) == []


def test_one_bad_row_among_twenty_writes_nothing_and_is_named(
    township_part, twenty_villages, township_a_staff, county
):
    table = rows(twenty_villages)
    table[7]["target"] = Decimal(0)
    table[12]["weight"] = Decimal("-1")
    table[15]["assignee_unit"] = county.village_b1  # another township's village
    with pytest.raises(DecompositionError) as raised:
        services.decompose_objective(township_a_staff, township_part, table)
    errors = raised.value.rows
    assert len(errors) == 20
    assert set(errors[7]) == {"target"}
    assert set(errors[12]) == {"weight"}
    assert set(errors[15]) == {"assignee_unit"}
    assert [index for index, row in enumerate(errors) if row] == [7, 12, 15]
    assert not township_part.children.exists()


def test_sums_problems_are_named_and_nothing_is_written(
    township_part, twenty_villages, township_a_staff
):
    with pytest.raises(DecompositionError) as raised:
        services.decompose_objective(
            township_a_staff, township_part, rows(twenty_villages, weight="0.4", target="5")
        )
    assert not any(raised.value.rows)
    assert len(raised.value.general) == 2  # weights 8 ≠ 6, targets 100 short of 180
    assert not township_part.children.exists()


def test_zero_rows_are_skipped_and_a_draft_part_is_edited_in_place(
    township_part, county, township_a_staff
):
    first = [
        {"assignee_unit": county.village_a1, "weight": Decimal(6), "target": Decimal(180)},
        {"assignee_unit": county.village_a2, "weight": Decimal(0), "target": None},
    ]
    services.decompose_objective(township_a_staff, township_part, first)
    (part,) = township_part.children.all()
    second = [
        {"assignee_unit": county.village_a1, "weight": Decimal(4), "target": Decimal(100)},
        {"assignee_unit": county.village_a2, "weight": Decimal(2), "target": Decimal(80)},
    ]
    services.decompose_objective(township_a_staff, township_part, second)
    part.refresh_from_db()
    assert (part.weight, part.target) == (Decimal(4), Decimal(100))
    assert township_part.children.count() == 2
    # Back to one village: the other draft part goes.
    second[0].update(weight=Decimal(6), target=Decimal(180))
    second[1].update(weight=Decimal(0))
    services.decompose_objective(township_a_staff, township_part, second)
    assert list(township_part.children.values_list("assignee_unit", flat=True)) == [
        county.village_a1.pk
    ]


def test_published_parts_change_only_through_revise(
    township_part, county, county_admin, township_a_staff
):
    services.publish_plan(county_admin, township_part.plan)
    table = [
        {"assignee_unit": county.village_a1, "weight": Decimal(3), "target": Decimal(90)},
        {"assignee_unit": county.village_a2, "weight": Decimal(3), "target": Decimal(90)},
    ]
    services.decompose_objective(township_a_staff, township_part, table)
    services.publish_decomposition(township_a_staff, township_part)
    table[0]["weight"], table[1]["weight"] = Decimal(4), Decimal(2)
    with pytest.raises(DecompositionError) as raised:
        services.decompose_objective(township_a_staff, township_part, table)
    assert "修订" in str(raised.value.rows[0]["weight"])
    assert sorted(township_part.children.values_list("weight", flat=True)) == [3, 3]


def test_a_personal_part_goes_to_someone_in_the_same_unit(township_part, county, township_a_staff):
    colleague = make_user("a_staff_2", "township_staff", county.township_a)
    assert (county.township_a, colleague) in services.planning.assignable(
        township_a_staff, township_part
    )
    table = [
        {"assignee_unit": county.village_a1, "weight": Decimal(5), "target": Decimal(150)},
        {"assignee_person": colleague, "weight": Decimal(1), "target": Decimal(30)},
    ]
    services.decompose_objective(township_a_staff, township_part, table)
    personal = township_part.children.get(assignee_person=colleague)
    assert personal.assignee_unit == county.township_a


def test_other_roles_and_areas_are_refused(township_part, county, village_a1_rep):
    staff_b = make_user("b_staff", "township_staff", county.township_b)
    table = [{"assignee_unit": county.village_a1, "weight": Decimal(6), "target": Decimal(180)}]
    for user in (village_a1_rep, staff_b):
        with pytest.raises(PermissionDenied):
            services.decompose_objective(user, township_part, table)
    assert not Objective.objects.filter(parent=township_part).exists()


# The API ---------------------------------------------------------------------------------


def api_rows(villages, weight="0.30", target="9"):
    return [{"assignee_unit": v.pk, "weight": weight, "target": target} for v in villages]


def test_api_writes_all_parts(api_as, township_part, twenty_villages, township_a_staff):
    response = api_as(township_a_staff).post(
        f"/api/v1/objectives/{township_part.pk}/decompose/",
        {"parts": api_rows(twenty_villages)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert len(response.json()["children"]) == 20


def test_api_names_every_bad_row_and_writes_nothing(
    api_as, township_part, twenty_villages, township_a_staff, county
):
    body = api_rows(twenty_villages)
    body[3]["target"] = "0"
    body[9]["assignee_unit"] = county.village_b1.pk  # not in her area: "does not exist"
    body[11]["weight"] = "很多"
    response = api_as(township_a_staff).post(
        f"/api/v1/objectives/{township_part.pk}/decompose/", {"parts": body}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["parts"]
    assert len(errors) == 20
    # Field checks come first: the serializer names the rows it cannot read.
    assert set(errors[9]) == {"assignee_unit"} and "不存在" in errors[9]["assignee_unit"][0]
    assert set(errors[11]) == {"weight"}
    assert not township_part.children.exists()
    body[9]["assignee_unit"], body[11]["weight"] = twenty_villages[9].pk, "0.30"
    response = api_as(township_a_staff).post(
        f"/api/v1/objectives/{township_part.pk}/decompose/", {"parts": body}, format="json"
    )
    assert response.status_code == 400
    detail = response.json()
    assert [i for i, row in enumerate(detail["parts"]) if row] == [3]
    assert "目标值必须大于零" in detail["parts"][3]["target"][0]
    assert detail["non_field_errors"]  # the targets now fall 9 short of 180
    assert not township_part.children.exists()


def test_api_refuses_a_village_rep(api_as, township_part, county, village_a1_rep):
    response = api_as(village_a1_rep).post(
        f"/api/v1/objectives/{township_part.pk}/decompose/",
        {"parts": [{"assignee_unit": county.village_a1.pk, "weight": "6", "target": "180"}]},
        format="json",
    )
    assert response.status_code in {403, 404}
    assert not township_part.children.exists()


# The page ---------------------------------------------------------------------------------


def page_body(rows, action="save"):
    body = {"parts-TOTAL_FORMS": str(len(rows)), "parts-INITIAL_FORMS": "0", "action": action}
    for index, row in enumerate(rows):
        body |= {f"parts-{index}-{name}": value for name, value in row.items()}
    return body


def test_page_lists_every_village_with_an_equal_share(
    client_as, township_part, county, township_a_staff
):
    response = client_as(township_a_staff).get(f"/objectives/{township_part.pk}/decompose/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [unit for _form, unit, person in rows if not person] == [
        county.village_a1,
        county.village_a2,
    ]
    initial = [form.initial for form, _unit, _person in rows]
    assert [row["weight"] for row in initial[:2]] == [Decimal(3), Decimal(3)]
    assert [row["target"] for row in initial[:2]] == [Decimal(90), Decimal(90)]
    assert "js/decompose.js" in response.content.decode()


def test_page_saves_all_parts_or_shows_each_rows_problem(
    client_as, township_part, county, township_a_staff
):
    client = client_as(township_a_staff)
    url = f"/objectives/{township_part.pk}/decompose/"
    bad = [
        {"assignee_unit": county.village_a1.pk, "weight": "3", "target": "0"},
        {"assignee_unit": county.village_a2.pk, "weight": "3", "target": "90"},
    ]
    response = client.post(url, page_body(bad))
    assert response.status_code == 200
    forms = [form for form, _unit, _person in response.context["rows"]]
    assert "target" in forms[0].errors and not forms[1].errors
    assert not township_part.children.exists()
    good = [dict(bad[0], target="90"), bad[1]]
    response = client.post(url, page_body(good))
    assert response.status_code == 302
    assert township_part.children.count() == 2


def test_share_by_a_basis_imported_from_a_csv(client_as, township_part, county, township_a_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(township_a_staff)
    rows = [
        {"assignee_unit": county.village_a1.pk, "weight": "0"},
        {"assignee_unit": county.village_a2.pk, "weight": "0"},
    ]
    csv = "单位代码,人口\n100101001,2000\n100101002,1000\n100102001,500\n100101002,abc\n"
    body = page_body(rows, action="import")
    body["figures"] = SimpleUploadedFile("人口.csv", csv.encode("gbk"), "text/csv")
    response = client.post(f"/objectives/{township_part.pk}/decompose/", body)
    assert response.status_code == 200
    initial = [form.initial for form, _unit, _person in response.context["rows"]]
    assert [(row["weight"], row["target"]) for row in initial] == [
        (Decimal(4), Decimal(120)),
        (Decimal(2), Decimal(60)),
    ]
    assert response.context["import_problems"] == [
        "第4行：单位代码 100102001 不在本表中。",
        "第5行：“abc”不是数字。",
    ]
    assert not township_part.children.exists()


def test_page_refuses_other_roles_and_areas(
    client_as, township_part, county, village_a1_rep, leader
):
    url = f"/objectives/{township_part.pk}/decompose/"
    body = page_body([{"assignee_unit": county.village_a1.pk, "weight": "6", "target": "180"}])
    for user in (village_a1_rep, leader):
        assert client_as(user).get(url).status_code == 403
        assert client_as(user).post(url, body).status_code == 403
    staff_b = make_user("b_staff", "township_staff", county.township_b)
    assert client_as(staff_b).get(url).status_code == 404
    assert client_as(staff_b).post(url, body).status_code == 404
    assert not township_part.children.exists()


def test_objective_page_links_to_the_table(client_as, township_part, township_a_staff):
    response = client_as(township_a_staff).get(f"/objectives/{township_part.pk}/")
    assert f"/objectives/{township_part.pk}/decompose/" in response.content.decode()


def test_figures_are_read_from_an_xlsx_with_each_bad_row_named():
    from io import BytesIO

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    workbook = openpyxl.Workbook()
    for line in (["单位代码", "人口"], [100101001, 2000], ["100101002", -5], ["100101009", 10]):
        workbook.active.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("人口.xlsx", buffer.getvalue())
    with translation.override("zh-hans"):
        figures, problems = services.planning.read_figures(upload, {"100101001", "100101002"})
    assert figures == {"100101001": Decimal(2000)}
    assert problems == [
        "第3行：基数必须是不小于零的数字。",
        "第4行：单位代码 100101009 不在本表中。",
    ]


def test_a_renamed_file_is_refused_cheaply(client_as, township_part, county, township_a_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = page_body([{"assignee_unit": county.village_a1.pk, "weight": "0"}], action="import")
    body["figures"] = SimpleUploadedFile("人口.xlsx", b"\x7fELF" + b"\x00" * 64)
    response = client_as(township_a_staff).post(f"/objectives/{township_part.pk}/decompose/", body)
    assert response.status_code == 200
    assert "不是允许的文件类型" in " ".join(response.context["import_problems"])


def test_saving_into_a_closed_plan_is_refused_on_the_page(
    client_as, township_part, county, township_a_staff
):
    township_part.plan.status = "closed"
    township_part.plan.save(update_fields=["status"])
    body = page_body([{"assignee_unit": county.village_a1.pk, "weight": "6", "target": "180"}])
    response = client_as(township_a_staff).post(f"/objectives/{township_part.pk}/decompose/", body)
    assert response.status_code == 200
    assert response.context["problems"]
    assert not township_part.children.exists()
