"""The tree above the county: a province over a prefecture over two counties.

A prefecture's staff and leaders hold the county roles at the prefecture and see both of its
counties by the one path rule; a county's staff see only their own county."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Membership, User
from apps.coordination import services as coordination
from apps.core.roles import Role
from apps.liaison.models import Contact
from apps.organizations.models import OrgUnit
from tests.conftest import make_unit, make_user
from tests.liaison.conftest import make_household, make_representative


@dataclass
class Prefecture:
    province: OrgUnit
    prefecture: OrgUnit
    county_1: OrgUnit
    county_2: OrgUnit
    township_1: OrgUnit
    township_2: OrgUnit
    village_1: OrgUnit
    village_2: OrgUnit
    department: OrgUnit


@pytest.fixture
def tree(db):
    province = make_unit("测试省", "43", OrgUnit.Kind.PROVINCE)
    prefecture = make_unit("测试市", "4305", OrgUnit.Kind.PREFECTURE, province)
    county_1 = make_unit("一县", "430521", OrgUnit.Kind.COUNTY, prefecture)
    county_2 = make_unit("二县", "430522", OrgUnit.Kind.COUNTY, prefecture)
    township_1 = make_unit("一县甲镇", "430521101", OrgUnit.Kind.TOWNSHIP, county_1)
    township_2 = make_unit("二县乙镇", "430522101", OrgUnit.Kind.TOWNSHIP, county_2)
    return Prefecture(
        province=province,
        prefecture=prefecture,
        county_1=county_1,
        county_2=county_2,
        township_1=township_1,
        township_2=township_2,
        village_1=make_unit("甲一村", "430521101001", OrgUnit.Kind.VILLAGE, township_1),
        village_2=make_unit("乙一村", "430522101001", OrgUnit.Kind.VILLAGE, township_2),
        department=make_unit("市民政局", "4305901", OrgUnit.Kind.DEPARTMENT, prefecture),
    )


@pytest.fixture
def households(tree):
    reps = [
        make_representative(make_user(f"rep_{n}", Role.VILLAGE_REP, village), village, f"R{n}")
        for n, village in ((1, tree.village_1), (2, tree.village_2))
    ]
    return [make_household(rep) for rep in reps]


def _clean_error(unit, language="en"):
    with translation.override(language), pytest.raises(ValidationError) as raised:
        unit.full_clean()
    return raised.value.message_dict["parent"][0]


# --- the tree rules -------------------------------------------------------------------------


def test_a_deployment_rooted_at_a_county_is_unchanged(county):
    assert county.county.parent is None
    assert county.county.depth == 0
    assert county.township_a.path == "100/100101/"


def test_the_upper_levels_nest_and_paths_run_to_any_depth(tree):
    assert tree.village_1.path == "43/4305/430521/430521101/430521101001/"
    assert tree.village_1.depth == 4
    assert tree.prefecture.contains(tree.village_2)
    for unit in (tree.province, tree.prefecture, tree.county_1, tree.department):
        unit.full_clean()
    # A prefecture may also be a deployment's root.
    OrgUnit(name="独立市", code="4306", kind=OrgUnit.Kind.PREFECTURE).full_clean()


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        ("province", "prefecture", "A Provincial federation is a root and has no parent unit."),
        (
            "prefecture",
            "county_1",
            "A Prefecture federation is a root or sits under a Provincial federation.",
        ),
        (
            "county",
            "province",
            "A County federation is a root or sits under a Prefecture federation.",
        ),
        ("township", "prefecture", "A Township federation must sit under a County federation."),
        (
            "department",
            "township_1",
            "A Functional department must sit under a Provincial federation / "
            "Prefecture federation / County federation.",
        ),
    ],
)
def test_a_bad_parent_is_refused_with_a_clear_message(tree, kind, parent, message):
    unit = OrgUnit(name="新单位", code="999", kind=kind, parent=getattr(tree, parent))
    assert _clean_error(unit) == message


def test_departments_hang_under_any_federation_level_above_the_township(tree):
    for parent in (tree.province, tree.prefecture, tree.county_1):
        OrgUnit(name="部门", code="999", kind="department", parent=parent).full_clean()


def test_the_admin_form_refuses_a_bad_parent_and_writes_nothing(tree, client):
    admin = User.objects.create_superuser("root", password="pw-for-tests")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    before = OrgUnit.objects.count()
    response = client.post(
        reverse("admin:organizations_orgunit_add"),
        {"name": "错县", "code": "439999", "kind": "county", "parent": tree.province.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A County federation is a root or sits under a Prefecture federation." in (
        response.content.decode()
    )
    assert OrgUnit.objects.count() == before


# --- adding units through the API -----------------------------------------------------------


@pytest.fixture
def prefecture_admin(tree):
    return make_user("prefecture_admin", Role.COUNTY_ADMIN, tree.prefecture)


@pytest.fixture
def prefecture_leader(tree):
    return make_user("prefecture_leader", Role.LEADER, tree.prefecture)


@pytest.fixture
def county_1_admin(tree):
    return make_user("county_1_admin", Role.COUNTY_ADMIN, tree.county_1)


def test_prefecture_staff_add_a_county_under_the_prefecture(api_as, tree, prefecture_admin):
    response = api_as(prefecture_admin).post(
        "/api/v1/org-units/",
        {"name": "三县", "code": "430523", "kind": "county", "parent": tree.prefecture.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert OrgUnit.objects.get(code="430523").path == "43/4305/430523/"


def test_the_api_refuses_a_bad_parent_with_a_clear_message(api_as, tree, prefecture_admin):
    before = OrgUnit.objects.count()
    response = api_as(prefecture_admin).post(
        "/api/v1/org-units/",
        {"name": "错镇", "code": "4305101", "kind": "township", "parent": tree.prefecture.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["parent"] == [
        "A Township federation must sit under a County federation."
    ]
    assert OrgUnit.objects.count() == before


def test_a_county_admin_cannot_add_above_her_county(api_as, tree, county_1_admin):
    client = api_as(county_1_admin)
    above = client.post(
        "/api/v1/org-units/",
        {"name": "新市", "code": "4309", "kind": "prefecture", "parent": tree.province.pk},
        format="json",
    )
    root = client.post(
        "/api/v1/org-units/",
        {"name": "新省", "code": "44", "kind": "province"},
        format="json",
    )
    assert above.status_code == root.status_code == 400
    assert "parent" in above.json() and "parent" in root.json()
    assert not OrgUnit.objects.filter(code__in=["4309", "44"]).exists()


def test_kind_and_parent_stay_fixed_on_update(api_as, tree, prefecture_admin):
    response = api_as(prefecture_admin).patch(
        f"/api/v1/org-units/{tree.county_1.pk}/",
        {"name": "一县（新）", "parent": tree.province.pk, "kind": "prefecture"},
        format="json",
    )
    assert response.status_code == 200
    tree.county_1.refresh_from_db()
    assert (tree.county_1.name, tree.county_1.kind) == ("一县（新）", "county")
    assert tree.county_1.parent_id == tree.prefecture.pk


# --- roles held above the county --------------------------------------------------------------


def test_county_roles_are_held_at_any_federation_above_the_township(tree):
    user = User.objects.create_user("someone")
    for role in (Role.COUNTY_ADMIN, Role.LEADER):
        for unit in (tree.province, tree.prefecture, tree.county_1):
            Membership(user=user, role=role, unit=unit).full_clean()
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        Membership(user=user, role=Role.TOWNSHIP_STAFF, unit=tree.prefecture).full_clean()
    assert "Township federation" in raised.value.message_dict["unit"][0]
    with pytest.raises(ValidationError):
        Membership(user=user, role=Role.COUNTY_ADMIN, unit=tree.township_1).full_clean()


# --- scoping at prefecture level --------------------------------------------------------------


def _household_ids(client):
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_prefecture_staff_see_both_counties_and_county_staff_only_theirs(
    api_as, households, prefecture_admin, county_1_admin
):
    first, second = households
    assert _household_ids(api_as(prefecture_admin)) == {first.pk, second.pk}
    assert _household_ids(api_as(county_1_admin)) == {first.pk}


def test_a_prefecture_leader_reads_both_counties_by_the_same_rule(
    api_as, tree, households, prefecture_leader
):
    units = api_as(prefecture_leader).get("/api/v1/org-units/?page_size=100").json()["results"]
    codes = {row["code"] for row in units}
    assert {"430521101001", "430522101001", "4305901"} <= codes
    assert "43" not in codes
    # Households are counts only for a leader, over both counties.
    assert Contact.objects.in_area(prefecture_leader).count() == 2
    assert _household_ids(api_as(prefecture_leader)) == set()


# --- a department under a prefecture --------------------------------------------------------


def test_a_prefecture_department_refers_to_the_prefecture_or_its_counties(tree):
    liaison = make_user("prefecture_liaison", Role.DEPT_LIAISON, tree.department)
    units = set(coordination.addressable_units(liaison))
    assert units == {tree.prefecture, tree.county_1, tree.county_2}
    assert set(coordination.addressable_villages(liaison)) == {tree.village_1, tree.village_2}
    coordination._check_receiving_unit(tree.department, tree.county_2)
    with pytest.raises(ValidationError):
        coordination._check_receiving_unit(tree.department, tree.township_1)


# --- in Chinese -----------------------------------------------------------------------------


def test_the_tree_rules_speak_chinese(tree):
    unit = OrgUnit(name="新单位", code="999", kind="county", parent=tree.province)
    assert _clean_error(unit, "zh-hans") == "县妇联是顶级单位，或隶属于市（州）妇联。"
    unit = OrgUnit(name="新单位", code="999", kind="province", parent=tree.prefecture)
    assert _clean_error(unit, "zh-hans") == "省妇联是顶级单位，不能有上级单位。"


def test_the_admin_form_and_the_api_refuse_in_chinese(tree, client, api_as, prefecture_admin):
    admin = User.objects.create_superuser("root", password="pw-for-tests")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.post(
        reverse("admin:organizations_orgunit_add"),
        {"name": "错县", "code": "439999", "kind": "county", "parent": tree.province.pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "县妇联是顶级单位，或隶属于市（州）妇联。" in page.content.decode()
    response = api_as(prefecture_admin).post(
        "/api/v1/org-units/",
        {"name": "错镇", "code": "4305101", "kind": "township", "parent": tree.prefecture.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json()["parent"] == ["乡镇（街道）妇联的上级单位必须是县妇联。"]
    assert not OrgUnit.objects.filter(code__in=["439999", "4305101"]).exists()
