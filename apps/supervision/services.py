"""Supervision workflows: assigning an item (交办), the unit's steps (签收, 反馈, requests) and
the supervisor's (approving or returning requests, 退回, 办结 with an evaluation, 催办, 督办单),
and the hourly run that urges and escalates by the lights. Views, the API, tasks and commands
call only these. Every step writes one line of the item's operation log."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, User
from apps.coordination import services as coordination
from apps.core.deadlines import Light
from apps.core.models import SHORT_TEXT
from apps.core.roles import Role
from apps.core.uploads import check_uploads
from apps.notifications.models import GroupRobot
from apps.notifications.services import (
    daily_key,
    notify_batch,
    notify_many,
    notify_robot,
    robot_text,
)
from apps.supervision.deadlines import ITEMS, PROGRESS, RECTIFICATIONS, REQUESTS
from apps.supervision.models import (
    SLIP_LEVEL,
    UNIT_KINDS,
    Attachment,
    Colour,
    Inspection,
    InspectionAttachment,
    ItemFeedback,
    ItemLog,
    ItemRequest,
    ProgressDue,
    Rectification,
    Slip,
    SupervisionItem,
    UnitSupervisionSetting,
)
from apps.supervision.querysets import UNIT_ROLES

State = SupervisionItem.State
Action = ItemLog.Action


# --- who is who -------------------------------------------------------------------------------


def may_supervise(user, item_or_unit):
    """County federation staff over the item's lead unit are its supervisors."""
    unit = getattr(item_or_unit, "lead_unit", item_or_unit)
    if user.is_superuser:
        return True
    return any(
        m.role == Role.COUNTY_ADMIN and unit.path.startswith(m.unit.path)
        for m in user.active_memberships
    )


def unit_side(user, item):
    """``("lead", unit)``, ``("cooperating", unit)`` or ``(None, None)``: the part her own
    unit (as township staff or department liaison) plays in ``item``."""
    units = {m.unit_id: m.unit for m in user.active_memberships if m.role in UNIT_ROLES}
    if item.lead_unit_id in units:
        return "lead", units[item.lead_unit_id]
    for unit in item.cooperating_units.all():
        if unit.pk in units:
            return "cooperating", unit
    return None, None


def unit_people(units):
    """The township staff and department liaisons of ``units``: who hears of their items."""
    members = Membership.objects.filter(unit__in=units, role__in=UNIT_ROLES).values("user")
    return User.objects.filter(is_active=True, pk__in=members)


def _require_supervisor(user, item):
    if not may_supervise(user, item):
        raise PermissionDenied(_("Only the county federation supervises this item."))


def _locked(item):
    return (
        SupervisionItem.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "created_by")
        .get(pk=item.pk)
    )


def _log(item, user, action, text="", automatic=False, at=None):
    return ItemLog.objects.create(
        item=item,
        actor=user,
        action=action,
        text=text,
        automatic=automatic,
        at=at or timezone.now(),
    )


def _tell_unit(item, key, title):
    notify_many(unit_people([item.lead_unit]), key, title, url=item.get_absolute_url())


def _tell_supervisor(item, key, title):
    if item.created_by.is_active:
        notify_many([item.created_by], key, title, url=item.get_absolute_url())


def _state_error(item, step):
    return ValidationError(
        _("An item that is %(state)s cannot be %(step)s.")
        % {"state": item.get_state_display(), "step": step}
    )


# --- 交办 ---------------------------------------------------------------------------------------


@transaction.atomic
def assign_item(
    user,
    *,
    title,
    description,
    source=None,
    lead_unit=None,
    cooperating_units=(),
    deadline=None,
    priority=SupervisionItem.Priority.NORMAL,
    files=(),
    meeting_decision=None,
    progress_cycle="",
    progress_day=25,
):
    """交办: a county admin hands an item to a lead unit (a township or department in her
    area) with cooperating units. Without a deadline the rule for its source and priority
    sets one; 签收 is due within its own limit from now. An item that takes over a
    joint-meeting decision (联席会议议定) keeps it: its owner department leads by default, by
    its deadline, and the decision is done when the item is closed."""
    if meeting_decision is not None:
        if not coordination.decisions_for_supervision(user).filter(pk=meeting_decision.pk):
            raise ValidationError({"meeting_decision": _("Choose an open joint-meeting decision.")})
        source = SupervisionItem.Source.MEETING
        lead_unit = lead_unit or meeting_decision.owner
        deadline = deadline or meeting_decision.deadline
    if source not in SupervisionItem.Source.values:
        raise ValidationError({"source": _("Choose the source.")})
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Choose the lead unit.")})
    if lead_unit.kind not in UNIT_KINDS:
        raise ValidationError({"lead_unit": _("The lead unit must be a township or a department.")})
    if not may_supervise(user, lead_unit):
        raise ValidationError({"lead_unit": _("This unit is outside your area.")})
    cooperating_units = list(cooperating_units or ())
    for unit in cooperating_units:
        if unit.kind not in UNIT_KINDS or unit.pk == lead_unit.pk or not may_supervise(user, unit):
            raise ValidationError(
                {
                    "cooperating_units": _(
                        "Cooperating units are other townships or departments in your area."
                    )
                }
            )
    now = timezone.now()
    today = timezone.localdate(now)
    if deadline is None:
        deadline = ITEMS.default_deadline(today, source, priority)
        if deadline is None:
            raise ValidationError({"deadline": _("Give a deadline: no default applies.")})
    elif deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    checked = check_uploads(files)
    item = SupervisionItem(
        title=(title or "").strip(),
        description=(description or "").strip(),
        source=source,
        priority=priority,
        lead_unit=lead_unit,
        deadline=deadline,
        original_deadline=deadline,
        assigned_at=now,
        accept_due=ITEMS.deadline_after(now, "accept"),
        created_by=user,
        progress_cycle=progress_cycle or "",
        progress_day=progress_day or 25,
    )
    item.full_clean()
    if meeting_decision is not None:
        item.meeting_decision = coordination.hand_over_decision(meeting_decision)
    item.save()
    plan_progress(item, today)
    item.cooperating_units.set(cooperating_units)
    Attachment.store(checked, user, item=item)
    _log(
        item, user, Action.ASSIGN, _("Deadline %(date)s.") % {"date": deadline.isoformat()}, at=now
    )
    notify_many(
        unit_people([lead_unit, *cooperating_units]),
        f"supervision-assigned:{item.pk}",
        _("New supervised item: %(title)s") % {"title": item.title},
        url=item.get_absolute_url(),
    )
    return item


