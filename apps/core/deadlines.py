"""The deadline engine: one green / yellow / red rule for everything that has a due date.

Objectives, progress reports, case states, households due a visit (and later supervised items
and referrals) all ask this module, so a light means the same thing on every page, in every
reminder and on every to-do list.

Three parts:
- the working-day calendar (weekends, holidays and 调休 from ``SpecialDay``),
- deadline rules per kind and state (``DeadlineRule``, editable in the admin),
- ``assess()``, which turns a due date (and, for paced work, progress) into a light and a reason,
  and the registry of kinds, each of which knows how to find its open items for a user.

Apps register their kinds from their own ``deadlines.py`` (imported in ``AppConfig.ready``);
this module imports nothing above core.
"""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.signals import request_started
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WARN_DAYS = 3
# How far behind the expected pace (as a share of the whole) turns a light yellow, then red.
BEHIND_YELLOW = Decimal("0.10")
BEHIND_RED = Decimal("0.25")


class Light(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("At risk")
    RED = "red", _("Overdue or behind")


class Reason(models.TextChoices):
    """Why a light has its colour."""

    OVERDUE = "overdue", _("Overdue")  # 已逾期
    BEHIND = "behind", _("Behind pace")  # 滞后
    DUE_SOON = "due_soon", _("Due soon")  # 临期
    ON_TRACK = "on_track", _("On track")  # 正常
    DONE = "done", _("Done")
    # The period is closed: its result is final and nothing is left to chase.
    CLOSED = "closed", _("Period closed")


@dataclass(frozen=True)
class Status:
    """The engine's answer for one item: its light, why, and the due date it was judged by."""

    light: str
    reason: str
    due: date | datetime | None = None

    @property
    def reason_label(self):
        return Reason(self.reason).label

    @property
    def light_label(self):
        return Light(self.light).label


# --- the working-day calendar ------------------------------------------------------------------

# Special days by year, read once per request (cleared when a request starts) and at most every
# few minutes in workers and commands, so a day a county admin adds takes effect at once on
# pages and within minutes in reminders.
_CACHE_SECONDS = 300
_special_days = {}  # year → (read at, {date: is_working_day})
_rules = {}  # "rules" → (read at, {(kind, state): Rule})


def clear_calendar_cache(**kwargs):
    """Forget the calendar and the rules (a request starts, or an admin changed one)."""
    _special_days.clear()
    _rules.clear()


def _fresh(entry):
    return entry is not None and entry[0] >= time.monotonic() - _CACHE_SECONDS


request_started.connect(clear_calendar_cache, dispatch_uid="deadlines-clear-cache")


def _year(year):
    """The special days of ``year``; the following year is read in the same query, since
    deadlines near the year's end run into it."""
    cached = _special_days.get(year)
    if not _fresh(cached):
        from apps.core.models import SpecialDay

        rows = SpecialDay.objects.filter(date__year__in=[year, year + 1])
        now, days = time.monotonic(), {year: {}, year + 1: {}}
        for day, working in rows.values_list("date", "is_working_day"):
            days[day.year][day] = working
        for each in (year, year + 1):
            _special_days[each] = (now, days[each])
        cached = _special_days[year]
    return cached[1]


def is_working_day(day):
    """Monday to Friday, unless the calendar makes it a holiday; a weekend day 调休 to work."""
    special = _year(day.year).get(day)
    if special is not None:
        return special
    return day.weekday() < 5


def next_working_day(day):
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start, days):
    """The date ``days`` working days after ``start`` (0: ``start`` moved onto a working day).
    签收 within 1 working day of a Friday is the next Monday, or the Sunday of a 调休 weekend."""
    day = start
    for _step in range(days):
        day = next_working_day(day + timedelta(days=1))
    return next_working_day(day)


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


# --- deadline rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    days: int = 0
    hours: int = 0
    working_days: bool = False


def rule(kind, state="", default=None):
    """The stored rule for ``kind`` in ``state``, else ``default`` (a Rule), else zero days.
    All rules are read in one query, cached like the calendar."""
    cached = _rules.get("rules")
    if not _fresh(cached):
        from apps.core.models import DeadlineRule

        stored = {
            (row.kind, row.state): Rule(row.days, row.hours, row.working_days)
            for row in DeadlineRule.objects.all()
        }
        cached = _rules["rules"] = (time.monotonic(), stored)
    return cached[1].get((kind, state)) or default or Rule()


def deadline_after(start, kind, state="", default=None):
    """When an item of ``kind`` that entered ``state`` at ``start`` (a date or datetime) falls
    due. Calendar days that land on a holiday move to the next working day; hours are added
    as they are (a 24-hour limit runs through the night and the weekend)."""
    limit = rule(kind, state, default)
    is_moment = isinstance(start, datetime)
    day = timezone.localtime(start).date() if is_moment else start
    if limit.working_days:
        due_day = add_working_days(day, limit.days)
    elif limit.days:
        due_day = next_working_day(day + timedelta(days=limit.days))
    else:
        due_day = day
    if not is_moment:
        return due_day
    moment = start + timedelta(days=(due_day - day).days, hours=limit.hours)
    return moment


