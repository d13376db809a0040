"""Coordination workflows: keeping the service directory, referring a case (转介) with the
woman's consent, and the department's steps (签收, 办理, 办结, 退回). Views, the API, tasks and
commands call only these; liaison is reached only through its services."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.coordination.deadlines import REFERRALS
from apps.coordination.models import Referral, Service
from apps.core.roles import Role
from apps.liaison import services as liaison
from apps.notifications.services import notify_many

SERVICE_FIELDS = (
    "department",
    "name",
    "kind",
    "description",
    "how_to_apply",
    "contact",
    "hours",
    "case_categories",
    "status",
    "accepts_sensitive",
)


# --- the directory ------------------------------------------------------------------------


def may_keep(user, department):
    """A department's liaison keeps its entries; county federation staff any in their area."""
    if user.is_superuser:
        return True
    return any(
        (m.role == Role.DEPT_LIAISON and m.unit_id == department.pk)
        or (m.role == Role.COUNTY_ADMIN and department.path.startswith(m.unit.path))
        for m in user.active_memberships
    )


@transaction.atomic
def save_service(user, service=None, **values):
    """Add a service to the directory, or change one; whoever saves it verifies it now."""
    service = service or Service()
    if service.pk and not may_keep(user, service.department):
        raise PermissionDenied(_("This service belongs to another department."))
    for name, value in values.items():
        if name not in SERVICE_FIELDS:
            raise TypeError(name)
        setattr(service, name, value)
    department = service.department if service.department_id else None
    if department is None or department.kind != "department":
        raise ValidationError({"department": _("Choose a functional department.")})
    if not may_keep(user, department):
        raise ValidationError(
            {"department": _("You may keep only your own department's services.")}
        )
    service.verified_by = user
    service.verified_at = timezone.now()
    service.full_clean()
    service.save()
    return service


def services_for(case):
    """Active services that take the case's category (sensitive ones only where allowed)."""
    services = (
        Service.objects.active().with_details().filter(case_categories__contains=[case.category])
    )
    if case.is_sensitive:
        services = [s for s in services if takes_sensitive(s)]
    return services


def takes_sensitive(service):
    """A sensitive case goes only to a service flagged for it, or to a department whose code is
    in the REFERRAL_SENSITIVE_DEPARTMENTS setting (公安, 司法, 民政 … as the county decides)."""
    allowed = getattr(settings, "REFERRAL_SENSITIVE_DEPARTMENTS", ())
    return service.accepts_sensitive or service.department.code in allowed


# --- referring ---------------------------------------------------------------------------------


@transaction.atomic
def refer_case(user, case, *, service, consent, consent_method="", override_reason="", note=""):
    """转介: send a case to a department's service. The woman's consent is recorded (how, by
    whom, when), or county federation staff override it with a reason, which is logged in the
    case's follow-ups. The department receives only the category, the need (with consent) and
    the contact details she agreed to share. Asking again for the same case and service while
    the first referral is open answers with that referral."""
    if not liaison.can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    existing = Referral.objects.open().filter(case=case, service=service).first()
    if existing is not None:
        return existing
    _check_service(case, service)
    override_reason = (override_reason or "").strip()
    note = (note or "").strip()
    if consent:
        if consent_method not in Referral.ConsentMethod.values:
            raise ValidationError({"consent_method": _("Say how she gave her consent.")})
        override_reason = ""
    elif not override_reason or not user.has_role(Role.COUNTY_ADMIN):
        if override_reason:
            raise ValidationError(
                {"override_reason": _("Only county federation staff may refer without consent.")}
            )
        raise ValidationError(
            {"consent": _("Record the woman's consent before referring her case.")}
        )
    now = timezone.now()
    contact = case.contact
    referral = Referral.objects.create(
        unit=case.unit,
        case=case,
        service=service,
        department=service.department,
        category=case.category,
        need=case.description if consent else "",
        shared_contact=f"{contact.name} {contact.phone}".strip() if consent else "",
        is_sensitive=case.is_sensitive,
        consent=bool(consent),
        consent_method=consent_method if consent else "",
        consent_recorded_by=user if consent else None,
        consent_recorded_at=now if consent else None,
        override_reason=override_reason,
        overridden_by=None if consent else user,
        note=note,
        referred_by=user,
        sent_at=now,
        accept_due=REFERRALS.deadline_after(now, "accept"),
    )
    liaison.mark_referred(user, case, note=_referral_note(referral))
    notify_many(
        User.objects.working_in([service.department], role=Role.DEPT_LIAISON),
        f"referral-sent:{referral.pk}",
        _("New referral: %(service)s") % {"service": service.name},
        url=referral.get_absolute_url(),
    )
    return referral


