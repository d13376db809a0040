"""广度: coverage figures (households linked and visited, visits due and made, cases answered on
time) for a period, from querysets the caller has scoped."""

from django.db.models import Count, DateField, F, Q
from django.utils import timezone

from apps.liaison.models import Risk, Visit
from apps.liaison.services.contacts import visit_intervals


def coverage(representatives, contacts, visits, cases, *, start, end, group):
    """广度: coverage figures for a period, grouped by ``group`` ("representative", "village" or
    "township"), from querysets the caller has already scoped. A few aggregate queries in all.

    Each row: linked households, households visited, visits made and due by risk colour, and
    cases answered within their deadline.
    """
    end = min(end, timezone.localdate())
    days = max((end - start).days + 1, 0)
    keys = GROUP_KEYS[group]
    intervals = visit_intervals()
    rows = {}

    for row in contacts.values(keys["contact"]).annotate(
        linked=Count("pk"),
        **{f"linked_{risk}": Count("pk", filter=Q(risk=risk)) for risk in Risk.values},
    ):
        figures = rows.setdefault(row[keys["contact"]], _empty_row())
        figures["linked"] = row["linked"]
        for risk in Risk.values:
            # Each household of a colour is due a visit every interval of that colour.
            figures["due"][risk] = row[f"linked_{risk}"] * -(
                -days // intervals.get(risk, days or 1)
            )

    in_period = Visit.contacts.through.objects.filter(
        visit__in=visits, visit__visited_on__range=(start, end)
    )
    for row in in_period.values(keys["pair"]).annotate(
        visited=Count("contact", distinct=True),
        **{f"made_{risk}": Count("pk", filter=Q(contact__risk=risk)) for risk in Risk.values},
    ):
        figures = rows.setdefault(row[keys["pair"]], _empty_row())
        figures["visited"] = row["visited"]
        for risk in Risk.values:
            figures["made"][risk] = row[f"made_{risk}"]

    for row in (
        visits.filter(visited_on__range=(start, end))
        .values(keys["visit"])
        .annotate(count=Count("pk"))
    ):
        rows.setdefault(row[keys["visit"]], _empty_row())["visits"] = row["count"]

    opened = cases.opened_between(start, end)
    for row in opened.values(keys["case"]).annotate(
        total=Count("pk"), on_time=Count("pk", filter=Q(first_response_at__lte=F("respond_by")))
    ):
        figures = rows.setdefault(row[keys["case"]], _empty_row())
        figures["cases"], figures["cases_on_time"] = row["total"], row["on_time"]

    for figures in rows.values():
        figures["coverage"] = (
            round(100 * figures["visited"] / figures["linked"]) if figures["linked"] else 0
        )
    return rows


def _empty_row():
    return {
        "linked": 0,
        "visited": 0,
        "visits": 0,
        "cases": 0,
        "cases_on_time": 0,
        "due": dict.fromkeys(Risk.values, 0),
        "made": dict.fromkeys(Risk.values, 0),
    }


GROUP_KEYS = {
    "representative": {
        "contact": "representative",
        "pair": "visit__representative",
        "visit": "representative",
        "case": "representative",
    },
    "village": {"contact": "unit", "pair": "visit__unit", "visit": "unit", "case": "unit"},
    "township": {
        "contact": "unit__parent",
        "pair": "visit__unit__parent",
        "visit": "unit__parent",
        "case": "unit__parent",
    },
}


def township_coverage(unit_ids, start, end):
    """For assessment (apps/assessment/sources.py): the coverage figures of the townships
    ``unit_ids`` over every record there (counts only), ``{township_id: row}``."""
    from apps.liaison.models import Case, Contact, Representative

    rows = coverage(
        Representative.objects.all(),
        Contact.objects.all(),
        Visit.objects.all(),
        Case.objects.all(),
        start=start,
        end=end,
        group="township",
    )
    return {key: row for key, row in rows.items() if key in set(unit_ids)}


