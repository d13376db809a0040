"""Coordination workflows: keeping the service directory, referring a case (转介) with the
woman's consent, and the department's steps (签收, 办理, 办结, 退回). Views, the API, tasks and
commands call only these; liaison is reached only through its services."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.coordination.deadlines import (
    FOLLOW_UP_VISITS,
    INCOMING_REFERRALS,
    PROTECTION_ORDERS,
    REFERRALS,
)
from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    MandatoryReport,
    MeetingFile,
    ProtectionOrder,
    Referral,
    Service,
    WarningLetter,
)
from apps.core.personal_data import may_see_contact_details
from apps.core.roles import Role
from apps.core.uploads import check_uploads
from apps.liaison import services as liaison
from apps.notifications.services import notify_many
from apps.organizations.models import OrgUnit

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
    "complete_days",
    "complete_in_working_days",
    "provides_shelter",
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
        complete_due=REFERRALS.complete_due(now, referral.service),
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


# --- her satisfaction -------------------------------------------------------------------------


@transaction.atomic
def rate_referral(user, referral, *, satisfaction):
    """The referring side (the case's representative, or staff handling the case) records how
    satisfied the woman is with what the department did, once it is completed. It is recorded
    once: a retry with the same answer changes nothing, another answer is refused (county staff
    correct a mistake in the admin site)."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__representative")
        .get(pk=referral.pk)
    )
    if not liaison.can_handle(user, referral.case):
        raise PermissionDenied(_("Only the side that referred the case records her satisfaction."))
    if satisfaction not in Referral.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied she is.")})
    if referral.state != Referral.State.COMPLETED:
        raise ValidationError(
            {"satisfaction": _("Her satisfaction is recorded once the referral is completed.")}
        )
    if referral.satisfaction:
        if referral.satisfaction == satisfaction:
            return referral
        raise ValidationError({"satisfaction": _("Her satisfaction is already recorded.")})
    referral.satisfaction = satisfaction
    referral.rated_by = user
    referral.rated_at = timezone.now()
    referral.save(update_fields=["satisfaction", "rated_by", "rated_at", "updated_at"])
    return referral


# --- department responsiveness and reminders (their own modules) ------------------------------
# Callers reach them here, like every other coordination rule.

from apps.coordination.reminders import (  # noqa: E402, F401
    departments_to_remind,
    send_department_reminders,
)
from apps.coordination.responsiveness import (  # noqa: E402, F401
    monthly_responsiveness,
    responsive_departments,
    responsiveness,
    shows_reasons,
)

# --- the domestic-violence pathway -------------------------------------------------------------
#
# Each step is open only to someone handling the sensitive case (liaison's can_handle: her
# representative, the staff it was escalated to, county federation staff). Notifications and
# to-do titles name the kind of work and the village, never the woman or her words.

# How many warning letters mark a family for closer follow-up.
CLOSER_FOLLOW_UP_LETTERS = 2


def _pathway_case(user, case):
    """The case, locked, when ``user`` handles it and it is sensitive."""
    if not liaison.can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    case = liaison.cases_for(user).select_for_update(of=("self",)).get(pk=case.pk)
    if not case.is_sensitive:
        raise ValidationError(
            {"case": _("The domestic-violence pathway is kept only on sensitive cases.")}
        )
    return case


def _handled_record(user, model, record):
    """A pathway record, locked, when ``user`` handles its case."""
    record = model.objects.select_for_update(of=("self",)).select_related("case").get(pk=record.pk)
    if not liaison.can_handle(user, record.case):
        raise PermissionDenied(_("You are not handling this case."))
    return record


def _required_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _not_future(moment, field, message):
    now = timezone.now() if hasattr(moment, "tzinfo") else timezone.localdate()
    if moment is None:
        raise ValidationError({field: _("Give the date.")})
    if moment > now:
        raise ValidationError({field: message})
    return moment


