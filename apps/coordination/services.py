"""Coordination workflows: keeping the service directory, referring a case (转介) with the
woman's consent, and the department's steps (签收, 办理, 办结, 退回). Views, the API, tasks and
commands call only these; liaison is reached only through its services."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
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
    checked = _check_minute_files(files)
    meeting.full_clean()
    meeting.save()
    meeting.departments.set(departments)
    if decisions is not None:
        _save_decisions(user, meeting, decisions, MeetingDecision)
    _attach_minute_files(checked, user, meeting)
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
                        "decisions": _("Decision %(number)s is done and can no longer be changed.")
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
        raise ValidationError({"decisions": _("A decision already done cannot be removed.")})
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


def _check_minute_files(files):
    """Each upload with its content type, checked like objectives' evidence (size and content,
    apps.core.uploads) before anything is written; every refusal reported on ``files``."""
    from apps.core.uploads import sniff_upload

    checked, errors = [], []
    for upload in files or ():
        try:
            checked.append((upload, sniff_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _attach_minute_files(checked, user, meeting):
    from apps.coordination.models import MeetingFile

    for upload, content_type in checked:
        MeetingFile.objects.create(
            meeting=meeting,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
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
    _attach_minute_files(_check_minute_files(files), user, meeting)
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
