"""The large-text mode (适老化): she switches it on once, from the user menu or her phone home
page, and every page she opens afterwards, on any device, is drawn large; nobody else's pages
change, and nobody else sees her setting."""

import pytest
from django.urls import reverse

from apps.accounts.models import User

TEXT_SIZE = reverse("accounts:text-size")
ROLES = ["county_admin", "township_a_staff", "village_a1_rep", "dept_liaison", "leader"]


def html_tag(response):
    page = response.content.decode()
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


def test_large_text_is_off_until_she_asks(client_as, village_a1_rep):
    response = client_as(village_a1_rep).get(reverse("core:home"))
    assert "large-text" not in html_tag(response)
    assert 'data-testid="text-size-toggle"' in response.content.decode()
    assert "大字模式" in response.content.decode()


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_switches_large_text_on_and_off_and_returns_to_the_page(
    request, client_as, persona
):
    user = request.getfixturevalue(persona)
    client = client_as(user)
    here = reverse("notifications:inbox") + "?page=1"

    response = client.post(TEXT_SIZE, {"size": "large", "next": here})
    assert response.status_code == 302
    assert response["Location"] == here
    user.refresh_from_db()
    assert user.large_text is True
    page = client.get(here)
    assert 'class="large-text"' in html_tag(page)
    # The switch now offers the way back, in her language.
    assert "标准模式" in page.content.decode()
    assert "已切换为大字模式" in page.content.decode()

    client.post(TEXT_SIZE, {"size": "standard", "next": here})
    user.refresh_from_db()
    assert user.large_text is False
    assert "large-text" not in html_tag(client.get(here))


def test_asking_twice_for_large_text_keeps_it_on(client_as, village_a1_rep):
    client = client_as(village_a1_rep)
    client.post(TEXT_SIZE, {"size": "large"})
    client.post(TEXT_SIZE, {"size": "large"})
    village_a1_rep.refresh_from_db()
    assert village_a1_rep.large_text is True


def test_her_setting_is_hers_alone(client_as, village_a1_rep, village_b1_rep):
    client_as(village_a1_rep).post(TEXT_SIZE, {"size": "large"})
    response = client_as(village_b1_rep).get(reverse("core:home"))
    assert "large-text" not in html_tag(response)


def test_the_setting_follows_her_to_a_new_sign_in(client, village_a1_rep):
    User.objects.filter(pk=village_a1_rep.pk).update(large_text=True)
    client.post(
        reverse("accounts:login"), {"username": "village_a1_rep", "password": "pw-for-tests"}
    )
    assert 'class="large-text"' in html_tag(client.get(reverse("core:home")))


def test_the_switch_is_on_her_phone_home_page(client_as, village_a1_rep):
    from tests.liaison.conftest import make_representative

    make_representative(village_a1_rep, village_a1_rep.memberships.get().unit, "A1-01", [])
    page = client_as(village_a1_rep).get(reverse("liaison:home")).content.decode()
    home = page[page.index("<main") :]
    assert 'data-testid="text-size-toggle"' in home
    assert 'name="size" value="large"' in home


def test_an_anonymous_visitor_cannot_switch(client, db):
    response = client.post(TEXT_SIZE, {"size": "large"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not User.objects.filter(large_text=True).exists()


@pytest.mark.parametrize("body", [{"size": "huge"}, {}, {"size": ""}])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    client_as, village_a1_rep, body
):
    client = client_as(village_a1_rep)
    response = client.post(TEXT_SIZE, body, follow=True)
    village_a1_rep.refresh_from_db()
    assert village_a1_rep.large_text is False
    assert "请选择大字模式或标准模式" in response.content.decode()


def test_a_get_changes_nothing(client_as, village_a1_rep):
    assert client_as(village_a1_rep).get(TEXT_SIZE).status_code == 405


def test_a_next_address_on_another_site_is_ignored(client_as, village_a1_rep):
    response = client_as(village_a1_rep).post(
        TEXT_SIZE, {"size": "large", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_me_in_the_api_says_whether_large_text_is_on(api_as, village_a1_rep, county_admin):
    User.objects.filter(pk=village_a1_rep.pk).update(large_text=True)
    village_a1_rep.refresh_from_db()
    assert api_as(village_a1_rep).get("/api/v1/users/me/").json()["large_text"] is True
    # Her colleagues' view of her account does not carry her settings.
    others = api_as(county_admin).get(f"/api/v1/users/{village_a1_rep.pk}/").json()
    assert "large_text" not in others


def test_an_administrator_can_set_it_for_someone_in_the_admin(client, village_a1_rep):
    admin = User.objects.create_superuser("root", password="pw-for-tests")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("admin:accounts_user_change", args=[village_a1_rep.pk]))
    assert page.status_code == 200
    assert 'name="large_text"' in page.content.decode()