def shelter_services_for(case):
    """Active services that give shelter (庇护, 民政's) and may take this case."""
    return [service for service in services_for(case) if service.provides_shelter]


@transaction.atomic
def record_warning_letter(user, case, *, issued_on, issued_by, number="", note=""):
    """告诫书 issued by the police: recorded with its 查访 task for the village, due by the
    rule (7 calendar days from today by default). The second letter on a case marks the family
    for closer follow-up (liaison turns her household red, visited every red interval)."""
    case = _pathway_case(user, case)
    issued_by = _required_text(
        issued_by, "issued_by", _("Name the police department or station that issued it.")
    )
    _not_future(issued_on, "issued_on", _("A warning letter cannot be dated in the future."))
    letter = WarningLetter.objects.create(
        unit_id=case.unit_id,
        case=case,
        recorded_by=user,
        issued_on=issued_on,
        issued_by=issued_by,
        number=(number or "").strip(),
        note=(note or "").strip(),
    )
    visit = FollowUpVisit.objects.create(
        unit_id=case.unit_id,
        case=case,
        recorded_by=user,
        warning_letter=letter,
        due=FOLLOW_UP_VISITS.deadline_after(timezone.localdate(), "visit"),
    )
    letters = WarningLetter.objects.filter(case=case).count()
    if letters >= CLOSER_FOLLOW_UP_LETTERS:
        liaison.mark_for_closer_follow_up(
            user,
            case,
            note=_("%(count)s warning letters: the family is marked for closer follow-up.")
            % {"count": letters},
        )
    representative = User.objects.filter(pk=case.representative.user_id, is_active=True)
    notify_many(
        representative.exclude(pk=user.pk),
        f"follow-up-visit:{visit.pk}",
        _("A follow-up visit is due after a warning letter (%(village)s)")
        % {"village": case.unit.name},
        url=visit.get_absolute_url(),
    )
    return letter


@transaction.atomic
def record_follow_up_visit(user, follow_up_visit, *, note, visit=None):
    """查访 done: what the visit found, and the visit she logged for it if any (a visit to the
    case's household that ``user`` may open)."""
    follow_up_visit = _handled_record(user, FollowUpVisit, follow_up_visit)
    if not follow_up_visit.is_open:
        raise ValidationError(_("This follow-up visit is already recorded."))
    note = _required_text(note, "note", _("Write what the follow-up visit found."))
    if visit is not None:
        household = follow_up_visit.case.contact_id
        if not liaison.visits_for(user).filter(pk=visit.pk, contacts=household).exists():
            raise ValidationError({"visit": _("Choose a visit to this case's household.")})
    follow_up_visit.done_at = timezone.now()
    follow_up_visit.done_by = user
    follow_up_visit.note = note
    follow_up_visit.visit = visit
    follow_up_visit.save()
    return follow_up_visit


@transaction.atomic
def apply_protection_order(user, case, *, applied_at, court, urgent=False, note=""):
    """人身安全保护令 applied for: the court's clock runs from ``applied_at`` (72 hours, 24 when
    urgent, calendar hours)."""
    case = _pathway_case(user, case)
    court = _required_text(court, "court", _("Name the court."))
    _not_future(applied_at, "applied_at", _("An application cannot be made in the future."))
    return ProtectionOrder.objects.create(
        unit_id=case.unit_id,
        case=case,
        recorded_by=user,
        applied_at=applied_at,
        court=court,
        urgent=bool(urgent),
        decide_due=PROTECTION_ORDERS.decide_due(applied_at, bool(urgent)),
        note=(note or "").strip(),
    )


