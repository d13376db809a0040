"""A service's own page: everyone signed in reads it; only its keepers see the edit button."""

import pytest

EDIT = 'data-testid="edit-service"'


@pytest.mark.parametrize(
    ("persona", "keeps"),
    [
        ("county_admin", True),
        ("dept_liaison", True),
        ("police_liaison", False),
        ("township_a_staff", False),
        ("village_a1_rep", False),
        ("leader", False),
    ],
)
def test_everyone_reads_a_service_and_its_keepers_edit_it(
    request, client_as, school_aid, dept_liaison, persona, keeps
):
    from apps.coordination import services

    services.save_service(dept_liaison, school_aid, contact="教育局资助中心 0739-1234567")
    client = client_as(request.getfixturevalue(persona))
    html = client.get(school_aid.get_absolute_url()).content.decode()
    for text in ("学业资助", "县教育局", "困难家庭子女学业资助", "0739-1234567", "儿童教育"):
        assert text in html
    assert "按全县规定" in html  # no time of its own: the county's rule
    assert "dept_liaison" in html  # last verified by
    assert (EDIT in html) == keeps
    listing = client.get("/coordination/services/").content.decode()
    assert school_aid.get_absolute_url() in listing
    assert (f"/coordination/services/{school_aid.pk}/edit/" in listing) == keeps


def test_the_address_of_a_service_is_its_page(school_aid):
    assert school_aid.get_absolute_url() == f"/coordination/services/{school_aid.pk}/"


def test_saving_a_service_leads_to_its_page(client_as, dept_liaison, county, school_aid):
    body = {
        "department": county.department.pk,
        "name": "学业资助",
        "kind": "funds",
        "description": "d",
        "status": "active",
    }
    response = client_as(dept_liaison).post(f"/coordination/services/{school_aid.pk}/edit/", body)
    assert response["Location"] == school_aid.get_absolute_url()


def test_an_unknown_service_is_404(client_as, leader):
    assert client_as(leader).get("/coordination/services/99999/").status_code == 404
