"""Staff edit representatives; households change risk colour; the access log is read-only."""

from apps.core.models import AccessLog


def test_township_edits_its_representative_not_another(client_as, township_a_staff, rep_a1, rep_b1):
    client = client_as(township_a_staff)
    data = {
        "full_name": "王秀英",
        "phone": "13900001111",
        "sector": "teacher",
        "specialties": ["legal"],
        "term_start": "2024-01-01",
        "term_end": "2028-12-31",
        "is_active": "on",
    }
    assert client.post(f"/liaison/representatives/{rep_a1.pk}/edit/", data).status_code == 302
    rep_a1.refresh_from_db()
    assert rep_a1.sector == "teacher"
    assert client.post(f"/liaison/representatives/{rep_b1.pk}/edit/", data).status_code == 404


def test_representative_changes_a_households_risk(client_as, village_a1_rep, household_a1):
    response = client_as(village_a1_rep).post(
        f"/liaison/households/{household_a1.pk}/edit/",
        {"name": household_a1.name, "phone": "", "address": "", "tags": "", "risk": "orange"},
    )
    assert response.status_code == 302
    household_a1.refresh_from_db()
    assert household_a1.risk == "orange"


def test_access_log_admin_is_read_only(client, county_admin, household_a1):
    from apps.core.access_log import record_access

    county_admin.is_staff = county_admin.is_superuser = True
    county_admin.save()
    record_access(county_admin, household_a1)
    client.force_login(county_admin, backend="django.contrib.auth.backends.ModelBackend")
    entry = AccessLog.objects.get()
    assert client.get("/admin/core/accesslog/").status_code == 200
    assert client.get(f"/admin/core/accesslog/{entry.pk}/delete/").status_code == 403


def test_township_adds_a_representative_to_its_village_only(client_as, township_a_staff, county):
    from apps.liaison.models import Representative

    client = client_as(township_a_staff)
    data = {
        "unit": county.village_a2.pk,
        "number": "A2-07",
        "full_name": "赵红霞",
        "phone": "13900001111",
        "sector": "teacher",
        "specialties": ["parenting"],
        "term_start": "2024-01-01",
        "term_end": "2028-12-31",
        "is_active": "on",
    }
    assert client.post("/liaison/representatives/new/", data).status_code == 302
    rep = Representative.objects.get(number="A2-07")
    assert rep.user.username == "rep-A2-07" and not rep.user.has_usable_password()
    assert rep.user.memberships.get().role == "village_rep"

    outside = client.post(
        "/liaison/representatives/new/", data | {"unit": county.village_b1.pk, "number": "B9"}
    )
    assert outside.status_code == 200 and not Representative.objects.filter(number="B9").exists()
