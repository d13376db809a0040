import re
from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.deadlines import Light
from apps.core.filters import ALL, boolean_filter, choice_filter
from apps.organizations.models import OrgUnit
from apps.supervision.deadlines import WARN_DAYS
from apps.supervision.models import Colour, Inspection, Rectification, SupervisionItem

State = SupervisionItem.State


def item_units(request):
    """Townships and departments the user may see: the lead units she can filter by."""
    if request is None:
        return OrgUnit.objects.none()
    return (
        OrgUnit.objects.for_user(request.user)
        .filter(kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.DEPARTMENT])
        .order_by("path")
    )


def light_q(light, now=None):
    """The deadline engine's light as a filter (the same rule as SupervisionItemDeadlines):
    red overdue or 签收 missed, yellow due within WARN_DAYS, green the rest (done included)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_ = Q(state__in=SupervisionItem.OPEN_STATES)
    red = open_ & (Q(deadline__lt=today) | Q(state=State.ASSIGNED, accept_due__lt=now))
    yellow = open_ & ~red & Q(deadline__lte=today + timedelta(days=WARN_DAYS))
    return {Light.RED: red, Light.YELLOW: yellow, Light.GREEN: ~red & ~yellow}[light]


class UnitFilter(django_filters.ModelChoiceFilter):
    """Items a unit leads or cooperates on. Declared on ``lead_unit`` (not as a filter method)
    so the API schema knows the parameter is a unit id."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        through = SupervisionItem.cooperating_units.through
        cooperating = through.objects.filter(orgunit=value).values("supervisionitem_id")
        return queryset.filter(Q(lead_unit=value) | Q(pk__in=cooperating))


class SupervisionItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    state = choice_filter(_("state"), State.choices)
    light = choice_filter(_("light"), Light.choices, method="by_light")
    source = choice_filter(_("source"), SupervisionItem.Source.choices)
    slip = choice_filter(_("slip"), Colour.choices)
    unit = UnitFilter(label=_("unit"), queryset=item_units, empty_label=ALL, field_name="lead_unit")
    month = django_filters.CharFilter(
        label=_("month assigned (YYYY-MM)"), method="by_month", max_length=7
    )

    class Meta:
        model = SupervisionItem
        fields = ["q", "state", "light", "source", "slip", "unit", "month"]

    def by_light(self, queryset, name, value):
        return queryset.filter(light_q(value))

    def by_month(self, queryset, name, value):
        if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", value):
            return queryset.none()
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(assigned_at__year=year, assigned_at__month=month)


# --- 督查 and 整改 -------------------------------------------------------------------------------


def rectification_light_q(light, today=None):
    """RectificationDeadlines' light as a filter: open ones red past the deadline, yellow
    within the ``warn`` days; green the rest."""
    from apps.supervision.deadlines import RECTIFICATIONS

    today = today or timezone.localdate()
    open_ = Q(state=Rectification.State.OPEN)
    red = open_ & Q(deadline__lt=today)
    yellow = open_ & ~red & Q(deadline__lte=today + timedelta(days=RECTIFICATIONS.warn_days()))
    return {Light.RED: red, Light.YELLOW: yellow, Light.GREEN: ~red & ~yellow}[light]


class InspectionFilterSet(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("unit inspected"), queryset=item_units, empty_label=ALL
    )
    year = django_filters.NumberFilter(
        label=_("year"), field_name="held_on", lookup_expr="year", min_value=2000, max_value=2100
    )
    unverified = boolean_filter(_("with rectifications not yet verified"), method="by_unverified")

    class Meta:
        model = Inspection
        fields = ["unit", "year", "unverified"]

    def by_unverified(self, queryset, name, value):
        if value is None:
            return queryset
        pending = Rectification.objects.exclude(state=Rectification.State.VERIFIED).values(
            "inspection_id"
        )
        return queryset.filter(pk__in=pending) if value else queryset.exclude(pk__in=pending)


class RectificationFilterSet(django_filters.FilterSet):
    state = choice_filter(_("state"), Rectification.State.choices)
    light = choice_filter(_("light"), Light.choices, method="by_light")
    owner = django_filters.ModelChoiceFilter(
        label=_("responsible unit"), queryset=item_units, empty_label=ALL
    )
    inspection = django_filters.NumberFilter(label=_("inspection"), field_name="inspection")

    class Meta:
        model = Rectification
        fields = ["state", "light", "owner", "inspection"]

    def by_light(self, queryset, name, value):
        return queryset.filter(rectification_light_q(value))