@transaction.atomic
def decide_protection_order(user, order, *, outcome, decided_at, note=""):
    """The court's decision, granted or refused, once."""
    order = _handled_record(user, ProtectionOrder, order)
    if not order.is_pending:
        raise ValidationError(_("The court's decision on this application is already recorded."))
    decisions = {ProtectionOrder.Outcome.GRANTED, ProtectionOrder.Outcome.REFUSED}
    if outcome not in decisions:
        raise ValidationError({"outcome": _("Choose whether the order was granted or refused.")})
    _not_future(decided_at, "decided_at", _("A decision cannot be dated in the future."))
    if decided_at < order.applied_at:
        raise ValidationError(
            {"decided_at": _("The court cannot decide before the application was made.")}
        )
    order.outcome = outcome
    order.decided_at = decided_at
    note = (note or "").strip()
    if note:
        order.note = f"{order.note}\n{note}".strip()
    order.save()
    return order


@transaction.atomic
def flag_mandatory_report(user, case, *, reason, note=""):
    """强制报告: the victim is a minor or cannot act for herself; once per case."""
    case = _pathway_case(user, case)
    if reason not in MandatoryReport.Reason.values:
        raise ValidationError(
            {
                "reason": _(
                    "Say why it must be reported: a minor, or a victim who cannot act for herself."
                )
            }
        )
    if MandatoryReport.objects.filter(case=case).exists():
        raise ValidationError({"case": _("This case is already flagged for a mandatory report.")})
    return MandatoryReport.objects.create(
        unit_id=case.unit_id,
        case=case,
        recorded_by=user,
        reason=reason,
        note=(note or "").strip(),
    )


@transaction.atomic
def record_mandatory_report(user, report, *, reported_to, reported_at):
    """The flagged case was reported: to whom (the police) and when."""
    report = _handled_record(user, MandatoryReport, report)
    if report.is_reported:
        raise ValidationError(_("This mandatory report is already recorded."))
    reported_to = _required_text(reported_to, "reported_to", _("Say whom it was reported to."))
    _not_future(reported_at, "reported_at", _("A report cannot be dated in the future."))
    report.reported_to = reported_to
    report.reported_at = reported_at
    report.reported_by = user
    report.save()
    return report


# --- referrals to the federation (部门转来, 首接负责) -------------------------------------------


@transaction.atomic
def refer_to_federation(
    user,
    *,
    department,
    unit,
    category,
    need,
    name,
    consent,
    consent_method="",
    phone="",
    village=None,
    is_sensitive=False,
    note="",
):
    """A department liaison refers a woman to the county federation or a township's. Her
    consent is required (who recorded it, when, how): a department has no override, since
    her name and phone travel with the referral. Her department owns her (首接) until the
    federation accepts; the receiving unit's staff are told, and must answer by the rule's
    deadline (1 working day by default)."""
    if department is None or not is_liaison_of(user, department.pk):
        raise ValidationError(
            {"department": _("You may refer only on behalf of your own department.")}
        )
    _check_receiving_unit(department, unit)
    if not consent:
        raise ValidationError(
            {"consent": _("Record the woman's consent before referring her to the federation.")}
        )
    if consent_method not in Referral.ConsentMethod.values:
        raise ValidationError({"consent_method": _("Say how she gave her consent.")})
    need, name, phone, note = (str(v or "").strip() for v in (need, name, phone, note))
    if not need:
        raise ValidationError({"need": _("Describe what she needs.")})
    if not name:
        raise ValidationError({"name": _("Give her name, so the federation can reach her.")})
    if village is not None and (
        village.kind != OrgUnit.Kind.VILLAGE or not village.path.startswith(unit.path)
    ):
        raise ValidationError(
            {"village": _("Choose a village of the federation unit she is referred to.")}
        )
    now = timezone.now()
    referral = IncomingReferral(
        department=department,
        unit=unit,
        category=category,
        need=need,
        is_sensitive=bool(is_sensitive) or category in liaison.SENSITIVE_CATEGORIES,
        name=name,
        phone=phone,
        village=village,
        consent_method=consent_method,
        consent_recorded_by=user,
        consent_recorded_at=now,
        note=note,
        referred_by=user,
        sent_at=now,
        accept_due=INCOMING_REFERRALS.deadline_after(now, "accept"),
    )
    referral.full_clean()
    referral.save()
    staff = Role.COUNTY_ADMIN if unit.is_upper else Role.TOWNSHIP_STAFF
    notify_many(
        User.objects.working_in([unit], role=staff),
        f"incoming-referral-sent:{referral.pk}",
        _("New referral from %(department)s") % {"department": department.name},
        url=referral.get_absolute_url(),
    )
    return referral


