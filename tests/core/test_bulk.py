"""copy_rows: what goes in through COPY comes back as it went in, and a bad row writes nothing."""

import gc
from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, transaction

from apps.accounts.models import User
from apps.core.bulk import collector_paused, copy_objects, copy_rows, update_rows, upsert_rows
from apps.notifications.models import Notification

FIELDS = ("recipient_id", "key", "title", "body", "url", "created_at", "read_at", "email_requested")
TRICKY = 'a "quoted", comma\nnew line \\N 妇联'


@pytest.mark.django_db
def test_values_arrive_as_written_nulls_included():
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    count = copy_rows(
        Notification,
        FIELDS,
        [
            (user.pk, "one", TRICKY, "", "/x/", moment, None, False),
            (user.pk, "two", "\\N", "正文", "", moment, moment, True),
        ],
    )
    assert count == 2
    one, two = Notification.objects.filter(recipient=user).order_by("key")
    assert (one.title, one.body, one.read_at, one.email_requested) == (TRICKY, "", None, False)
    assert (two.title, two.body, two.read_at, two.email_requested) == ("\\N", "正文", moment, True)
    assert one.created_at == moment


@pytest.mark.django_db
@pytest.mark.parametrize("keys", [["same", "same"], ["fine", "x" * 201]])
def test_a_bad_row_writes_nothing(keys):
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, tzinfo=UTC)
    rows = [(user.pk, key, "t", "", "", moment, None, True) for key in keys]
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        copy_rows(Notification, FIELDS, rows)
    assert not Notification.objects.filter(recipient=user).exists()


@pytest.mark.django_db
def test_copy_objects_writes_defaults_stamps_and_arrays(village_a1_rep, county):
    from apps.liaison.models import Contact
    from tests.liaison.conftest import make_representative

    representative = make_representative(village_a1_rep, county.village_a1, "A1-01", ["legal"])
    tags = ["留守妇女", 'a "b", c\\d']
    count = copy_objects(
        Contact,
        [
            Contact(unit=county.village_a1, representative=representative, name="住户", tags=tags),
            Contact(unit=county.village_a1, representative=representative, name="另一户"),
        ],
    )
    assert count == 2
    first, second = Contact.objects.filter(representative=representative).order_by("pk")
    assert (first.name, first.tags, second.tags) == ("住户", tags, [])
    assert first.risk == Contact._meta.get_field("risk").default
    assert first.created_at is not None and first.last_visited_on is None


@pytest.mark.django_db
def test_upsert_rows_inserts_new_rows_and_rewrites_existing_ones_in_place():
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, tzinfo=UTC)
    kept = Notification.objects.create(recipient=user, key="kept", title="旧", url="/old/")

    def upsert(rows):
        with transaction.atomic():
            return upsert_rows(
                Notification,
                FIELDS,
                rows,
                unique_fields=("recipient", "key"),
                update_fields=("title",),
                returning=("id", "key"),
            )

    written = upsert(
        [
            (user.pk, "kept", TRICKY, "", "/new/", moment, None, False),
            (user.pk, "new", "新", "", "", moment, None, False),
        ]
    )
    new = Notification.objects.get(recipient=user, key="new")
    assert sorted(written) == sorted([(kept.pk, "kept"), (new.pk, "new")])
    kept.refresh_from_db()
    assert (kept.title, kept.url) == (TRICKY, "/old/")  # only the update fields rewritten
    assert upsert([(user.pk, "new", "再", "", "", moment, None, False)]) == [(new.pk, "new")]


@pytest.mark.django_db
def test_upsert_rows_with_changed_leaves_an_unchanged_row_unwritten():
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, tzinfo=UTC)
    same = Notification.objects.create(recipient=user, key="same", title="一", url="/same/")
    moved = Notification.objects.create(recipient=user, key="moved", title="一", url="/moved/")
    with transaction.atomic():
        written = upsert_rows(
            Notification,
            FIELDS,
            [
                (user.pk, "same", "一", "", "/new/", moment, None, False),
                (user.pk, "moved", "二", "", "/new/", moment, None, False),
                (user.pk, "new", "三", "", "/new/", moment, None, False),
            ],
            unique_fields=("recipient", "key"),
            update_fields=("title", "url"),
            changed=("title",),
        )
    assert written == 2  # the moved row and the new one
    same.refresh_from_db()
    moved.refresh_from_db()
    assert (same.title, same.url) == ("一", "/same/")  # its title stood: not rewritten
    assert (moved.title, moved.url) == ("二", "/new/")
    assert Notification.objects.get(recipient=user, key="new").title == "三"


@pytest.mark.django_db
def test_a_bad_row_upserts_nothing():
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, tzinfo=UTC)
    with pytest.raises(DataError), transaction.atomic():
        upsert_rows(
            Notification,
            FIELDS,
            [
                (user.pk, "fine", "t", "", "", moment, None, True),
                (user.pk, "x" * 201, "t", "", "", moment, None, True),
            ],
            unique_fields=("recipient", "key"),
            update_fields=("title",),
            returning=("id",),
        )
    assert not Notification.objects.filter(recipient=user).exists()


@pytest.mark.django_db
def test_update_rows_rewrites_only_the_rows_whose_watched_fields_differ():
    user = User.objects.create_user("copy", password=None)
    same = Notification.objects.create(recipient=user, key="same", title="一", body="正文")
    moved = Notification.objects.create(recipient=user, key="moved", title="一", body="正文")
    with transaction.atomic():
        rewritten = update_rows(
            Notification,
            ("title", "body"),
            [(same.pk, "一", "新正文"), (moved.pk, "二", "新正文")],
            changed=("title",),
        )
    assert rewritten == 1
    same.refresh_from_db()
    moved.refresh_from_db()
    assert (same.title, same.body) == ("一", "正文")  # its title stood: left as it was
    assert (moved.title, moved.body) == ("二", "新正文")


def test_the_collector_is_paused_for_the_block_and_restored_after_it_even_on_error():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()
    # Nested in a block that paused it already, it leaves it paused.
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