def _check_service(case, service):
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": _("This service is paused.")})
    if case.category not in service.case_categories:
        raise ValidationError({"service": _("This service does not take cases of this category.")})
    if case.is_sensitive and not takes_sensitive(service):
        raise ValidationError(
            {"service": _("A sensitive case cannot be referred to this department.")}
        )


def _referral_note(referral):
    text = _("Referred to %(department)s · %(service)s.") % {
        "department": referral.department.name,
        "service": referral.service.name,
    }
    if referral.consent:
        text += " " + _("Consent: %(method)s.") % {"method": referral.get_consent_method_display()}
    else:
        text += " " + _("Referred without consent: %(reason)s") % {
            "reason": referral.override_reason
        }
    if referral.note:
        text += " " + referral.note
    return text


# --- the department's steps --------------------------------------------------------------------

# step: (states it may start from, state it leads to)
STEPS = {
    "accept": ({Referral.State.SENT}, Referral.State.ACCEPTED),
    "start": ({Referral.State.ACCEPTED}, Referral.State.IN_PROGRESS),
    "complete": (
        {Referral.State.ACCEPTED, Referral.State.IN_PROGRESS},
        Referral.State.COMPLETED,
    ),
    "decline": ({Referral.State.SENT, Referral.State.ACCEPTED}, Referral.State.DECLINED),
}


def is_liaison_of(user, department_id):
    return any(
        m.role == Role.DEPT_LIAISON and m.unit_id == department_id for m in user.active_memberships
    )


def _step(user, referral, step, **changes):
    """Move a referral one step for its department. A retry of a step already taken answers
    with the referral as it is and writes nothing (no second follow-up or notification)."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("service", "department", "case")
        .get(pk=referral.pk)
    )
    if not is_liaison_of(user, referral.department_id):
        raise PermissionDenied(_("Only the department's liaison answers this referral."))
    allowed_from, new_state = STEPS[step]
    if referral.state == new_state:
        return referral, False
    if referral.state not in allowed_from:
        raise ValidationError(
            _("A referral that is %(state)s cannot be %(step)s.")
            % {"state": referral.get_state_display(), "step": Referral.State(new_state).label}
        )
    referral.state = new_state
    referral.handled_by = user
    for field, value in changes.items():
        setattr(referral, field, value)
    referral.save()
    _tell_referring_side(referral, step)
    return referral, True


def _tell_referring_side(referral, step):
    """The case's representative and whoever referred it hear of each step."""
    recipients = User.objects.filter(
        is_active=True,
        pk__in={referral.referred_by_id, referral.case.representative.user_id},
    )
    notify_many(
        recipients,
        f"referral-{step}:{referral.pk}",
        _("Referral to %(department)s: %(state)s")
        % {"department": referral.department.name, "state": referral.get_state_display()},
        url=referral.get_absolute_url(),
    )


@transaction.atomic
def accept_referral(user, referral):
    """签收: the department takes the referral; its completion clock starts."""
    now = timezone.now()
    referral, _moved = _step(
        user,
        referral,
        "accept",
        accepted_at=now,
        complete_due=REFERRALS.deadline_after(now, "complete"),
    )
    return referral


@transaction.atomic
def start_referral(user, referral):
    referral, _moved = _step(user, referral, "start", started_at=timezone.now())
    return referral


@transaction.atomic
def complete_referral(user, referral, *, outcome):
    """已办结 with the department's outcome, which returns to the case as a follow-up."""
    outcome = (outcome or "").strip()
    if not outcome and referral.state != Referral.State.COMPLETED:
        raise ValidationError({"outcome": _("Say what the department did.")})
    referral, moved = _step(
        user, referral, "complete", completed_at=timezone.now(), outcome=outcome
    )
    if moved:
        liaison.referral_returned(
            user,
            referral.case,
            note=_("Referral completed by %(department)s: %(outcome)s")
            % {"department": referral.department.name, "outcome": outcome},
        )
    return referral


