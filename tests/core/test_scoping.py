"""The one scoping rule, seen through pages, exports and the API: another township's rows do
not exist for you (404), and lists leave them out."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.organizations.models import OrgUnit


def exported_names(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


class TestForUser:
    def test_village_rep_sees_only_own_village(self, county, village_a1_rep):
        assert list(OrgUnit.objects.for_user(village_a1_rep)) == [county.village_a1]

    def test_township_staff_sees_township_subtree(self, county, township_a_staff):
        assert set(OrgUnit.objects.for_user(township_a_staff)) == {
            county.township_a,
            county.village_a1,
            county.village_a2,
        }

    def test_county_roles_see_whole_county(self, county, county_admin, leader):
        assert OrgUnit.objects.for_user(county_admin).count() == 7
        assert OrgUnit.objects.for_user(leader).count() == 7

    def test_department_liaison_sees_own_department(self, county, dept_liaison):
        assert list(OrgUnit.objects.for_user(dept_liaison)) == [county.department]

    def test_user_without_membership_sees_nothing(self, county, django_user_model):
        stranger = django_user_model.objects.create_user("stranger", password="x")
        assert not OrgUnit.objects.for_user(stranger).exists()

    def test_moving_a_unit_moves_its_subtree(self, county):
        county.township_a.code = "100199"
        county.township_a.save()
        county.village_a1.refresh_from_db()
        assert county.village_a1.path == "100/100199/100101001/"


class TestPagesAcrossTownships:
    """A village rep of township B tries township A's village every way a page allows."""

    def test_list_leaves_other_township_out(self, county, client_as, village_b1_rep):
        response = client_as(village_b1_rep).get(reverse("organizations:orgunit-list"))
        assert response.status_code == 200
        assert list(response.context["object_list"]) == [county.village_b1]
        assert "甲一村" not in response.content.decode()

    def test_detail_of_other_township_is_404(self, county, client_as, village_b1_rep):
        url = reverse("organizations:orgunit-detail", args=[county.village_a1.pk])
        assert client_as(village_b1_rep).get(url).status_code == 404

    def test_change_of_other_township_is_404(self, county, client_as, township_a_staff):
        url = reverse("organizations:orgunit-edit", args=[county.village_b1.pk])
        response = client_as(township_a_staff).post(url, {"name": "改名", "code": "x"})
        assert response.status_code == 404
        county.village_b1.refresh_from_db()
        assert county.village_b1.name == "乙一村"

    def test_village_rep_cannot_change_even_own_village(self, county, client_as, village_b1_rep):
        url = reverse("organizations:orgunit-edit", args=[county.village_b1.pk])
        assert client_as(village_b1_rep).post(url, {"name": "改名", "code": "x"}).status_code == 403

    def test_township_staff_renames_own_village(self, county, client_as, township_a_staff):
        url = reverse("organizations:orgunit-edit", args=[county.village_a1.pk])
        response = client_as(township_a_staff).post(
            url, {"name": "甲一社区", "code": county.village_a1.code}
        )
        assert response.status_code == 302
        county.village_a1.refresh_from_db()
        assert county.village_a1.name == "甲一社区"

    def test_export_leaves_other_township_out(self, county, client_as, township_a_staff):
        url = reverse("organizations:orgunit-list") + "?export=xlsx"
        response = client_as(township_a_staff).get(url)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert exported_names(response) == {"甲镇", "甲一村", "甲二村"}

    def test_anonymous_is_sent_to_login(self, county, client):
        response = client.get(reverse("organizations:orgunit-list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestApiAcrossTownships:
    def test_list_leaves_other_township_out(self, county, api_as, village_b1_rep):
        response = api_as(village_b1_rep).get("/api/v1/org-units/")
        assert [row["name"] for row in response.json()["results"]] == ["乙一村"]

    def test_detail_of_other_township_is_404(self, county, api_as, village_b1_rep):
        response = api_as(village_b1_rep).get(f"/api/v1/org-units/{county.village_a1.pk}/")
        assert response.status_code == 404

    def test_change_of_other_township_is_404(self, county, api_as, township_a_staff):
        url = f"/api/v1/org-units/{county.village_b1.pk}/"
        response = api_as(township_a_staff).patch(url, {"name": "改名"})
        assert response.status_code == 404
        county.village_b1.refresh_from_db()
        assert county.village_b1.name == "乙一村"

    def test_village_rep_cannot_write(self, county, api_as, village_b1_rep):
        url = f"/api/v1/org-units/{county.village_b1.pk}/"
        assert api_as(village_b1_rep).patch(url, {"name": "改名"}).status_code == 403

    def test_leader_reads_everything_and_writes_nothing(self, county, api_as, leader):
        client = api_as(leader)
        assert client.get("/api/v1/org-units/").json()["count"] == 7
        url = f"/api/v1/org-units/{county.village_b1.pk}/"
        assert client.patch(url, {"name": "改名"}).status_code == 403

    def test_users_list_is_scoped(
        self, county, api_as, township_a_staff, village_a1_rep, village_b1_rep
    ):
        usernames = {
            row["username"]
            for row in api_as(township_a_staff).get("/api/v1/users/").json()["results"]
        }
        assert usernames == {"township_a_staff", "village_a1_rep"}

    @pytest.mark.parametrize(
        "path", ["/api/v1/org-units/", "/api/v1/periods/", "/api/v1/users/me/"]
    )
    def test_anonymous_is_refused(self, county, api_client, path):
        assert api_client.get(path).status_code == 401
