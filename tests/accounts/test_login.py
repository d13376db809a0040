"""Sign-in as an assessor would check it: Argon2, lockout by username, idle timeout."""

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from federation.settings import base as base_settings

LOGIN = "/accounts/login/"


def sign_in(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_production_hashes_passwords_with_argon2():
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_good_password_signs_in(client, village_a1_rep):
    response = sign_in(client, "village_a1_rep", "pw-for-tests")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_wrong_password_says_so_in_chinese(client, village_a1_rep):
    response = sign_in(client, "village_a1_rep", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_five_failures_lock_the_username_from_any_address(client, village_a1_rep):
    for attempt in range(5):
        sign_in(client, "village_a1_rep", "wrong", ip=f"10.1.1.{attempt}")
    # The right password from yet another address is refused while the lock lasts.
    response = sign_in(client, "village_a1_rep", "pw-for-tests", ip="10.9.9.9")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_not_per_address(client, village_a1_rep, village_b1_rep):
    for _ in range(5):
        sign_in(client, "village_a1_rep", "wrong", ip="10.1.1.1")
    # A colleague in the same township office, same public address, still signs in.
    assert sign_in(client, "village_b1_rep", "pw-for-tests", ip="10.1.1.1").status_code == 302


def test_lock_expires_after_thirty_minutes(client, village_a1_rep):
    for _ in range(5):
        sign_in(client, "village_a1_rep", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=31))
    assert sign_in(client, "village_a1_rep", "pw-for-tests").status_code == 302


def test_api_token_endpoint_locks_too(api_client, village_a1_rep):
    for _ in range(5):
        api_client.post("/api/v1/auth/token/", {"username": "village_a1_rep", "password": "x"})
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "village_a1_rep", "password": "pw-for-tests"}
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_session_expires_after_thirty_idle_minutes(client, village_a1_rep):
    sign_in(client, "village_a1_rep", "pw-for-tests")
    client.get(reverse("core:home"))
    assert client.session.get_expiry_age() == 30 * 60

    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_activity_pushes_the_idle_deadline(client, village_a1_rep):
    sign_in(client, "village_a1_rep", "pw-for-tests")
    soon = timezone.now() + timezone.timedelta(minutes=5)
    Session.objects.update(expire_date=soon)
    client.get(reverse("core:home"))
    assert Session.objects.get().expire_date > soon + timezone.timedelta(minutes=20)


def test_logout_needs_post_and_ends_the_session(client, village_a1_rep):
    sign_in(client, "village_a1_rep", "pw-for-tests")
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.parametrize("username", ["admin", "township", "village", "dept", "leader"])
def test_demo_accounts_sign_in(client, demo_county, username):
    assert sign_in(client, username, "demo12345").status_code == 302