def _check_receiving_unit(department, unit):
    """The federation the department hangs under (a county's, a prefecture's …), or one of the
    federations directly below it (the county's townships, the prefecture's counties)."""
    federation_id = department.parent_id
    if unit is None or not (
        (unit.is_upper and unit.pk == federation_id)
        or (unit.kind != OrgUnit.Kind.DEPARTMENT and unit.parent_id == federation_id)
    ):
        raise ValidationError(
            {"unit": _("Choose the county federation or one of its township federations.")}
        )


def may_receive(user, referral):
    """County federation staff over the unit it is addressed to, or that township's staff."""
    if user.is_superuser:
        return True
    return any(
        (m.role == Role.COUNTY_ADMIN and referral.unit.path.startswith(m.unit.path))
        or (m.role == Role.TOWNSHIP_STAFF and m.unit_id == referral.unit_id)
        for m in user.active_memberships
    )


def receiving_villages(user):
    """The villages ``user`` may accept a referred woman into: any of her county for county
    staff, those of her township for a township staffer."""
    paths = [
        m.unit.path
        for m in user.active_memberships
        if m.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
    ]
    if user.is_superuser:
        paths = [""]
    villages = OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE)
    if not paths:
        return villages.none()
    return villages.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def may_read_contact(user, referral):
    """Her phone in full for the federation staff who receive her (as for every person they
    manage, apps.core.personal_data); masked for the department and everyone else."""
    return may_see_contact_details(user, [referral.unit])


def _lock_incoming(referral):
    return (
        IncomingReferral.objects.select_for_update(of=("self",))
        .select_related("department", "unit")
        .get(pk=referral.pk)
    )


@transaction.atomic
def accept_incoming_referral(user, referral, *, village, representative):
    """签收: the receiving staff take her on. She becomes a household of the representative
    they choose in her village (county staff any village, township staff their own), and a
    case opens with her need, sensitive as the referral; the department hears who accepted."""
    referral = _lock_incoming(referral)
    if not may_receive(user, referral):
        raise PermissionDenied(
            _("Only the federation unit the referral is addressed to answers it.")
        )
    if referral.state == referral.State.ACCEPTED:
        raise ValidationError(_("This referral has already been accepted."))
    if referral.state != referral.State.SENT:
        raise ValidationError(_("A declined referral cannot be accepted."))
    if village is None:
        raise ValidationError({"village": _("Choose her village.")})
    if not receiving_villages(user).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("Choose a village of your own area.")})
    if representative is None:
        raise ValidationError(
            {"representative": _("Choose the representative who will follow her up.")}
        )
    if representative.unit_id != village.pk or not representative.is_active:
        raise ValidationError({"representative": _("Choose a representative of that village.")})
    case = liaison.open_case_from_referral(
        user,
        representative=representative,
        name=referral.name,
        phone=referral.phone,
        category=referral.category,
        description=referral.need,
        is_sensitive=referral.is_sensitive,
        note=_("Case accepted from a referral by %(department)s.")
        % {"department": referral.department.name},
    )
    referral.state = referral.State.ACCEPTED
    referral.accepted_at = timezone.now()
    referral.handled_by = user
    referral.case = case
    referral.save()
    _tell_department(referral, "accepted")
    return referral