@transaction.atomic
def decline_referral(user, referral, *, reason):
    """退回 with a reason; the case goes back to its handlers."""
    reason = (reason or "").strip()
    if not reason and referral.state != Referral.State.DECLINED:
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    referral, moved = _step(user, referral, "decline", declined_at=timezone.now(), reason=reason)
    if moved:
        liaison.referral_returned(
            user,
            referral.case,
            note=_("Referral declined by %(department)s: %(reason)s")
            % {"department": referral.department.name, "reason": reason},
        )
    return referral


# --- the resource ledger (人力、财力物力) ---------------------------------------------------------

LEDGER_UNIT_KINDS = ("province", "prefecture", "county", "township")


def may_keep_ledger(user, unit):
    """County federation staff keep the ledgers in their area, township staff their
    township's."""
    from apps.core.permissions import is_staff_over

    return user.is_superuser or is_staff_over(user, unit)


def _checked_amount(source_kind, measure, amount, field="amount"):
    """A positive amount: yuan to the fen, whole numbers for countable materials."""
    from decimal import Decimal, InvalidOperation

    from apps.coordination.models import ResourceSource

    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Use at most two decimals.")})
    if measure in ResourceSource.COUNTABLE and amount != amount.to_integral_value():
        raise ValidationError(
            {
                field: _("Materials counted in %(measure)s take whole numbers.")
                % {"measure": ResourceSource.Measure(measure).label}
            }
        )
    return amount


