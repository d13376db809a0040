"""Her satisfaction with a completed referral, recorded by the side that referred the case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.coordination import services
from apps.coordination.models import Referral


@pytest.fixture
def referral(village_a1_rep, case_a1, school_aid):
    return services.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="verbal"
    )


@pytest.fixture
def completed(referral, dept_liaison):
    services.accept_referral(dept_liaison, referral)
    return services.complete_referral(dept_liaison, referral, outcome="已发放助学金")


def test_the_representative_records_her_satisfaction(completed, village_a1_rep):
    rated = services.rate_referral(village_a1_rep, completed, satisfaction="partly")
    assert (rated.satisfaction, rated.rated_by) == ("partly", village_a1_rep)
    assert rated.rated_at is not None
    # A retry with the same answer is harmless; another answer is refused.
    assert services.rate_referral(village_a1_rep, completed, satisfaction="partly").pk == rated.pk
    with pytest.raises(ValidationError) as error:
        services.rate_referral(village_a1_rep, completed, satisfaction="satisfied")
    assert "satisfaction" in error.value.message_dict
    completed.refresh_from_db()
    assert completed.satisfaction == "partly"


def test_staff_handling_the_case_record_it_too(completed, township_a_staff, county_admin):
    assert services.rate_referral(township_a_staff, completed, satisfaction="satisfied")


def test_only_the_referring_side_records_it(
    completed, dept_liaison, leader, village_b1_rep, police_liaison
):
    for user in (dept_liaison, leader, village_b1_rep, police_liaison):
        with pytest.raises(PermissionDenied):
            services.rate_referral(user, completed, satisfaction="satisfied")
    completed.refresh_from_db()
    assert completed.satisfaction == ""


def test_only_a_completed_referral_is_rated(referral, village_a1_rep, dept_liaison):
    with pytest.raises(ValidationError) as error:
        services.rate_referral(village_a1_rep, referral, satisfaction="satisfied")
    assert "satisfaction" in error.value.message_dict
    services.decline_referral(dept_liaison, referral, reason="不符合条件")
    with pytest.raises(ValidationError):
        services.rate_referral(village_a1_rep, referral, satisfaction="satisfied")
    assert not Referral.objects.exclude(satisfaction="").exists()


def test_an_unknown_answer_is_refused(completed, village_a1_rep):
    for answer in ("", "happy"):
        with pytest.raises(ValidationError) as error:
            services.rate_referral(village_a1_rep, completed, satisfaction=answer)
        assert "satisfaction" in error.value.message_dict


def test_rating_on_the_page(completed, client_as, village_a1_rep, dept_liaison):
    url = completed.get_absolute_url()
    desk = client_as(dept_liaison).get(url).content.decode()
    assert 'data-testid="rate-form"' not in desk
    client = client_as(village_a1_rep)
    assert 'data-testid="rate-form"' in client.get(url).content.decode()
    rate = f"/coordination/referrals/{completed.pk}/rate/"
    response = client.post(rate, {"satisfaction": ""}, follow=True)
    assert "请选择她的满意程度" in response.content.decode()
    assert not Referral.objects.filter(pk=completed.pk).exclude(satisfaction="").exists()
    response = client.post(rate, {"satisfaction": "satisfied"})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert 'data-testid="satisfaction"' in html and "满意" in html
    assert 'data-testid="rate-form"' not in html
    # The department reads it too; it may not record it.
    assert client_as(dept_liaison).post(rate, {"satisfaction": "dissatisfied"}).status_code == 403
    completed.refresh_from_db()
    assert completed.satisfaction == "satisfied"


def test_rating_through_the_api(completed, api_as, village_a1_rep, dept_liaison, village_b1_rep):
    url = f"/api/v1/referrals/{completed.pk}/rate/"
    response = api_as(village_a1_rep).post(url, {"satisfaction": "bad"}, format="json")
    assert response.status_code == 400 and "satisfaction" in response.json()
    assert api_as(dept_liaison).post(url, {"satisfaction": "satisfied"}).status_code == 403
    assert api_as(village_b1_rep).post(url, {"satisfaction": "satisfied"}).status_code == 404
    body = api_as(village_a1_rep).post(url, {"satisfaction": "dissatisfied"}, format="json").json()
    assert body["satisfaction"] == "dissatisfied" and body["rated_at"]
    read = api_as(dept_liaison).get(f"/api/v1/referrals/{completed.pk}/").json()
    assert read["satisfaction"] == "dissatisfied"