@transaction.atomic
def decline_incoming_referral(user, referral, *, reason):
    """退回 with a reason: the referral goes back to the department, which keeps owning her."""
    referral = _lock_incoming(referral)
    if not may_receive(user, referral):
        raise PermissionDenied(
            _("Only the federation unit the referral is addressed to answers it.")
        )
    reason = (reason or "").strip()
    if referral.state != referral.State.SENT:
        raise ValidationError(
            _("A referral that is %(state)s cannot be declined.")
            % {"state": referral.get_state_display()}
        )
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    referral.state = referral.State.DECLINED
    referral.declined_at = timezone.now()
    referral.handled_by = user
    referral.reason = reason
    referral.save()
    _tell_department(referral, "declined")
    return referral


def _tell_department(referral, step):
    """The department's liaisons, and whoever sent it, hear of the federation's answer."""
    recipients = User.objects.working_in([referral.department], role=Role.DEPT_LIAISON) | (
        User.objects.filter(pk=referral.referred_by_id, is_active=True)
    )
    notify_many(
        recipients.distinct(),
        f"incoming-referral-{step}:{referral.pk}",
        _("Referral to %(unit)s: %(state)s")
        % {"unit": referral.unit.name, "state": referral.get_state_display()},
        url=referral.get_absolute_url(),
    )


