"""Accounts: a person's account and her membership are created together, one way for every
caller (a representative added by hand, a roster imported by the thousand)."""

from django.db import transaction

from apps.accounts.models import Membership, User

BATCH_SIZE = 1000


def _account(*, username, full_name, phone=""):
    """An account without a password: she signs in once an administrator sets one."""
    account = User(username=username, full_name=full_name, phone=phone)
    account.set_unusable_password()
    return account


@transaction.atomic
def create_member(*, username, full_name, unit, role, phone=""):
    """One person's account and her membership of ``unit`` in ``role``."""
    account = _account(username=username, full_name=full_name, phone=phone)
    account.save()
    Membership.objects.create(user=account, unit=unit, role=role)
    return account


@transaction.atomic
def create_members(people, *, role):
    """``create_member`` for many people in set-based inserts: ``people`` are dicts with
    ``username``, ``full_name``, ``phone`` and ``unit``; the accounts come back in order."""
    accounts = User.objects.bulk_create(
        [
            _account(username=p["username"], full_name=p["full_name"], phone=p["phone"])
            for p in people
        ],
        batch_size=BATCH_SIZE,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=account, unit=person["unit"], role=role)
            for account, person in zip(accounts, people, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    return accounts


def set_large_text(user, on):
    """Switch the large-text mode (适老化) of ``user`` on or off; saving the same choice twice
    changes nothing."""
    user.large_text = bool(on)
    user.save(update_fields=["large_text"])
    return user
