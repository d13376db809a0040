"""Representatives' phones by role, and household search that cannot undo masking."""

import pytest
from django.test import RequestFactory

from apps.core.models import AccessLog
from apps.core.roles import Role
from apps.liaison.filters import ContactFilterSet
from apps.liaison.models import Contact
from tests.conftest import make_user
from tests.liaison.conftest import make_representative

PHONE = "13700001111"
MASKED = "137****1111"


@pytest.fixture
def rep_with_phone(rep_a1):
    rep_a1.phone = PHONE
    rep_a1.save()
    return rep_a1


def api_phone(client, representative):
    rows = client.get("/api/v1/representatives/").json()["results"]
    return {row["id"]: row["phone"] for row in rows}.get(representative.pk)


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("county_admin", PHONE),
        ("township_a_staff", PHONE),
        ("village_a1_rep", PHONE),  # her own number
        ("leader", MASKED),
        ("dept_liaison", None),  # no representatives in her area at all
    ],
)
def test_representative_phone_by_role(request, api_as, client_as, rep_with_phone, viewer, expected):
    user = request.getfixturevalue(viewer)
    assert api_phone(api_as(user), rep_with_phone) == expected
    page = client_as(user).get("/liaison/representatives/").content.decode()
    assert (PHONE in page) is (expected == PHONE)
    assert (MASKED in page) is (expected == MASKED)


def test_other_representatives_of_the_village_see_her_number_masked(api_as, county, rep_with_phone):
    colleague = make_user("colleague_a1", Role.VILLAGE_REP, county.village_a1)
    make_representative(colleague, county.village_a1, "A1-02")
    assert api_phone(api_as(colleague), rep_with_phone) == MASKED
    detail = api_as(colleague).get(f"/api/v1/representatives/{rep_with_phone.pk}/").json()
    assert detail["phone"] == MASKED


def test_edit_page_shows_the_number_to_staff_and_refuses_others(
    client_as, township_a_staff, leader, rep_with_phone
):
    url = f"/liaison/representatives/{rep_with_phone.pk}/edit/"
    assert PHONE in client_as(township_a_staff).get(url).content.decode()
    assert client_as(leader).get(url).status_code in (403, 404)


def test_staff_can_still_change_the_number(api_as, township_a_staff, rep_with_phone):
    response = api_as(township_a_staff).patch(
        f"/api/v1/representatives/{rep_with_phone.pk}/", {"phone": "13900002222"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "13900002222"


@pytest.mark.parametrize(("viewer", "found"), [("township_a_staff", True), ("leader", False)])
def test_representative_phone_search_only_where_readable(
    request, api_as, rep_with_phone, viewer, found
):
    client = api_as(request.getfixturevalue(viewer))
    rows = client.get("/api/v1/representatives/", {"q": "00001111"}).json()["results"]
    assert (rep_with_phone.pk in [row["id"] for row in rows]) is found


class TestHouseholdSearch:
    def searches(self):
        return AccessLog.objects.filter(record_type="search")

    def test_search_over_masked_name_is_logged_as_a_read(
        self, api_as, township_a_staff, household_a1
    ):
        rows = api_as(township_a_staff).get("/api/v1/contacts/", {"q": "张桂芳"}).json()
        assert [row["id"] for row in rows["results"]] == [household_a1.pk]
        entry = self.searches().get()
        assert entry.user == township_a_staff
        assert entry.record_id == 1  # rows matched
        assert "张桂芳" in entry.record_label and "liaison.contact" in entry.record_label
        assert "13812345678" not in entry.record_label

    def test_a_search_that_misses_is_logged_too(self, api_as, township_a_staff, household_a1):
        api_as(township_a_staff).get("/api/v1/contacts/", {"q": "王小红"})
        assert self.searches().get().record_id == 0

    def test_page_search_is_logged(self, client_as, county_admin, household_a1):
        page = client_as(county_admin).get("/liaison/households/", {"q": "甲一村三组"})
        assert "138****5678" in page.content.decode()
        assert self.searches().count() == 1

    def test_phone_and_address_are_searched_for_those_who_may_open(
        self, api_as, county_admin, household_a1
    ):
        client = api_as(county_admin)
        for query in ("13812345678", "三组12号"):
            ids = [
                row["id"] for row in client.get("/api/v1/contacts/", {"q": query}).json()["results"]
            ]
            assert ids == [household_a1.pk]

    def test_listing_without_search_logs_nothing(self, api_as, township_a_staff, household_a1):
        api_as(township_a_staff).get("/api/v1/contacts/")
        assert not self.searches().exists()

    def test_search_never_matches_households_the_user_may_not_open(
        self, village_b1_rep, household_a1, household_b1
    ):
        """Even over a list broader than what she may open, a guess is not confirmed."""
        request = RequestFactory().get("/api/v1/contacts/", {"q": "张桂芳"})
        request.user = village_b1_rep
        filterset = ContactFilterSet(request.GET, queryset=Contact.objects.all(), request=request)
        assert list(filterset.qs) == []
        assert self.searches().get().record_id == 0

    def test_search_by_someone_outside_the_village_finds_nothing(
        self, api_as, village_b1_rep, household_a1
    ):
        rows = api_as(village_b1_rep).get("/api/v1/contacts/", {"q": "张桂芳"}).json()
        assert rows["results"] == []


def test_representatives_cannot_be_sorted_by_the_masked_phone(api_as, county, leader, rep_a1):
    """Sorting by the full number would reveal the masked digits one comparison at a time."""
    colleague = make_user("colleague_a1", Role.VILLAGE_REP, county.village_a1)
    later = make_representative(colleague, county.village_a1, "A1-02")
    rep_a1.phone, later.phone = "13100000000", "13900000000"  # phone order ≠ name order
    rep_a1.save()
    later.save()
    rows = api_as(leader).get("/api/v1/representatives/", {"ordering": "phone"}).json()["results"]
    by_name = sorted([rep_a1, later], key=lambda rep: rep.full_name)
    assert [row["id"] for row in rows] == [rep.pk for rep in by_name]