def due_after(start, days, working=False):
    """A date ``days`` calendar (or working) days after ``start``, moved off a holiday."""
    if working:
        return add_working_days(start, days)
    return next_working_day(start + timedelta(days=days))


# --- lights ------------------------------------------------------------------------------------


def expected_pace(start, due, today):
    """Share of the work that should be done by ``today`` if it runs evenly from start to due."""
    if today <= start:
        return Decimal(0)
    if today >= due or due <= start:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((due - start).days)


def assess(
    due,
    now=None,
    *,
    start=None,
    completion=None,
    pace_until=None,
    done=False,
    warn_days=WARN_DAYS,
):
    """The light and its reason for work due at ``due`` (a date, or a datetime for limits in
    hours), judged at ``now`` (a date or datetime of the same sort; default: now).

    Done work is green. Past due it is red (已逾期). With a ``start`` and a ``completion`` (0–1)
    work behind the even pace by more than BEHIND_RED is red and by more than BEHIND_YELLOW
    yellow (滞后); the pace is measured up to ``pace_until`` (the last moment progress could
    have been reported), so work not yet due for its next report is not behind. Otherwise
    work due within ``warn_days`` is yellow (临期), else green (正常).
    """
    if isinstance(due, datetime):
        now = now or timezone.now()
        remaining = due - now
        overdue, soon = remaining < timedelta(0), remaining <= timedelta(days=warn_days)
    else:
        now = now or timezone.localdate()
        today = now.date() if isinstance(now, datetime) else now
        overdue, soon = today > due, (due - today).days <= warn_days
    if done:
        return Status(Light.GREEN, Reason.DONE, due)
    if due is None:
        return Status(Light.GREEN, Reason.ON_TRACK, due)
    if overdue:
        return Status(Light.RED, Reason.OVERDUE, due)
    if start is not None and completion is not None:
        until = pace_until if pace_until is not None else now
        behind = expected_pace(start, due, until) - Decimal(completion)
        if behind > BEHIND_RED:
            return Status(Light.RED, Reason.BEHIND, due)
        if behind > BEHIND_YELLOW:
            return Status(Light.YELLOW, Reason.BEHIND, due)
    if soon:
        return Status(Light.YELLOW, Reason.DUE_SOON, due)
    return Status(Light.GREEN, Reason.ON_TRACK, due)


def traffic_light(due, today=None, *, start=None, completion=None, done=False, warn_days=WARN_DAYS):
    """Just the colour of ``assess()`` (kept for callers that need no reason)."""
    return assess(
        due, today, start=start, completion=completion, done=done, warn_days=warn_days
    ).light


# --- the registry of kinds ---------------------------------------------------------------------


class DeadlineKind:
    """One kind of work with a due date. An app subclasses it in its ``deadlines.py`` and
    registers an instance; reminders, list badges, to-do lists and dashboards ask it.

    - ``open_items(user)``: the user's open items of this kind as ONE queryset (scoped with
      ``for_user`` and carrying every field ``status_of`` reads, so no row costs a query);
    - ``status_of(item, now=None)``: the engine's ``Status`` for one of those rows;
    - ``title_of(item)`` and ``url_of(item)``: how a to-do list names and links the item.
    """

    name = ""
    label = ""
    # Default rules per state, used where the admin stores none; seeded by a data migration.
    default_rules = {}

    def open_items(self, user):
        raise NotImplementedError

    def status_of(self, item, now=None):
        raise NotImplementedError

    def title_of(self, item):
        return str(item)

    def url_of(self, item):
        return item.get_absolute_url()

    def rule(self, state=""):
        return rule(self.name, state, self.default_rules.get(state))

    def deadline_after(self, start, state=""):
        return deadline_after(start, self.name, state, self.default_rules.get(state))


_kinds = {}


def register(kind):
    """Register a DeadlineKind instance under its ``name`` (re-registering replaces it)."""
    _kinds[kind.name] = kind
    return kind


def kinds():
    return dict(_kinds)


def kind(name):
    return _kinds[name]


def open_items(user, names=None, now=None):
    """``(kind, item, status)`` for every open item of the user, one query per kind."""
    rows = []
    for name, registered in _kinds.items():
        if names is not None and name not in names:
            continue
        for item in registered.open_items(user):
            rows.append((registered, item, registered.status_of(item, now)))
    return rows


def _clear_on_change(sender, **kwargs):
    clear_calendar_cache()


def connect_signals():
    from apps.core.models import DeadlineRule, SpecialDay

    for model in (SpecialDay, DeadlineRule):
        post_save.connect(_clear_on_change, sender=model, dispatch_uid=f"deadlines-{model}")
        post_delete.connect(_clear_on_change, sender=model, dispatch_uid=f"deadlines-d-{model}")