def _checked_date(value, field):
    if value is None:
        raise ValidationError({field: _("Enter a date.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    return value


def _locked_source(user, source):
    from apps.coordination.models import ResourceSource

    source = (
        ResourceSource.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=source.pk)
    )
    if not may_keep_ledger(user, source.unit):
        raise PermissionDenied(_("This ledger belongs to another unit."))
    return source


def _post(user, source, *, kind, amount, balance_change, received_change=0, **fields):
    """Write one ledger line and move the locked source's totals in the same transaction. The
    balance is checked here (a clear message) and by the database (CHECK balance >= 0)."""
    from apps.coordination.models import ResourceEntry, ResourceSource

    if source.balance + balance_change < 0:
        raise ValidationError(
            {
                "amount": _("Only %(balance)s %(measure)s left in this source.")
                % {"balance": source.balance, "measure": source.get_measure_display()}
            }
        )
    entry = ResourceEntry.objects.create(
        source=source, kind=kind, amount=amount, created_by=user, **fields
    )
    ResourceSource.objects.filter(pk=source.pk).update(
        balance=models.F("balance") + balance_change,
        received=models.F("received") + received_change,
    )
    source.refresh_from_db(fields=["balance", "received"])
    return entry


@transaction.atomic
def add_source(
    user,
    *,
    unit,
    kind,
    name,
    measure,
    received_on,
    amount,
    donor="",
    budget_line="",
    note="",
):
    """A new source of funds or materials with its first receipt (入账)."""
    from apps.coordination.models import ResourceEntry, ResourceSource

    if unit is None or unit.kind not in LEDGER_UNIT_KINDS:
        raise ValidationError({"unit": _("Choose the county federation or a township federation.")})
    if not may_keep_ledger(user, unit):
        raise ValidationError({"unit": _("You may keep only your own unit's ledger.")})
    if kind == ResourceSource.Kind.FUNDS and measure != ResourceSource.Measure.YUAN:
        raise ValidationError({"measure": _("Funds are counted in yuan.")})
    if kind == ResourceSource.Kind.MATERIALS and measure == ResourceSource.Measure.YUAN:
        raise ValidationError({"measure": _("Count materials in pieces, boxes, bags or the like.")})
    donor, budget_line = (donor or "").strip(), (budget_line or "").strip()
    if not donor and not budget_line:
        raise ValidationError({"donor": _("Name the donor or the budget line.")})
    amount = _checked_amount(kind, measure, amount)
    source = ResourceSource(
        unit=unit,
        kind=kind,
        name=(name or "").strip(),
        donor=donor,
        budget_line=budget_line,
        measure=measure,
        received_on=_checked_date(received_on, "received_on"),
        received=0,
        balance=0,
        note=(note or "").strip(),
        created_by=user,
    )
    source.full_clean()
    source.save()
    _post(
        user,
        source,
        kind=ResourceEntry.Kind.RECEIPT,
        amount=amount,
        balance_change=amount,
        received_change=amount,
        entry_date=source.received_on,
        donor=donor,
    )
    return source


@transaction.atomic
def receive_resource(user, source, *, amount, received_on, donor="", note=""):
    """入账: more funds or materials into a source."""
    from apps.coordination.models import ResourceEntry

    source = _locked_source(user, source)
    amount = _checked_amount(source.kind, source.measure, amount)
    return _post(
        user,
        source,
        kind=ResourceEntry.Kind.RECEIPT,
        amount=amount,
        balance_change=amount,
        received_change=amount,
        entry_date=_checked_date(received_on, "received_on"),
        donor=(donor or "").strip() or source.donor,
        purpose=(note or "").strip()[:200],
    )


@transaction.atomic
def allocate_resource(
    user,
    source,
    *,
    amount,
    allocated_on,
    purpose,
    approved_by,
    case=None,
    village=None,
    project="",
):
    """拨付/发放 to one case, one village or one project, never beyond the balance. A case must
    be one ``user`` may open (any other is "not found") and lie in the source's area; the line
    records its village, which is all that readers who may not open the case see."""
    from apps.coordination.models import ResourceEntry

    source = _locked_source(user, source)
    amount = _checked_amount(source.kind, source.measure, amount)
    project = (project or "").strip()
    purpose, approved_by = (purpose or "").strip(), (approved_by or "").strip()
    if sum(bool(target) for target in (case, village, project)) != 1:
        raise ValidationError({"case": _("Allocate to one case, one village or one project.")})
    if case is not None:
        if not liaison.cases_for(user).filter(pk=case.pk).exists():
            raise ValidationError({"case": _("No such case.")})
        village = case.unit
    if village is not None and (
        village.kind != "village" or not village.path.startswith(source.unit.path)
    ):
        field = "case" if case is not None else "village"
        raise ValidationError({field: _("Choose a village in this source's area.")})
    if not purpose:
        raise ValidationError({"purpose": _("Say what the allocation is for.")})
    if not approved_by:
        raise ValidationError({"approved_by": _("Say who approved the allocation.")})
    return _post(
        user,
        source,
        kind=ResourceEntry.Kind.ALLOCATION,
        amount=amount,
        balance_change=-amount,
        entry_date=_checked_date(allocated_on, "allocated_on"),
        case=case,
        village=village,
        project=project,
        purpose=purpose,
        approved_by=approved_by,
    )


@transaction.atomic
def reverse_entry(user, source, *, entry, reason):
    """冲正: undo one receipt or allocation of this source with a reason; the original line
    stays. A reversal is not reversed again, and a line is reversed once."""
    from apps.coordination.models import ResourceEntry

    source = _locked_source(user, source)
    reason = (reason or "").strip()
    if entry is None or entry.source_id != source.pk:
        raise ValidationError({"entry": _("No such entry in this source.")})
    entry = ResourceEntry.objects.select_related("case", "village").get(pk=entry.pk)
    if entry.kind == ResourceEntry.Kind.REVERSAL:
        raise ValidationError({"entry": _("A reversal cannot be reversed.")})
    if ResourceEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": _("This entry has already been reversed.")})
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    receipt = entry.kind == ResourceEntry.Kind.RECEIPT
    return _post(
        user,
        source,
        kind=ResourceEntry.Kind.REVERSAL,
        amount=entry.amount,
        balance_change=-entry.amount if receipt else entry.amount,
        received_change=-entry.amount if receipt else 0,
        entry_date=timezone.localdate(),
        reverses=entry,
        reason=reason,
        # A reversed allocation nets out on its case, village or project.
        case=entry.case,
        village=entry.village,
        project=entry.project,
    )


MAX_HOURS_A_DAY = 24


@transaction.atomic
def log_hours(
    user,
    *,
    case,
    person,
    person_kind,
    worked_on,
    hours,
    organisation="",
    service=None,
):
    """Hours a lawyer, psychologist, social worker or volunteer gave to a case, logged by whoever
    handles the case (its representative, staff in its area). One person gives at most 24 hours
    a day, across all cases."""
    from decimal import Decimal, InvalidOperation

    from apps.coordination.models import ResourceHours

    if case is None or not liaison.cases_for(user).filter(pk=case.pk).exists():
        raise ValidationError({"case": _("No such case.")})
    if not liaison.can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    person = (person or "").strip()
    if not person:
        raise ValidationError({"person": _("Name the person who gave the hours.")})
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"hours": _("Enter the hours.")}) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours": _("Use at most one decimal for hours.")})
    worked_on = _checked_date(worked_on, "worked_on")
    logged = ResourceHours.objects.filter(
        person=person, person_kind=person_kind, worked_on=worked_on
    ).aggregate(total=models.Sum(_net_hours()))["total"] or Decimal(0)
    if logged + hours > MAX_HOURS_A_DAY:
        raise ValidationError(
            {
                "hours": _("%(person)s already has %(hours)s hours on that day; at most 24.")
                % {"person": person, "hours": logged}
            }
        )
    entry = ResourceHours(
        unit=case.unit,
        case=case,
        service=service,
        person=person,
        person_kind=person_kind,
        organisation=(organisation or "").strip(),
        worked_on=worked_on,
        hours=hours,
        created_by=user,
    )
    entry.full_clean()
    entry.save()
    return entry


