"""Bad input anywhere in the API is a 4xx with a message per field, in the caller's language,
and writes nothing: never a 500."""

import re
from datetime import date

import pytest

from apps.liaison import services as liaison_services
from apps.liaison.models import Contact, Visit
from apps.objectives import services
from apps.organizations.models import Period
from tests.liaison.conftest import make_representative
from tests.objectives.conftest import quantitative

LONE_SURROGATE = '"\\ud800"'  # JSON text for a string that is half a UTF-16 pair


@pytest.fixture
def period(db):
    return Period.objects.create(
        name="2026年度",
        kind=Period.Kind.YEAR,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )


class TestDeletingWhatIsInUse:
    def test_a_period_with_a_plan_is_a_conflict_in_the_callers_language(
        self, period, county, county_admin, api_as
    ):
        services.create_plan(county_admin, period=period, unit=county.county, title="目标责任书")

        english = api_as(county_admin).delete(
            f"/api/v1/periods/{period.pk}/", HTTP_ACCEPT_LANGUAGE="en"
        )
        chinese = api_as(county_admin).delete(
            f"/api/v1/periods/{period.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

        assert english.status_code == chinese.status_code == 409
        assert english.json() == {
            "non_field_errors": ["This cannot be deleted while it is used by objective plans."]
        }
        assert chinese.json()["non_field_errors"][0] != english.json()["non_field_errors"][0]
        assert Period.objects.filter(pk=period.pk).exists()

    def test_an_unused_period_is_deleted(self, period, county_admin, api_as):
        response = api_as(county_admin).delete(f"/api/v1/periods/{period.pk}/")

        assert response.status_code == 204


CHOICE_AND_TEXT_FIELDS = [
    ("post", "/api/v1/contacts/", "risk", "county_admin"),
    ("post", "/api/v1/visits/", "mode", "village_a1_rep"),
    ("post", "/api/v1/cases/", "category", "village_a1_rep"),
    ("post", "/api/v1/objectives/", "category", "county_admin"),
    ("post", "/api/v1/objectives/", "kind", "county_admin"),
    ("post", "/api/v1/periods/", "kind", "county_admin"),
    ("patch", "/api/v1/representatives/{rep}/", "sector", "county_admin"),
    ("post", "/api/v1/objective-plans/", "title", "county_admin"),
    ("post", "/api/v1/contacts/", "address", "county_admin"),
    ("post", "/api/v1/visits/", "summary", "village_a1_rep"),
]


class TestTextThatCannotBeStored:
    @pytest.mark.parametrize(("method", "url", "field", "persona"), CHOICE_AND_TEXT_FIELDS)
    def test_a_lone_surrogate_is_refused_naming_the_field(
        self, request, county, village_a1_rep, api_as, method, url, field, persona
    ):
        rep = make_representative(village_a1_rep, county.village_a1, "A1-01")
        client = api_as(request.getfixturevalue(persona))

        response = getattr(client, method)(
            url.format(rep=rep.pk),
            f'{{"{field}": {LONE_SURROGATE}}}',
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 400
        assert response.json() == {
            field: ["Contains characters that cannot be stored (a NUL or a lone surrogate)."]
        }

    def test_nested_fields_are_named_by_their_path(self, period, county, county_admin, api_as):
        plan = services.create_plan(county_admin, period=period, unit=county.county, title="书")
        objective = services.add_objective(
            county_admin, plan, **quantitative(assignee_unit=county.county)
        )

        response = api_as(county_admin).patch(
            f"/api/v1/objectives/{objective.pk}/",
            f'{{"rubric": [{{"label": {LONE_SURROGATE}, "completion": 1}}]}}',
            content_type="application/json",
        )

        assert response.status_code == 400
        assert list(response.json()) == ["rubric.0.label"]

    def test_a_nul_in_a_form_body_is_refused(self, county, county_admin, api_as):
        response = api_as(county_admin).post(
            "/api/v1/contacts/",
            "full_name=%00&risk=green",
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 400
        assert list(response.json()) == ["full_name"]
        assert not Contact.objects.exists()

    def test_a_broken_utf8_query_string_is_not_a_server_error(self, county, county_admin, api_as):
        for query in ("risk=%ED%A0%80", "risk=%00", "ordering=%ED%A0%80", "page=%00"):
            response = api_as(county_admin).get(f"/api/v1/contacts/?{query}")

            assert response.status_code < 500, query


LONG = "长" * 5001
TOO_LONG = [
    ("/api/v1/visits/", {"summary": LONG}, "village_a1_rep", "summary"),
    (
        "/api/v1/visits/",
        {"needs_raised": [{"description": LONG}]},
        "village_a1_rep",
        "needs_raised",
    ),
    ("/api/v1/cases/", {"description": LONG}, "village_a1_rep", "description"),
    ("/api/v1/contacts/", {"tags": ["留守妇女"] * 21}, "county_admin", "tags"),
    ("/api/v1/objectives/", {"description": LONG}, "county_admin", "description"),
    ("/api/v1/innovation-items/", {"description": LONG}, "village_a1_rep", "description"),
    ("/api/v1/progress-reports/", {"narrative": LONG}, "village_a1_rep", "narrative"),
    ("/api/v1/cases/{case}/follow-up/", {"note": LONG[:2001]}, "village_a1_rep", "note"),
]


class TestFreeTextHasALimit:
    @pytest.mark.parametrize(("url", "body", "persona", "field"), TOO_LONG)
    def test_text_past_the_limit_is_a_field_error(
        self, request, county, village_a1_rep, api_as, url, body, persona, field
    ):
        rep = make_representative(village_a1_rep, county.village_a1, "A1-01")
        contact = Contact.objects.create(representative=rep, unit=county.village_a1, name="李")
        case = liaison_services.open_case(
            village_a1_rep, contact=contact, category="employment", description="找工作"
        )

        response = api_as(request.getfixturevalue(persona)).post(
            url.format(case=case.pk), body, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert response.status_code == 400
        assert field in response.json()
        assert re.search("characters|items", str(response.json()[field]))

    def test_the_visit_page_refuses_a_summary_past_the_limit(
        self, county, village_a1_rep, client_as
    ):
        rep = make_representative(village_a1_rep, county.village_a1, "A1-01")
        contact = Contact.objects.create(representative=rep, unit=county.village_a1, name="李")

        response = client_as(village_a1_rep).post(
            "/liaison/visits/new/",
            {"contacts": [contact.pk], "visited_on": "2026-11-01", "mode": "home", "summary": LONG},
        )

        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["summary"]
        assert not Visit.objects.exists()


def test_sorting_by_a_computed_field_is_ignored_not_a_500(county_admin, api_as):
    """The case list shows the household's masked name, a property SQL cannot sort by."""
    api = api_as(county_admin)
    for resource in ("cases", "contacts", "visits", "progress-reports", "objectives"):
        response = api.get(f"/api/v1/{resource}/", {"ordering": "contact__masked_name,light"})
        assert response.status_code == 200, resource


def test_only_stored_fields_are_offered_for_sorting():
    from apps.core.api.ordering import is_column
    from apps.liaison.models import Case

    assert is_column(Case, "opened_at")
    assert is_column(Case, "contact__name")
    assert is_column(Case, "pk")
    assert not is_column(Case, "contact__masked_name")
    assert not is_column(Case, "light")
    assert not is_column(Case, "state_deadline__year")