def own_departments(user):
    """The departments ``user`` is the liaison of: those she may refer on behalf of."""
    ids = [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


def addressable_units(user):
    """The federation units her departments may refer a woman to: the federation each hangs
    under (a county's, or a prefecture's) and the federations directly below it."""
    federations = own_departments(user).values("parent")
    return (
        OrgUnit.objects.filter(Q(pk__in=federations) | Q(parent__in=federations))
        .exclude(kind=OrgUnit.Kind.DEPARTMENT)
        .order_by("path")
    )


def addressable_villages(user):
    """The villages anywhere under those federations, one of which may be hers (one query:
    the federations' paths are matched in a subquery)."""
    from django.db.models.lookups import StartsWith

    federations = OrgUnit.objects.filter(
        StartsWith(models.OuterRef("path"), models.F("path")),
        pk__in=own_departments(user).values("parent"),
    )
    return OrgUnit.objects.filter(models.Exists(federations), kind=OrgUnit.Kind.VILLAGE).order_by(
        "path"
    )


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


# --- 联席会议: the joint-meeting system ---


def _county_of(user, county=None):
    """The federation whose joint-meeting system ``user`` keeps: ``county`` when she is county
    staff over it, else the unit of her (first) county staff membership."""
    from apps.core.querysets import covers

    if county is not None:
        if user.is_superuser or (user.has_role(Role.COUNTY_ADMIN) and covers(user, county)):
            return county
        raise PermissionDenied(_("Only county federation staff keep the joint meetings."))
    for membership in user.active_memberships:
        if membership.role == Role.COUNTY_ADMIN:
            return membership.unit
    raise PermissionDenied(_("Only county federation staff keep the joint meetings."))


def _check_department(department, county, field):
    if department is None or department.kind != "department":
        raise ValidationError({field: _("Choose a functional department.")})
    if not department.path.startswith(county.path):
        raise ValidationError({field: _("This department is not in the federation's area.")})


@transaction.atomic
def save_convener(user, convener=None, *, kind, name, title="", convener_user=None, is_active=True):
    """Name the 总召集人 or a 召集人 of the county's system (or change one)."""
    from apps.coordination.models import MeetingConvener

    county = _county_of(user, convener.county if convener else None)
    convener = convener or MeetingConvener(county=county)
    convener.kind, convener.name, convener.title = kind, (name or "").strip(), title.strip()
    convener.user, convener.is_active = convener_user, is_active
    if not convener.name and convener_user is not None:
        convener.name = convener_user.get_full_name()
    convener.full_clean()
    convener.save()
    return convener


@transaction.atomic
def add_member(user, *, department, joined_on, officer_name="", officer_phone="", officer=None):
    """Make a department a member of the county's system, with its first 联络员."""
    from apps.coordination.models import MemberDepartment

    county = _county_of(user)
    _check_department(department, county, "department")
    if MemberDepartment.objects.filter(county=county, department=department).exists():
        raise ValidationError({"department": _("This department is already a member.")})
    member = MemberDepartment.objects.create(
        county=county, department=department, joined_on=joined_on
    )
    change_liaison_officer(
        user, member, since=joined_on, name=officer_name, phone=officer_phone, officer=officer
    )
    return member


@transaction.atomic
def change_liaison_officer(user, member, *, since, name="", phone="", officer=None):
    """Record a new 联络员 for a member department from ``since``: the one serving until then
    keeps her row, closed the day before (the history is never overwritten). She is an account
    (``officer``) or a name and phone when she has none."""
    from apps.coordination.models import LiaisonOfficer

    _county_of(user, member.county)
    name = (name or "").strip() or (officer.get_full_name() if officer else "")
    phone = (phone or "").strip() or (officer.phone if officer else "")
    if not name:
        raise ValidationError({"name": _("Name the liaison officer, or choose her account.")})
    if since is None:
        raise ValidationError({"since": _("Say from when she serves.")})
    current = (
        LiaisonOfficer.objects.select_for_update().filter(member=member, until__isnull=True).first()
    )
    if current is not None:
        if since <= current.since:
            raise ValidationError(
                {"since": _("The new liaison officer must start after the current one did.")}
            )
        current.until = since - timedelta(days=1)
        current.save(update_fields=["until", "updated_at"])
    new = LiaisonOfficer(
        member=member, user=officer, name=name, phone=phone, since=since, recorded_by=user
    )
    new.full_clean()
    new.save()
    return new


# --- 联席会议: meetings and their decisions ---

MEETING_FIELDS = ("title", "held_on", "place", "convened_by", "agenda", "minutes")


@transaction.atomic
def save_meeting(user, meeting=None, *, departments=(), decisions=None, files=(), **values):
    """Record a joint meeting, or change one, with its decisions, all or nothing.

    ``decisions`` is a list of dicts (``text``, ``owner``, ``deadline``, and ``id`` for one
    already recorded); decisions of the meeting not in the list are removed, unless done.
    ``None`` leaves them as they are. Minutes, files and decisions only once the meeting has
    been held; every decision needs its owner department and a deadline not before the meeting.
    Each owner department's liaisons hear of a decision when it is recorded (or given to them).
    """
    from apps.coordination.models import JointMeeting, MeetingDecision

    county = _county_of(user, meeting.county if meeting else None)
    if meeting is not None and meeting.pk:
        meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    meeting = meeting or JointMeeting(county=county, recorded_by=user)
    for name, value in values.items():
        if name not in MEETING_FIELDS:
            raise TypeError(name)
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    departments = list(departments)
    _check_meeting(meeting, departments, decisions, files)
    checked = check_uploads(files)
    meeting.full_clean()
    meeting.save()
    meeting.departments.set(departments)
    if decisions is not None:
        _save_decisions(user, meeting, decisions, MeetingDecision)
    MeetingFile.store(checked, user, meeting=meeting)
    return meeting


def _check_meeting(meeting, departments, decisions, files):
    from apps.coordination.models import MemberDepartment

    if not meeting.title:
        raise ValidationError({"title": _("Give the meeting a title.")})
    if meeting.held_on is None:
        raise ValidationError({"held_on": _("Say when the meeting was held.")})
    held = meeting.held_on <= timezone.localdate()
    if decisions is None and meeting.pk:
        decisions = meeting.decisions.exists()  # kept as they are: they count too
    if not held and (meeting.minutes or files or decisions):
        raise ValidationError(
            {"held_on": _("Minutes and decisions are recorded only once the meeting is held.")}
        )
    if meeting.convened_by is not None and meeting.convened_by.county_id != meeting.county_id:
        raise ValidationError({"convened_by": _("Choose a convener of this system.")})
    members = set(
        MemberDepartment.objects.filter(county=meeting.county)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=meeting.held_on))
        .values_list("department_id", flat=True)
    )
    strangers = [unit.name for unit in departments if unit.pk not in members]
    if strangers:
        raise ValidationError(
            {
                "departments": _("Not a member of the joint meeting: %(names)s.")
                % {"names": "、".join(strangers)}
            }
        )


