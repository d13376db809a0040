"""Supervision workflows: assigning an item (交办), the unit's steps (签收, 反馈, requests) and
the supervisor's (approving or returning requests, 退回, 办结 with an evaluation, 催办, 督办单),
and the hourly run that urges and escalates by the lights. Views, the API, tasks and commands
call only these. Every step writes one line of the item's operation log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, User
from apps.coordination import services as coordination
from apps.core.deadlines import Light
from apps.core.roles import Role
from apps.core.uploads import check_uploads
from apps.notifications.services import daily_key, notify_batch, notify_many
from apps.supervision.deadlines import ITEMS, REQUESTS
from apps.supervision.models import (
    SLIP_LEVEL,
    UNIT_KINDS,
    Attachment,
    Colour,
    ItemFeedback,
    ItemLog,
    ItemRequest,
    Slip,
    SupervisionItem,
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


# --- files ------------------------------------------------------------------------------------


def _attach(checked, user, item, feedback=None):
    for upload, content_type in checked:
        Attachment.objects.create(
            item=item,
            feedback=feedback,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
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
    )
    item.full_clean()
    if meeting_decision is not None:
        item.meeting_decision = coordination.hand_over_decision(meeting_decision)
    item.save()
    item.cooperating_units.set(cooperating_units)
    _attach(checked, user, item)
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
    checked = check_uploads(files)
    now = timezone.now()
    feedback = ItemFeedback.objects.create(
        item=item, unit=unit, is_lead=side == "lead", text=text, submitted_by=user
    )
    _attach(checked, user, item, feedback)
    if side == "cooperating":
        _log(item, user, Action.COOPERATION, f"{unit.name}: {text}", at=now)
        notify_many(
            unit_people([item.lead_unit]),
            f"supervision-cooperation:{feedback.pk}",
            _("%(unit)s fed back on %(title)s") % {"unit": unit.name, "title": item.title},
            url=item.get_absolute_url(),
        )
        return item
    item.state, item.feedback_at = State.FEEDBACK, now
    item.save(update_fields=["state", "feedback_at", "updated_at"])
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
def close_item(user, item, *, evaluation):
    """办结 with an evaluation, only once the lead unit has fed back."""
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
    now = timezone.now()
    item.state, item.closed_at, item.evaluation = State.CLOSED, now, evaluation
    item.save()
    if item.meeting_decision_id:
        coordination.settle_decision(
            item.meeting_decision,
            by=user,
            note=_("Closed as supervised item %(title)s.") % {"title": item.title},
        )
    _log(item, user, Action.CLOSE, item.get_evaluation_display(), at=now)
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
    notify_many(
        unit_people([item.lead_unit]),
        f"supervision-urge:{entry.pk}",
        _("Urged: %(title)s") % {"title": item.title},
        body=text,
        url=item.get_absolute_url(),
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
    notify_many(
        unit_people([item.lead_unit]),
        f"supervision-slip:{slip.pk}",
        _("%(slip)s: %(title)s") % {"slip": slip.get_colour_display(), "title": item.title},
        url=slip.get_absolute_url(),
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
    messages, judged = [], {}
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
        messages += [(person, key, title, "", item.get_absolute_url()) for person in people]
    created = notify_batch(messages)
    with transaction.atomic():
        for key in sorted({n.key for n in created}, key=lambda k: judged[k].pk):
            _log(judged[key], None, Action.URGE, _("Automatic reminder."), True, now)
        for item in items:
            escalate(item, ITEMS.status_of(item, now), now)
    return len(created)


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