# --- the unit's steps -------------------------------------------------------------------------


@transaction.atomic
def accept_item(user, item):
    """签收 by the lead unit; late when past ``accept_due`` (领办逾期, kept in the log). A retry
    answers with the item as it is."""
    item = _locked(item)
    side, _unit = unit_side(user, item)
    if side != "lead":
        raise ValidationError({"unit": _("Only the lead unit can accept this item.")})
    if item.accepted_at:
        return item
    if item.state != State.ASSIGNED:
        raise _state_error(item, _("accepted"))
    now = timezone.now()
    item.state, item.accepted_at = State.IN_PROGRESS, now
    item.save(update_fields=["state", "accepted_at", "updated_at"])
    text = _("Accepted late (limit %(due)s).") if now > item.accept_due else ""
    if text:
        text %= {"due": timezone.localtime(item.accept_due).strftime("%Y-%m-%d %H:%M")}
    _log(item, user, Action.ACCEPT, text, at=now)
    return item


@transaction.atomic
def feed_back(user, item, *, text, files=()):
    """反馈. A cooperating unit's feedback goes to the lead unit and changes nothing else; the
    lead unit's answers for the whole item and hands it to the supervisor."""
    item = _locked(item)
    side, unit = unit_side(user, item)
    if side is None:
        raise ValidationError(
            {"unit": _("Your unit is neither the lead nor a cooperating unit of this item.")}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the feedback.")})
    if side == "lead" and item.state == State.ASSIGNED:
        raise ValidationError({"text": _("Accept the item before feeding back.")})
    if item.state not in SupervisionItem.OPEN_STATES:
        raise _state_error(item, _("fed back"))
    approval = ""
    if side == "lead":
        _refuse_if_waiting(item, progress=None)
        approval = "pending" if needs_approval(item.lead_unit) else ""
    checked = check_uploads(files)
    now = timezone.now()
    feedback = ItemFeedback.objects.create(
        item=item,
        unit=unit,
        is_lead=side == "lead",
        text=text,
        submitted_by=user,
        approval=approval,
    )
    Attachment.store(checked, user, item=item, feedback=feedback)
    if side == "cooperating":
        _log(item, user, Action.COOPERATION, f"{unit.name}: {text}", at=now)
        notify_many(
            unit_people([item.lead_unit]),
            f"supervision-cooperation:{feedback.pk}",
            _("%(unit)s fed back on %(title)s") % {"unit": unit.name, "title": item.title},
            url=item.get_absolute_url(),
        )
        return item
    if approval:
        waiting = _("waiting for approval")
        _log(item, user, Action.FEEDBACK, f"{text} ({waiting})", at=now)
        _tell_approvers(item, feedback)
        return item
    _deliver_final(item, now)
    _log(item, user, Action.FEEDBACK, text, at=now)
    _tell_supervisor(
        item,
        f"supervision-feedback:{feedback.pk}",
        _("Feedback on %(title)s") % {"title": item.title},
    )
    return item


@transaction.atomic
def request_change(user, item, *, kind, reason, new_deadline=None):
    """延期 (to a later date), 中止 or 阶段性办结, asked by the lead unit before the deadline;
    one request waits at a time."""
    item = _locked(item)
    if unit_side(user, item)[0] != "lead":
        raise ValidationError({"unit": _("Only the lead unit can make requests on this item.")})
    if item.state not in SupervisionItem.OPEN_STATES:
        raise _state_error(item, _("the subject of a request"))
    today = timezone.localdate()
    if today > item.deadline:
        raise ValidationError(
            {
                "kind": _("Requests must be made before the deadline (%(date)s).")
                % {"date": item.deadline.isoformat()}
            }
        )
    if kind not in ItemRequest.Kind.values:
        raise ValidationError({"kind": _("Choose extension, suspension or stage completion.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the request.")})
    if kind == ItemRequest.Kind.EXTENSION:
        if new_deadline is None:
            raise ValidationError({"new_deadline": _("Give the new deadline.")})
        if new_deadline <= item.deadline:
            raise ValidationError(
                {
                    "new_deadline": _("The new deadline must be later than %(date)s.")
                    % {"date": item.deadline.isoformat()}
                }
            )
    else:
        new_deadline = None
    if item.requests.filter(state=ItemRequest.State.PENDING).exists():
        raise ValidationError({"kind": _("A request on this item is already waiting.")})
    now = timezone.now()
    request = ItemRequest.objects.create(
        item=item,
        kind=kind,
        new_deadline=new_deadline,
        reason=reason,
        requested_by=user,
        decide_due=REQUESTS.deadline_after(now, "decide"),
    )
    text = request.get_kind_display() + (f" → {new_deadline.isoformat()}" if new_deadline else "")
    _log(item, user, Action.REQUEST, f"{text}: {reason}", at=now)
    _tell_supervisor(
        item,
        f"supervision-request:{request.pk}",
        _("%(kind)s requested: %(title)s")
        % {"kind": request.get_kind_display(), "title": item.title},
    )
    return request


# --- the supervisor's steps -------------------------------------------------------------------


def _pending(item):
    request = item.requests.select_for_update().filter(state=ItemRequest.State.PENDING).first()
    if request is None:
        raise ValidationError(_("There is no request waiting on this item."))
    return request


@transaction.atomic
def approve_request(user, item):
    """Approve the waiting request: an extension moves the deadline (the old one is kept as
    ``original_deadline`` and no longer counts); a suspension or stage completion ends the
    item in that state."""
    item = _locked(item)
    _require_supervisor(user, item)
    request = _pending(item)
    now = timezone.now()
    request.state, request.decided_by, request.decided_at = ItemRequest.State.APPROVED, user, now
    request.save()
    if request.kind == ItemRequest.Kind.EXTENSION:
        item.deadline = request.new_deadline
    elif request.kind == ItemRequest.Kind.SUSPENSION:
        item.state, item.closed_at = State.SUSPENDED, now
    else:
        item.state, item.closed_at = State.STAGE_COMPLETED, now
    item.save()
    plan_progress(item, timezone.localdate(now))
    _log(item, user, Action.APPROVE_REQUEST, request.get_kind_display(), at=now)
    _tell_unit(
        item,
        f"supervision-request-decided:{request.pk}",
        _("Request approved: %(title)s") % {"title": item.title},
    )
    return item


@transaction.atomic
def return_request(user, item, *, reason):
    item = _locked(item)
    _require_supervisor(user, item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is returned.")})
    request = _pending(item)
    now = timezone.now()
    request.state, request.decided_by, request.decided_at = ItemRequest.State.RETURNED, user, now
    request.return_reason = reason
    request.save()
    _log(item, user, Action.RETURN_REQUEST, f"{request.get_kind_display()}: {reason}", at=now)
    _tell_unit(
        item,
        f"supervision-request-decided:{request.pk}",
        _("Request returned: %(title)s") % {"title": item.title},
    )
    return item


@transaction.atomic
def close_item(user, item, *, evaluation, commendation="", commended_by=None, commended_by_name=""):
    """办结 with an evaluation, only once the lead unit has fed back; with it, where given, a
    leader's 肯定性批示 (see ``commend``)."""
    item = _locked(item)
    _require_supervisor(user, item)
    if item.state == State.CLOSED:
        return item
    if item.state != State.FEEDBACK:
        raise ValidationError(
            {"evaluation": _("The lead unit has not fed back yet: the item cannot be closed.")}
        )
    if evaluation not in SupervisionItem.Evaluation.values:
        raise ValidationError({"evaluation": _("Choose an evaluation.")})
    commendation = _check_commendation(user, commendation, commended_by, commended_by_name)
    now = timezone.now()
    item.state, item.closed_at, item.evaluation = State.CLOSED, now, evaluation
    item.save()
    if item.meeting_decision_id:
        coordination.settle_decision(
            item.meeting_decision,
            by=user,
            note=_("Closed as supervised item %(title)s.") % {"title": item.title},
        )
    plan_progress(item, timezone.localdate(now))
    _log(item, user, Action.CLOSE, item.get_evaluation_display(), at=now)
    if commendation:
        _set_commendation(item, user, now, *commendation)
    _tell_unit(
        item, f"supervision-closed:{item.pk}", _("Closed: %(title)s") % {"title": item.title}
    )
    return item


@transaction.atomic
def return_item(user, item, *, reason):
    """退回: the feedback is not enough; the lead unit works on (办理中) and feeds back again."""
    item = _locked(item)
    _require_supervisor(user, item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the item is returned.")})
    if item.state != State.FEEDBACK:
        raise _state_error(item, _("returned"))
    now = timezone.now()
    item.state, item.feedback_at = State.IN_PROGRESS, None
    item.return_count += 1
    item.save()
    plan_progress(item, timezone.localdate(now))
    _log(item, user, Action.RETURN, reason, at=now)
    _tell_unit(
        item,
        f"supervision-returned:{item.pk}:{item.return_count}",
        _("Returned for rework: %(title)s") % {"title": item.title},
    )
    return item


@transaction.atomic
def urge_item(user, item, *, text=""):
    """催办 by hand: the lead unit's people hear of it; the log says who, when and what."""
    item = _locked(item)
    _require_supervisor(user, item)
    if item.state not in SupervisionItem.OPEN_STATES:
        raise _state_error(item, _("urged"))
    text = (text or "").strip() or _("Please speed up and feed back in time.")
    entry = _log(item, user, Action.URGE, text)
    key, title = f"supervision-urge:{entry.pk}", _("Urged: %(title)s") % {"title": item.title}
    notify_many(unit_people([item.lead_unit]), key, title, body=text, url=item.get_absolute_url())
    notify_robot(
        item.lead_unit,
        key,
        GroupRobot.Event.REMINDER,
        robot_text(title, url=item.get_absolute_url()),
    )
    return item


@transaction.atomic
def issue_slip(user, item, *, colour, reason=""):
    """A supervisor issues a slip directly (for a serious item), above the current level."""
    item = _locked(item)
    _require_supervisor(user, item)
    if colour not in Colour.values:
        raise ValidationError({"colour": _("Choose blue, yellow or red.")})
    if item.state not in SupervisionItem.OPEN_STATES:
        raise _state_error(item, _("given a slip"))
    if SLIP_LEVEL[colour] <= SLIP_LEVEL[item.slip]:
        raise ValidationError(
            {"colour": _("The item already has a %(slip)s.") % {"slip": item.get_slip_display()}}
        )
    _issue(item, colour, user, (reason or "").strip(), timezone.now())
    return item


# --- slips ------------------------------------------------------------------------------------

NEXT_SLIP = {"": Colour.BLUE, Colour.BLUE: Colour.YELLOW, Colour.YELLOW: Colour.RED}


def slip_due(colour, now):
    """How long a slip has before the next one follows (rules ``slip-blue``, ``slip-yellow``)."""
    if colour == Colour.RED:
        return None
    return ITEMS.deadline_after(now, f"slip-{colour}")


def _issue(item, colour, user, reason, now):
    """Write a slip, whoever issues it. The item's level moves by a conditional update, so two
    runs never issue the same slip twice."""
    moved = SupervisionItem.objects.filter(pk=item.pk, slip=item.slip).update(
        slip=colour, slip_due=slip_due(colour, now), updated_at=now
    )
    if not moved:
        return None
    item.slip, item.slip_due = colour, slip_due(colour, now)
    slip = Slip.objects.create(
        item=item, unit=item.lead_unit, colour=colour, reason=reason, issued_by=user
    )
    _log(
        item, user, Action.SLIP, f"{slip.get_colour_display()} {reason}".strip(), user is None, now
    )
    title = _("%(slip)s: %(title)s") % {"slip": slip.get_colour_display(), "title": item.title}
    key = f"supervision-slip:{slip.pk}"
    notify_many(unit_people([item.lead_unit]), key, title, url=slip.get_absolute_url())
    # The unit's group hears the slip too: its title only, never the supervisor's reason.
    notify_robot(
        item.lead_unit,
        key,
        GroupRobot.Event.ESCALATION,
        robot_text(title, url=item.get_absolute_url()),
    )
    return slip


def escalate(item, status, now):
    """The automatic rule, one level per run:
    - no slip → blue when the light turns yellow or red (due within 3 days, 签收 missed, or
      overdue), with no lead feedback;
    - blue → yellow when the light is red and the blue slip's limit (``slip-blue``, default
      1 working day) has passed;
    - yellow → red when the light is still red after the yellow slip's limit (``slip-yellow``,
      default 3 working days).
    An approved extension turns the light green again, which stops the escalation."""
    if item.slip == Colour.RED or status.light == Light.GREEN:
        return None
    if item.slip and (status.light != Light.RED or (item.slip_due and now < item.slip_due)):
        return None
    reasons = {
        Colour.BLUE: _("Deadline near or missed."),
        Colour.YELLOW: _("Blue slip not answered in time."),
        Colour.RED: _("Yellow slip not answered in time."),
    }
    colour = NEXT_SLIP[item.slip]
    return _issue(item, colour, None, str(reasons[colour]), now)


# --- the hourly run ---------------------------------------------------------------------------


def units_to_remind():
    """Lead units with open items: the unit of work of one reminder task."""
    return SupervisionItem.objects.open().order_by().values_list("lead_unit", flat=True).distinct()


def send_unit_reminders(unit, now=None):
    """催办 from the lights for one lead unit: each yellow or red item is urged once a day
    (inbox and e-mail, and a line in its log), and escalated by the slip rule. Returns how
    many notifications were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    items = list(SupervisionItem.objects.open().filter(lead_unit=unit).select_related("lead_unit"))
    people = list(unit_people([unit]))
    messages, judged, titles = [], {}, {}
    for item in items:
        status = ITEMS.status_of(item, now)
        if status.light == Light.GREEN:
            continue
        key = daily_key("supervision-urge", item.pk, day=today)
        judged[key] = item
        title = _("Supervised item %(state)s: %(title)s") % {
            "state": status.reason_label,
            "title": item.title,
        }
        titles[key] = title
        messages += [(person, key, title, "", item.get_absolute_url()) for person in people]
    created = notify_batch(messages)
    _tell_group(unit, "supervision-urge", today, titles)
    with transaction.atomic():
        for key in sorted({n.key for n in created}, key=lambda k: judged[k].pk):
            _log(judged[key], None, Action.URGE, _("Automatic reminder."), True, now)
        for item in items:
            escalate(item, ITEMS.status_of(item, now), now)
    return len(created) + send_progress_reminders(unit, now)


def _tell_group(unit, kind, today, titles):
    """The day's reminders of one kind, as one message to the unit's group robot (if it has
    one): the same titles its people get in their inboxes, which every one of them may read.
    ``titles`` maps each reminder's key to its title."""
    if not titles:
        return
    header = {
        "supervision-urge": _("%(unit)s: %(count)s supervised items need attention"),
        "supervision-progress": _("%(unit)s: %(count)s progress feedbacks are due or missed"),
        "rectification-urge": _("%(unit)s: %(count)s rectifications are due or overdue"),
    }[kind] % {"unit": unit.name, "count": len(titles)}
    url = reverse(
        "supervision:inspection-list" if kind == "rectification-urge" else "supervision:item-list"
    )
    text = robot_text(header, list(titles.values()), url=url)
    notify_robot(unit, daily_key(kind, unit.pk, day=today), GroupRobot.Event.REMINDER, text)


# --- recurring progress feedback (阶段进展反馈) -------------------------------------------------

CYCLE_MONTHS = {
    "monthly": frozenset(range(1, 13)),
    "quarterly": frozenset({3, 6, 9, 12}),
    "half_yearly": frozenset({6, 12}),
}
# The first period falls at least this long after the item is assigned.
FIRST_PERIOD_AFTER = timedelta(days=7)


def progress_dates(cycle, day, start, end):
    """The due dates of a ``cycle`` (monthly, quarterly: Mar/Jun/Sep/Dec, half-yearly: Jun/Dec)
    by ``day`` of the month, from a week after ``start`` to before ``end`` (the deadline, which
    the item's own feedback answers)."""
    months = CYCLE_MONTHS.get(cycle)
    if not months:
        return []
    dates, year, month = [], start.year, start.month
    while date(year, month, 1) < end:
        due = date(year, month, day)
        if month in months and start + FIRST_PERIOD_AFTER <= due < end:
            dates.append(due)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def plan_progress(item, today):
    """Keep the item's periods in step with its life: while it is open, every period from
    ``today`` to its deadline exists (an approved extension adds periods); once fed back or
    ended, periods not yet met from ``today`` on are no longer due (past missed ones stay and
    count as 逾期). Returned for rework, it is open again and its periods come back."""
    future = ProgressDue.objects.filter(item=item, fed_back_at__isnull=True, due__gte=today)
    if item.state not in SupervisionItem.OPEN_STATES:
        future.delete()
        return
    start = timezone.localdate(item.assigned_at)
    wanted = [
        due
        for due in progress_dates(item.progress_cycle, item.progress_day, start, item.deadline)
        if due >= today
    ]
    future.exclude(due__in=wanted).delete()
    ProgressDue.objects.bulk_create(
        [ProgressDue(item=item, due=due) for due in wanted], ignore_conflicts=True
    )


def _opens_on(item, period):
    """A period's progress feedback may be given from the day after the period before it fell
    due (the first one: from assignment)."""
    before = ProgressDue.objects.filter(item=item, due__lt=period.due).order_by("-due").first()
    return before.due + timedelta(days=1) if before else timezone.localdate(item.assigned_at)


@transaction.atomic
def feed_back_progress(user, item, *, text, period=None, files=()):
    """阶段进展反馈 by the lead unit for one period (a due date; default the earliest not yet
    met). Where the unit needs approval it waits for its leader; otherwise it reaches the
    supervisor at once and meets the period (late when after its due date)."""
    item = _locked(item)
    if unit_side(user, item)[0] != "lead":
        raise ValidationError({"unit": _("Only the lead unit feeds back progress on this item.")})
    unit = item.lead_unit
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the progress feedback.")})
    if not item.progress_cycle:
        raise ValidationError({"period": _("This item asks for no recurring progress feedback.")})
    if item.state == State.ASSIGNED:
        raise ValidationError({"text": _("Accept the item before feeding back.")})
    if item.state not in SupervisionItem.OPEN_STATES:
        raise _state_error(item, _("fed back"))
    open_periods = ProgressDue.objects.filter(item=item, fed_back_at__isnull=True)
    row = (
        open_periods.filter(due=period).first() if period else open_periods.order_by("due").first()
    )
    if row is None:
        raise ValidationError(
            {"period": _("No progress feedback is due on this item for that period.")}
        )
    today = timezone.localdate()
    opens = _opens_on(item, row)
    if today < opens:
        raise ValidationError(
            {
                "period": _(
                    "The progress feedback due %(due)s is not due yet: it opens on %(opens)s."
                )
                % {"due": row.due.isoformat(), "opens": opens.isoformat()}
            }
        )
    _refuse_if_waiting(item, progress=row)
    approval = "pending" if needs_approval(unit) else ""
    checked = check_uploads(files)
    now = timezone.now()
    feedback = ItemFeedback.objects.create(
        item=item,
        unit=unit,
        is_lead=True,
        text=text,
        submitted_by=user,
        progress=row,
        approval=approval,
    )
    Attachment.store(checked, user, item=item, feedback=feedback)
    label = _("Progress for %(due)s") % {"due": row.due.isoformat()}
    if approval:
        waiting = _("waiting for approval")
        _log(item, user, Action.PROGRESS, f"{label} ({waiting}): {text}", at=now)
        _tell_approvers(item, feedback)
        return item
    _deliver_progress(item, row, now)
    _log(item, user, Action.PROGRESS, f"{label}: {text}", at=now)
    return item


def _deliver_progress(item, row, now):
    ProgressDue.objects.filter(pk=row.pk).update(fed_back_at=now)
    _tell_supervisor(
        item,
        f"supervision-progress:{row.pk}",
        _("Progress fed back on %(title)s") % {"title": item.title},
    )


def _deliver_final(item, now):
    item.state, item.feedback_at = State.FEEDBACK, now
    item.save(update_fields=["state", "feedback_at", "updated_at"])
    plan_progress(item, timezone.localdate(now))


def progress_status(row, now=None):
    """The engine's light for one period (green once met)."""
    return PROGRESS.status_of(row, now)


# --- the unit leader's approval of feedback ---------------------------------------------------


def unit_setting(unit):
    return UnitSupervisionSetting.objects.filter(unit=unit).first()


def needs_approval(unit):
    return UnitSupervisionSetting.objects.filter(unit=unit, requires_approval=True).exists()


def is_approver(user, unit):
    return UnitSupervisionSetting.objects.filter(unit=unit, approvers=user).exists()


def _tell_approvers(item, feedback):
    approvers = User.objects.filter(
        is_active=True, supervision_approvals__unit=item.lead_unit
    ).distinct()
    notify_many(
        approvers,
        f"supervision-approve:{feedback.pk}",
        _("Feedback to approve: %(title)s") % {"title": item.title},
        url=item.get_absolute_url(),
    )


def _refuse_if_waiting(item, progress):
    waiting = ItemFeedback.objects.filter(
        item=item, is_lead=True, approval="pending", progress=progress
    )
    if waiting.exists():
        raise ValidationError(
            {"text": _("Your unit's feedback is already waiting for its leader's approval.")}
        )


def _waiting_feedback(user, item, feedback):
    if not is_approver(user, item.lead_unit):
        raise ValidationError(
            {
                "feedback": _("Only the approvers named for %(unit)s approve its feedback.")
                % {"unit": item.lead_unit.name}
            }
        )
    waiting = ItemFeedback.objects.select_for_update().filter(item=item, approval="pending")
    row = waiting.filter(pk=getattr(feedback, "pk", feedback)).first() if feedback else None
    row = row if feedback else waiting.order_by("created_at", "pk").first()
    if row is None:
        raise ValidationError({"feedback": _("No feedback on this item waits for approval.")})
    return row


@transaction.atomic
def approve_feedback(user, item, *, feedback=None):
    """An approver of the lead unit sends its waiting feedback on to the supervisor: the
    item's feedback moves it to 反馈 (on time or late by the moment of approval), a progress
    feedback meets its period."""
    item = _locked(item)
    row = _waiting_feedback(user, item, feedback)
    if row.progress_id is None and item.state != State.IN_PROGRESS:
        raise _state_error(item, _("fed back"))
    now = timezone.now()
    row.approval, row.approved_by, row.approved_at = "approved", user, now
    row.save(update_fields=["approval", "approved_by", "approved_at", "updated_at"])
    if row.progress_id:
        _deliver_progress(item, row.progress, now)
        text = _("Progress for %(due)s") % {"due": row.progress.due.isoformat()}
    else:
        _deliver_final(item, now)
        text = row.text
        _tell_supervisor(
            item,
            f"supervision-feedback:{row.pk}",
            _("Feedback on %(title)s") % {"title": item.title},
        )
    _log(item, user, Action.APPROVE_FEEDBACK, text, at=now)
    return item


@transaction.atomic
def return_feedback(user, item, *, reason, feedback=None):
    """The approver returns the waiting feedback to the unit with a reason; it never reaches
    the supervisor, and the unit feeds back again."""
    item = _locked(item)
    reason = (reason or "").strip()
    row = _waiting_feedback(user, item, feedback)
    if not reason:
        raise ValidationError({"reason": _("Say why the feedback is returned.")})
    now = timezone.now()
    row.approval, row.approved_by, row.approved_at = "returned", user, now
    row.approval_note = reason
    row.save(
        update_fields=["approval", "approved_by", "approved_at", "approval_note", "updated_at"]
    )
    _log(item, user, Action.RETURN_FEEDBACK, reason, at=now)
    if row.submitted_by.is_active:
        notify_many(
            [row.submitted_by],
            f"supervision-feedback-returned:{row.pk}",
            _("Feedback returned by your leader: %(title)s") % {"title": item.title},
            body=reason,
            url=item.get_absolute_url(),
        )
    return item


# --- the leader's 肯定性批示 ------------------------------------------------------------------


def _check_commendation(user, text, leader, name):
    """``(text, leader, name)`` when a commendation is given, else None. Leaders read only:
    county admins record it on the leader's behalf, naming a leader user or writing a name."""
    text, name = (text or "").strip(), (name or "").strip()
    if not text:
        if leader or name:
            raise ValidationError({"commendation": _("Write the leader's commendation.")})
        return None
    if leader is None and not name:
        raise ValidationError({"commended_by": _("Say which leader gave the commendation.")})
    if leader is not None and not leader.has_role(Role.LEADER):
        raise ValidationError({"commended_by": _("Choose a leader, or write the leader's name.")})
    return text, leader, name or (leader.full_name if leader else "")


def _set_commendation(item, user, now, text, leader, name):
    item.commendation, item.commended_by, item.commended_by_name = text, leader, name
    item.commended_on = timezone.localdate(now)
    item.save(
        update_fields=[
            "commendation",
            "commended_by",
            "commended_by_name",
            "commended_on",
            "updated_at",
        ]
    )
    _log(item, user, Action.COMMEND, f"{name}: {text}", at=now)


@transaction.atomic
def commend(user, item, *, commendation, commended_by=None, commended_by_name=""):
    """肯定性批示 on a closed item, recorded by its supervisor (a county admin) for the leader;
    a later one replaces it (the log keeps both)."""
    item = _locked(item)
    _require_supervisor(user, item)
    if item.state != State.CLOSED:
        raise ValidationError(
            {"commendation": _("A leader's commendation is given on a closed item.")}
        )
    checked = _check_commendation(user, commendation, commended_by, commended_by_name)
    if checked is None:
        raise ValidationError({"commendation": _("Write the leader's commendation.")})
    _set_commendation(item, user, timezone.now(), *checked)
    return item


# --- the hourly run: progress periods ----------------------------------------------------------


def send_progress_reminders(unit, now=None):
    """Each period of ``unit``'s open items that is due soon or missed is urged once a day to
    the lead unit's people (one notification per period per day). Returns how many were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = list(
        ProgressDue.objects.filter(
            item__lead_unit=unit,
            item__state__in=SupervisionItem.OPEN_STATES,
            fed_back_at__isnull=True,
        ).select_related("item")
    )
    people = list(unit_people([unit]))
    messages, titles = [], {}
    for row in rows:
        status = PROGRESS.status_of(row, now)
        if status.light == Light.GREEN:
            continue
        key = daily_key("supervision-progress", row.pk, day=today)
        title = _("Progress feedback %(state)s (due %(due)s): %(title)s") % {
            "state": status.reason_label,
            "due": row.due.isoformat(),
            "title": row.item.title,
        }
        titles[key] = title
        messages += [(person, key, title, "", row.item.get_absolute_url()) for person in people]
    _tell_group(unit, "supervision-progress", today, titles)
    return len(notify_batch(messages))


# --- the per-unit setting (kept by county admins) ---------------------------------------------


def unit_members(unit):
    """Who may be named an approver of ``unit``'s feedback: its own township staff or
    department liaisons (the unit's leaders among them)."""
    return unit_people([unit]).order_by("full_name", "pk")


def check_setting(unit, requires_approval, approvers):
    """The messages for a setting that cannot be kept, by field (empty when it can)."""
    errors = {}
    if unit.kind not in UNIT_KINDS:
        errors["unit"] = _("Choose a township or a department.")
    members = set(unit_members(unit).values_list("pk", flat=True))
    strangers = [user for user in approvers if user.pk not in members]
    if strangers:
        errors["approvers"] = _("Approvers must be members of %(unit)s: %(names)s.") % {
            "unit": unit.name,
            "names": "、".join(str(user) for user in strangers),
        }
    elif requires_approval and not approvers:
        errors["approvers"] = _("Name at least one approver when approval is on.")
    return errors


@transaction.atomic
def save_unit_setting(user, unit, *, requires_approval=False, approvers=()):
    """A county admin over ``unit`` turns the leader's approval of its feedback on or off and
    names its approvers. Feedback already waiting still waits for them."""
    if not may_supervise(user, unit):
        raise PermissionDenied(_("Only the county federation keeps this unit's setting."))
    approvers = list(approvers or ())
    errors = check_setting(unit, requires_approval, approvers)
    if errors:
        raise ValidationError(errors)
    setting, _created = UnitSupervisionSetting.objects.update_or_create(
        unit=unit, defaults={"requires_approval": bool(requires_approval)}
    )
    setting.approvers.set(approvers)
    return setting


# --- 督查 and 整改 -------------------------------------------------------------------------------


def _rectification_error(number, message):
    return ValidationError(
        {
            "rectifications": _("Rectification %(number)s: %(message)s")
            % {"number": number, "message": message}
        }
    )


def clean_checklist(rows):
    """The checklist as a list of ``{"item": ..., "finding": ...}``: each row names what was
    checked; the finding may be empty (nothing to note). Empty rows are dropped."""
    cleaned = []
    if rows in (None, ""):
        return cleaned
    if not isinstance(rows, list | tuple):
        raise ValidationError({"checklist": _("The checklist must be a list of rows.")})
    for row in rows:
        if not isinstance(row, dict) or set(row) - {"item", "finding"}:
            raise ValidationError(
                {"checklist": _("Each checklist row has an item checked and a finding.")}
            )
        item = str(row.get("item") or "").strip()
        finding = str(row.get("finding") or "").strip()
        if not item and not finding:
            continue
        if not item:
            raise ValidationError({"checklist": _("Say what was checked in every row.")})
        if len(item) > 200 or len(finding) > SHORT_TEXT:
            raise ValidationError({"checklist": _("A checklist row is too long.")})
        cleaned.append({"item": item, "finding": finding})
    return cleaned


def _clean_rectifications(user, rows, held_on):
    cleaned = []
    for number, row in enumerate(rows or (), start=1):
        text = (row.get("text") or "").strip()
        owner, deadline = row.get("owner"), row.get("deadline")
        if not text:
            raise _rectification_error(number, _("describe what must be put right."))
        if len(text) > SHORT_TEXT:
            raise _rectification_error(number, _("the text is too long."))
        if owner is None:
            raise _rectification_error(number, _("choose the owner unit."))
        if owner.kind not in UNIT_KINDS or not may_supervise(user, owner):
            raise _rectification_error(
                number, _("the owner must be a township or a department in your area.")
            )
        if deadline is None:
            raise _rectification_error(number, _("give a deadline."))
        if deadline < held_on:
            raise _rectification_error(
                number,
                _("the deadline cannot be before the inspection (%(date)s).")
                % {"date": held_on.isoformat()},
            )
        cleaned.append({"text": text, "owner": owner, "deadline": deadline})
    return cleaned


@transaction.atomic
def record_inspection(
    user,
    *,
    unit=None,
    held_on=None,
    team="",
    findings="",
    checklist=(),
    rectifications=(),
    files=(),
):
    """督查: county staff record an inspection of a township or department in their area, held
    today or earlier, with its rectifications (each with an owner unit and a deadline on or
    after the inspection). All or nothing: one bad rectification writes nothing."""
    if not user.is_superuser and not user.has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied(_("Only county federation staff record inspections."))
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit inspected.")})
    if unit.kind not in UNIT_KINDS:
        raise ValidationError({"unit": _("The unit inspected must be a township or a department.")})
    if not may_supervise(user, unit):
        raise ValidationError({"unit": _("This unit is outside your area.")})
    if held_on is None:
        raise ValidationError({"held_on": _("Give the date of the inspection.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The inspection cannot be in the future.")})
    team = (team or "").strip()
    if not team:
        raise ValidationError({"team": _("Name the inspection team.")})
    findings = (findings or "").strip()
    if not findings:
        raise ValidationError({"findings": _("Write the findings.")})
    checklist = clean_checklist(checklist)
    rows = _clean_rectifications(user, rectifications, held_on)
    checked = check_uploads(files)
    inspection = Inspection(
        unit=unit,
        held_on=held_on,
        team=team,
        checklist=checklist,
        findings=findings,
        created_by=user,
    )
    inspection.full_clean()
    inspection.save()
    InspectionAttachment.store(
        checked, user, inspection=inspection, stage=InspectionAttachment.Stage.INSPECTION
    )
    made = Rectification.objects.bulk_create(
        Rectification(inspection=inspection, **row) for row in rows
    )
    for owner in {r.owner for r in made}:
        notify_many(
            unit_people([owner]),
            f"rectification-assigned:{inspection.pk}:{owner.pk}",
            _("Rectifications to do after the inspection of %(unit)s")
            % {"unit": inspection.unit.name},
            url=inspection.get_absolute_url(),
        )
    return inspection


def owns(user, rectification):
    """Whether ``user`` works (as township staff or department liaison) in the owner unit."""
    return any(
        m.unit_id == rectification.owner_id and m.role in UNIT_ROLES
        for m in user.active_memberships
    )


def _locked_rectification(rectification):
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("owner", "inspection", "inspection__unit", "inspection__created_by")
        .get(pk=rectification.pk)
    )


def _require_verifier(user, rectification):
    if not may_supervise(user, rectification.owner):
        raise PermissionDenied(_("Only county federation staff can verify a rectification."))


def _rectification_state_error(rectification, step):
    return ValidationError(
        _("A rectification that is %(state)s cannot be %(step)s.")
        % {"state": rectification.get_state_display(), "step": step}
    )


@transaction.atomic
def submit_rectification(user, rectification, *, text, files=()):
    """The owner unit reports what it did, with evidence files: the county's turn to verify."""
    rectification = _locked_rectification(rectification)
    if not owns(user, rectification):
        raise ValidationError({"unit": _("Only the owner unit can submit this rectification.")})
    if rectification.state != Rectification.State.OPEN:
        raise _rectification_state_error(rectification, _("submitted"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was done to put it right.")})
    checked = check_uploads(files)
    now = timezone.now()
    rectification.state = Rectification.State.SUBMITTED
    rectification.report, rectification.submitted_at, rectification.submitted_by = text, now, user
    rectification.save()
    InspectionAttachment.store(
        checked,
        user,
        inspection=rectification.inspection,
        rectification=rectification,
        stage=InspectionAttachment.Stage.SUBMISSION,
    )
    recorder = rectification.inspection.created_by
    if recorder.is_active:
        notify_many(
            [recorder],
            f"rectification-submitted:{rectification.pk}:{rectification.return_count}",
            _("Rectification submitted by %(unit)s") % {"unit": rectification.owner.name},
            url=rectification.get_absolute_url(),
        )
    return rectification


@transaction.atomic
def verify_rectification(user, rectification, *, comment, files=()):
    """销号: county staff over the owner unit verify a submitted rectification, with a comment
    (what was checked) and, where they have it, evidence of their own. Only this closes it."""
    rectification = _locked_rectification(rectification)
    _require_verifier(user, rectification)
    if rectification.state == Rectification.State.VERIFIED:
        return rectification
    if rectification.state != Rectification.State.SUBMITTED:
        raise ValidationError(
            {"comment": _("The owner unit has not submitted this rectification yet.")}
        )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say how the rectification was verified.")})
    checked = check_uploads(files)
    rectification.state = Rectification.State.VERIFIED
    rectification.comment, rectification.verified_by = comment, user
    rectification.verified_at = timezone.now()
    rectification.save()
    InspectionAttachment.store(
        checked,
        user,
        inspection=rectification.inspection,
        rectification=rectification,
        stage=InspectionAttachment.Stage.VERIFICATION,
    )
    notify_many(
        unit_people([rectification.owner]),
        f"rectification-verified:{rectification.pk}",
        _("Rectification verified: %(text)s") % {"text": rectification.text[:40]},
        url=rectification.get_absolute_url(),
    )
    return rectification


@transaction.atomic
def return_rectification(user, rectification, *, reason):
    """Sent back: the report is not enough; the rectification is open again."""
    rectification = _locked_rectification(rectification)
    _require_verifier(user, rectification)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the rectification is sent back.")})
    if rectification.state != Rectification.State.SUBMITTED:
        raise _rectification_state_error(rectification, _("sent back"))
    rectification.state = Rectification.State.OPEN
    rectification.return_reason = reason
    rectification.return_count += 1
    rectification.save()
    notify_many(
        unit_people([rectification.owner]),
        f"rectification-returned:{rectification.pk}:{rectification.return_count}",
        _("Rectification sent back: %(text)s") % {"text": rectification.text[:40]},
        body=reason,
        url=rectification.get_absolute_url(),
    )
    return rectification


# --- 整改 in the hourly run and in reports ---------------------------------------------------


def rectification_units_to_remind():
    """Owner units with open rectifications."""
    return Rectification.objects.open().order_by().values_list("owner", flat=True).distinct()


def reminder_units():
    """Units with open items or open rectifications, in id order: one reminder task each,
    which sends both kinds of reminder (send_unit_reminders, send_rectification_reminders)."""
    return sorted(set(units_to_remind()) | set(rectification_units_to_remind()))


def send_rectification_reminders(unit, now=None):
    """催办 for one owner unit: each open rectification whose light is yellow or red (deadline
    near or passed) is urged to the unit's people once a day. Returns how many notifications
    were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    messages, titles = [], {}
    people = list(unit_people([unit]))
    for rectification in Rectification.objects.open().filter(owner=unit).select_related("owner"):
        status = RECTIFICATIONS.status_of(rectification, now)
        if status.light == Light.GREEN:
            continue
        key = daily_key("rectification-urge", rectification.pk, day=today)
        title = _("Rectification %(state)s: %(text)s") % {
            "state": status.reason_label,
            "text": rectification.text[:40],
        }
        url = reverse("supervision:inspection-detail", args=[rectification.inspection_id])
        titles[key] = title
        messages += [
            (person, key, title, "", f"{url}#rectification-{rectification.pk}") for person in people
        ]
    _tell_group(unit, "rectification-urge", today, titles)
    return len(notify_batch(messages))


def rectification_counts(units, start, end):
    """For the reports by month and unit, per owner unit id (one query):

    - ``found``: rectifications from inspections held from ``start`` to ``end`` (inclusive);
    - ``verified``: those verified (销号) in the period;
    - ``open``: those found by then and not verified, as of ``end`` (or today, if earlier);
    - ``overdue``: of the open ones, those still open now and past their deadline as of that
      day (a submitted one waits for the county and is not the unit's delay).
    """
    from django.db.models import Count, Q

    as_of = min(end, timezone.localdate())
    not_verified = Q(inspection__held_on__lte=as_of) & (
        Q(verified_at__isnull=True) | Q(verified_at__date__gt=as_of)
    )
    rows = (
        Rectification.objects.filter(owner__in=units)
        .order_by()
        .values("owner")
        .annotate(
            found=Count(
                "pk", filter=Q(inspection__held_on__gte=start, inspection__held_on__lte=end)
            ),
            open=Count("pk", filter=not_verified),
            overdue=Count(
                "pk",
                filter=not_verified & Q(deadline__lt=as_of, state=Rectification.State.OPEN),
            ),
            verified=Count(
                "pk", filter=Q(verified_at__date__gte=start, verified_at__date__lte=end)
            ),
        )
    )
    empty = {"found": 0, "open": 0, "overdue": 0, "verified": 0}
    counts = {getattr(unit, "pk", unit): dict(empty) for unit in units}
    for row in rows:
        counts[row.pop("owner")] = row
    return counts


def unit_figures(unit_ids, start, end):
    """For assessment (apps/assessment/sources.py): per lead unit, the items assigned between
    ``start`` and ``end`` (dates) in two aggregate queries: ``assigned``, ``on_time``,
    ``overdue``, ``returned``, ``satisfied``, ``unsatisfied``, ``slips``."""
    from django.db.models import Count, F, Q, Sum

    from apps.supervision.models import SupervisionItem

    today = min(end, timezone.localdate())
    State, Evaluation = SupervisionItem.State, SupervisionItem.Evaluation
    done_states = (State.CLOSED, State.SUSPENDED, State.STAGE_COMPLETED)
    items = SupervisionItem.objects.filter(
        lead_unit_id__in=unit_ids, assigned_at__date__gte=start, assigned_at__date__lte=end
    )
    rows = items.values("lead_unit_id").annotate(
        assigned=Count("pk"),
        on_time=Count("pk", filter=Q(state__in=done_states, closed_at__date__lte=F("deadline"))),
        overdue=Count(
            "pk",
            filter=Q(closed_at__date__gt=F("deadline"))
            | (~Q(state__in=done_states) & Q(deadline__lt=today)),
        ),
        returned=Sum("return_count"),
        satisfied=Count("pk", filter=Q(evaluation=Evaluation.SATISFIED)),
        unsatisfied=Count("pk", filter=Q(evaluation=Evaluation.UNSATISFIED)),
    )
    figures = {row.pop("lead_unit_id"): row for row in rows}
    slips = (
        Slip.objects.filter(unit_id__in=unit_ids, item__in=items)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in slips:
        figures.setdefault(row["unit_id"], {})["slips"] = row["n"]
    return figures