def _check_decision(meeting, number, row):
    """One decision's own rules; ``number`` counts from 1 as people read the list."""

    def refuse(message):
        raise ValidationError(
            {
                "decisions": _("Decision %(number)s: %(message)s")
                % {"number": number, "message": message}
            }
        )

    if not (row.get("text") or "").strip():
        refuse(_("say what was decided."))
    owner, deadline = row.get("owner"), row.get("deadline")
    if owner is None:
        refuse(_("choose the department that owns it."))
    if owner.kind != "department":
        refuse(_("the owner must be a functional department."))
    if not owner.path.startswith(meeting.county.path):
        refuse(_("the owner is not in the federation's area."))
    if deadline is None:
        refuse(_("give it a deadline."))
    if deadline < meeting.held_on:
        refuse(_("the deadline is before the meeting."))


def _save_decisions(user, meeting, rows, MeetingDecision):
    existing = {
        d.pk: d for d in MeetingDecision.objects.select_for_update().filter(meeting=meeting)
    }
    kept, told = set(), []
    for number, row in enumerate(rows, start=1):
        _check_decision(meeting, number, row)
        decision_id = row.get("id")
        if decision_id is not None and decision_id not in existing:
            raise ValidationError(
                {
                    "decisions": _("Decision %(number)s is not one of this meeting's.")
                    % {"number": number}
                }
            )
        decision = existing.get(decision_id) or MeetingDecision(meeting=meeting)
        values = {"text": row["text"].strip(), "owner": row["owner"], "deadline": row["deadline"]}
        if decision.pk and not decision.is_open:
            if any(getattr(decision, k) != v for k, v in values.items()):
                raise ValidationError(
                    {
                        "decisions": _(
                            "Decision %(number)s is done or under supervision and can no longer "
                            "be changed."
                        )
                        % {"number": number}
                    }
                )
            kept.add(decision.pk)
            continue
        for name, value in values.items():
            setattr(decision, name, value)
        decision.full_clean(exclude=["meeting"])
        decision.save()
        kept.add(decision.pk)
        told.append(decision)
    removed = [d for pk, d in existing.items() if pk not in kept]
    if any(not d.is_open for d in removed):
        raise ValidationError(
            {"decisions": _("A decision done or under supervision cannot be removed.")}
        )
    try:
        MeetingDecision.objects.filter(pk__in=[d.pk for d in removed]).delete()
    except ProtectedError as error:
        # Taken over elsewhere (a supervised item points at it): it stays.
        raise ValidationError(
            {"decisions": _("A decision taken over as a supervised item cannot be removed.")}
        ) from error
    for decision in told:
        _tell_owner(decision)


def _tell_owner(decision):
    """The owner department's liaisons hear of the decision once (per owner)."""
    notify_many(
        User.objects.working_in([decision.owner], role=Role.DEPT_LIAISON),
        f"meeting-decision:{decision.pk}:{decision.owner_id}",
        _("Joint-meeting decision for your department, due %(deadline)s: %(text)s")
        % {"deadline": decision.deadline.isoformat(), "text": decision.text[:80]},
        url=decision.get_absolute_url(),
    )


@transaction.atomic
def add_minute_files(user, meeting, *, files):
    """Add files to a held meeting's minutes."""
    _county_of(user, meeting.county)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"files": _("Minutes and decisions are recorded only once the meeting is held.")}
        )
    MeetingFile.store(check_uploads(files), user, meeting=meeting)
    return meeting


