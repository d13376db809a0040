"""The API contract: token endpoint, router paths, per-field JSON errors, OpenAPI and docs."""

import pytest

from apps.organizations.models import Period


def test_token_endpoint_returns_a_usable_token(api_client, village_a1_rep):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "village_a1_rep", "password": "pw-for-tests"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/users/me/").json()
    assert me["username"] == "village_a1_rep"
    assert me["memberships"][0]["role"] == "village_rep"
    assert me["memberships"][0]["unit_name"] == "甲一村"


def test_token_endpoint_rejects_bad_credentials_per_field(api_client, village_a1_rep):
    response = api_client.post("/api/v1/auth/token/", {"username": "village_a1_rep"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_periods_crud_for_county_admin(api_as, county_admin):
    api = api_as(county_admin)
    created = api.post(
        "/api/v1/periods/",
        {"name": "2027年度", "kind": "year", "start_date": "2027-01-01", "end_date": "2027-12-31"},
    )
    assert created.status_code == 201, created.json()
    assert api.get("/api/v1/periods/").json()["count"] == 1


def test_bad_period_gets_a_message_per_field_in_chinese(api_as, county_admin):
    response = api_as(county_admin).post(
        "/api/v1/periods/",
        {"name": "错", "kind": "decade", "start_date": "2027-12-31", "end_date": "2027-01-01"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"kind"}
    assert "不是合法选项" in errors["kind"][0]
    assert not Period.objects.exists()


def test_end_before_start_is_refused_on_the_end_date(api_as, county_admin):
    response = api_as(county_admin).post(
        "/api/v1/periods/",
        {"name": "错", "kind": "year", "start_date": "2027-12-31", "end_date": "2027-01-01"},
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["结束日期不能早于开始日期。"]}
    assert not Period.objects.exists()


@pytest.mark.parametrize("persona", ["township_a_staff", "village_a1_rep", "leader"])
def test_only_county_admin_creates_periods(request, api_as, persona):
    response = api_as(request.getfixturevalue(persona)).post(
        "/api/v1/periods/",
        {"name": "2027年度", "kind": "year", "start_date": "2027-01-01", "end_date": "2027-12-31"},
    )
    assert response.status_code == 403


def test_english_errors_on_request(api_as, county_admin):
    response = api_as(county_admin).post(
        "/api/v1/periods/",
        {"name": "x", "kind": "year", "start_date": "2027-12-31", "end_date": "2027-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json() == {"end_date": ["The end date must not be before the start date."]}


def test_openapi_schema_lists_the_contract_paths(api_client, db):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/org-units/",
        "/api/v1/periods/",
        "/api/v1/users/me/",
        "/api/v1/notifications/{id}/read/",
    ):
        assert path in paths


def test_docs_page_loads_only_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "http://" not in page and "https://" not in page
    assert "<script>" not in page  # the split view keeps the CSP free of inline scripts