def representative_figures(unit_ids, start, end):
    """For assessment (apps/assessment/sources.py): per village representative (执委) of the
    villages ``unit_ids``, by user id, the visits she logged in the period, how many of them
    were group activities (集中活动), and the cases opened then and answered in time. Every
    village_rep of those villages has a row, zeros when she logged nothing. Counts only; four
    queries whatever the number of villages or people."""
    from apps.accounts.models import Membership
    from apps.core.roles import Role
    from apps.liaison.models import Case, Representative

    rows = {
        user_id: _person_row()
        for user_id in Membership.objects.filter(
            role=Role.VILLAGE_REP, unit__in=unit_ids
        ).values_list("user_id", flat=True)
    }
    # The visits and cases are read by their representatives' ids: joined to the
    # representatives instead, PostgreSQL walked all of a province's 220,000 of them (or all
    # its cases) to count one county's; by id, each one's visits are read off visit_rep_date.
    user_of = dict(
        Representative.objects.filter(unit__in=unit_ids).order_by().values_list("pk", "user_id")
    )
    visits = Visit.objects.filter(representative__any=user_of, visited_on__range=(start, end))
    # Not counting the ids, which the index does not hold.
    for row in visits.values("representative").annotate(
        visits=Count("*"), gatherings=Count("mode", filter=Q(mode=Visit.Mode.GATHERING))
    ):
        figures = rows.setdefault(user_of[row["representative"]], _person_row())
        figures["visits"], figures["gatherings"] = row["visits"], row["gatherings"]
    cases = Case.objects.opened_between(start, end).filter(representative__any=user_of)
    for row in cases.values("representative").annotate(
        total=Count("pk"), on_time=Count("pk", filter=Q(first_response_at__lte=F("respond_by")))
    ):
        figures = rows.setdefault(user_of[row["representative"]], _person_row())
        figures["cases"], figures["cases_on_time"] = row["total"], row["on_time"]
    return rows


def _person_row():
    return {"visits": 0, "gatherings": 0, "cases": 0, "cases_on_time": 0}


def monthly_coverage(month_start, month_end):
    """For the dashboards' rollup: the coverage figures of every village for one month (counts
    only, over every record), ``{village_id: row}`` as ``coverage`` gives them, each with
    ``visited_ytd``: the households visited from the start of the year to the month's end."""
    from apps.liaison.models import Case, Contact, Representative

    rows = coverage(
        Representative.objects.all(),
        Contact.objects.all(),
        Visit.objects.all(),
        Case.objects.all(),
        start=month_start,
        end=month_end,
        group="village",
    )
    year_start = month_start.replace(month=1, day=1)
    for row in (
        Visit.contacts.through.objects.filter(
            visit__visited_on__range=(year_start, min(month_end, timezone.localdate()))
        )
        .values("visit__unit")
        .annotate(visited=Count("contact", distinct=True))
    ):
        rows.setdefault(row["visit__unit"], _empty_row())["visited_ytd"] = row["visited"]
    return rows


def monthly_case_counts(start, end):
    """For the dashboards' rollup: cases opened from ``start`` to ``end`` (dates) by village,
    month and category, in one query: ``unit``, ``month`` (a date, its first day),
    ``category``, ``cases``, ``sensitive`` and ``on_time`` (first answer by its deadline).
    Counts only: nothing of a case's text leaves here."""
    from django.db.models.functions import TruncMonth

    from apps.liaison.models import Case

    zone = timezone.get_current_timezone()
    return list(
        Case.objects.opened_between(start, end)
        .annotate(month=TruncMonth("opened_at", output_field=DateField(), tzinfo=zone))
        .order_by()
        .values("unit", "month", "category")
        .annotate(
            cases=Count("pk"),
            sensitive=Count("pk", filter=Q(is_sensitive=True)),
            on_time=Count("pk", filter=Q(first_response_at__lte=F("respond_by"))),
        )
    )