def hours_totals(user, *, by):
    """Hours per ``by`` (``case``, ``person_kind`` or ``month``) over the hours ``user`` may
    read; per case only for the cases she may open."""
    from django.db.models.functions import TruncMonth

    from apps.coordination.models import ResourceHours

    rows = ResourceHours.objects.for_user(user)
    if by == "case":
        rows = rows.filter(case_visible=True).values(key=models.F("case_id"))
    elif by == "person_kind":
        rows = rows.values(key=models.F("person_kind"))
    elif by == "month":
        rows = rows.values(key=TruncMonth("worked_on"))
    else:
        raise ValidationError({"by": _("Choose case, kind or month.")})
    return list(
        rows.annotate(hours=models.Sum(_net_hours()), entries=models.Count("id")).order_by("key")
    )


def resources_for_case(user, case):
    """What a case received (allocations, net of reversals) and the hours given to it, for a
    panel on the case page; None for anyone who may not open the case."""
    from apps.coordination.models import ResourceEntry, ResourceHours

    if not liaison.cases_for(user).filter(pk=case.pk).exists():
        return None
    entries = list(
        ResourceEntry.objects.filter(case=case)
        .select_related("source")
        .order_by("entry_date", "pk")
    )
    totals = {}
    for entry in entries:
        sign = -1 if entry.kind == ResourceEntry.Kind.REVERSAL else 1
        key = (entry.source.kind, entry.source.get_measure_display())
        totals[key] = totals.get(key, 0) + sign * entry.amount
    hours = list(
        ResourceHours.objects.filter(case=case)
        .select_related("service")
        .order_by("worked_on", "pk")
    )
    return {
        "entries": entries,
        "allocated": [
            {"kind": kind, "measure": measure, "amount": amount}
            for (kind, measure), amount in sorted(totals.items())
        ],
        "hours": hours,
        "total_hours": sum((-h.hours if h.reverses_id else h.hours for h in hours), 0),
    }


def _net_hours():
    """Hours as they count: a reversing row's negative."""
    return models.Case(
        models.When(reverses__isnull=False, then=-models.F("hours")),
        default=models.F("hours"),
    )


@transaction.atomic
def reverse_hours(user, row, *, reason):
    """Correct hours logged by mistake: a reversing row with a reason, by whoever handles the
    case; the first row stays. A reversal is not reversed again, and a row is reversed once."""
    from apps.coordination.models import ResourceHours

    row = ResourceHours.objects.select_for_update(of=("self",)).get(pk=row.pk)
    if not liaison.cases_for(user).filter(pk=row.case_id).exists():
        raise ValidationError({"case": _("No such case.")})
    if not liaison.can_handle(user, row.case):
        raise PermissionDenied(_("You are not handling this case."))
    if row.reverses_id:
        raise ValidationError({"reverses": _("A reversal cannot be reversed.")})
    if ResourceHours.objects.filter(reverses=row).exists():
        raise ValidationError({"reverses": _("This entry has already been reversed.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    return ResourceHours.objects.create(
        unit=row.unit,
        case=row.case,
        service=row.service,
        person=row.person,
        person_kind=row.person_kind,
        organisation=row.organisation,
        worked_on=row.worked_on,
        hours=row.hours,
        reverses=row,
        reason=reason,
        created_by=user,
    )
