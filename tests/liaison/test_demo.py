"""The demo liaison work is real liaison work: representatives of their own villages, visits to
their own households, cases that keep the sensitive-case rules, and coverage figures to show."""

from collections import Counter

import pytest
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.liaison import services
from apps.liaison.demo import TOWNSHIPS_WITH_REPRESENTATIVES
from apps.liaison.models import Case, Contact, FollowUp, Representative, Visit
from apps.organizations.models import OrgUnit, Period

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def liaison_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Representative, Contact, Visit, Visit.contacts.through, Case, FollowUp)
    }


def test_demo_liaison_work_keeps_the_rules_shows_coverage_and_is_seeded_once(db, seed_demo):
    # One test, because building the demo year takes a while.
    seed_demo(activity=True)
    townships = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("code"))
    with_reps = townships[:TOWNSHIPS_WITH_REPRESENTATIVES]

    # About fifteen representatives in every village of the first four townships, none elsewhere.
    per_village = Counter(Representative.objects.values_list("unit", flat=True))
    villages = OrgUnit.objects.filter(parent__in=with_reps)
    assert set(per_village) == set(villages.values_list("pk", flat=True))
    assert all(12 <= count <= 18 for count in per_village.values())
    village_user = User.objects.get(username="village")
    assert village_user.representative.unit == village_user.primary_membership.unit

    # Households, visits and cases all stay inside the representative's own village.
    assert not Contact.objects.exclude(unit=F("representative__unit")).exists()
    assert not Visit.objects.filter(visited_on__gt=timezone.localdate()).exists()
    assert not Visit.objects.exclude(unit=F("representative__unit")).exists()
    assert not Visit.contacts.through.objects.exclude(contact__unit=F("visit__unit")).exists()
    assert not Case.objects.exclude(contact__unit=F("unit")).exists()

    # Violence is always sensitive; escalations go to the village's township; closings are rated.
    assert Case.objects.filter(is_sensitive=True).exists()
    assert not Case.objects.filter(category=Case.Category.VIOLENCE, is_sensitive=False).exists()
    escalated = Case.objects.exclude(escalated_to=None)
    assert escalated.exists()
    assert not escalated.exclude(escalated_to=F("unit__parent")).exists()
    assert not Case.objects.filter(state=Case.State.CLOSED, satisfaction="").exists()
    assert not Case.objects.filter(first_response_at__lt=F("opened_at")).exists()

    period = Period.objects.current_year()
    rows = services.coverage(
        Representative.objects.all(),
        Contact.objects.all(),
        Visit.objects.all(),
        Case.objects.all(),
        start=period.start_date,
        end=period.end_date,
        group="township",
    )
    assert set(rows) == {township.pk for township in with_reps}
    for figures in rows.values():
        assert figures["linked"] > 0
        assert 0 < figures["coverage"] <= 100

    counts = liaison_counts()
    seed_demo(activity=True)
    assert liaison_counts() == counts