@transaction.atomic
def complete_decision(user, decision, *, note):
    """The owner department's liaison marks a decision done, saying what was done. A retry
    on a done decision answers with it as it is."""
    from apps.coordination.models import MeetingDecision

    decision = (
        MeetingDecision.objects.select_for_update(of=("self",))
        .select_related("meeting", "owner")
        .get(pk=decision.pk)
    )
    if not is_liaison_of(user, decision.owner_id):
        raise PermissionDenied(_("Only the owner department's liaison marks it done."))
    if not decision.is_open:
        return decision
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what your department did.")})
    decision.state = MeetingDecision.State.DONE
    decision.done_at, decision.done_by, decision.done_note = timezone.now(), user, note
    decision.save()
    recipients = User.objects.filter(is_active=True, pk=decision.meeting.recorded_by_id)
    notify_many(
        recipients,
        f"meeting-decision-done:{decision.pk}",
        _("%(department)s has done a joint-meeting decision: %(text)s")
        % {"department": decision.owner.name, "text": decision.text[:80]},
        url=decision.get_absolute_url(),
    )
    return decision


def decisions_for_supervision(user=None):
    """The decisions the supervision module may take over as supervised items (source 联席会议
    议定): open ones, with their meeting and owner, oldest deadline first. It links an item to
    a decision by a foreign key and shows the decision through ``get_absolute_url``."""
    from apps.coordination.models import MeetingDecision

    decisions = (
        MeetingDecision.objects.all() if user is None else MeetingDecision.objects.for_user(user)
    )
    return decisions.open().with_details().order_by("deadline", "pk")


def decision_status(decision, now=None):
    """The decision's light, from the deadline engine (one rule for pages, API and to-do)."""
    from apps.coordination.deadlines import MEETING_DECISIONS

    return MEETING_DECISIONS.status_of(decision, now)


@transaction.atomic
def hand_over_decision(decision):
    """移交督办: an open decision becomes a supervised item's business. It leaves the owner
    liaison's to-do list (the item's own clocks take over) and can no longer be changed."""
    from apps.coordination.models import MeetingDecision

    decision = MeetingDecision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_open:
        raise ValidationError(
            {"meeting_decision": _("This decision is already done or under supervision.")}
        )
    decision.state = MeetingDecision.State.SUPERVISED
    decision.save(update_fields=["state"])
    return decision


@transaction.atomic
def settle_decision(decision, *, by, note):
    """The supervised item a decision became is closed: the decision is done with it."""
    from apps.coordination.models import MeetingDecision

    decision = MeetingDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != MeetingDecision.State.SUPERVISED:
        return decision
    decision.state = MeetingDecision.State.DONE
    decision.done_at, decision.done_by, decision.done_note = timezone.now(), by, note
    decision.save(update_fields=["state", "done_at", "done_by", "done_note"])
    return decision


def decision_for(user, decision_id):
    """The decision as ``user`` may read it (with its meeting and owner), or None."""
    from apps.coordination.models import MeetingDecision

    return MeetingDecision.objects.for_user(user).with_details().filter(pk=decision_id).first()


def decision_figures(department_ids, start, end, now=None):
    """For assessment (apps/assessment/sources.py): per owner department of ``department_ids``,
    the joint-meeting decisions due within ``start``–``end`` (by deadline): ``owned``, ``done``,
    ``done_on_time`` (done by the end of their deadline's day) and ``overdue`` (not done and
    past the deadline at ``now``, including those taken over by supervision). One aggregate
    query; ``{department_id: row}``."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from apps.coordination.models import MeetingDecision

    today = timezone.localdate(now)
    done = Q(state=MeetingDecision.State.DONE)
    rows = (
        MeetingDecision.objects.filter(owner__in=department_ids, deadline__range=(start, end))
        .annotate(done_on=TruncDate("done_at"))
        .values("owner")
        .annotate(
            owned=Count("pk"),
            done=Count("pk", filter=done),
            done_on_time=Count("pk", filter=done & Q(done_on__lte=models.F("deadline"))),
            overdue=Count("pk", filter=~done & Q(deadline__lt=today)),
        )
    )
    return {row.pop("owner"): row for row in rows}
