"""Cases and their states (受理, 办理, 上报, 办结, 结案, 转介), follow-ups and mutual help.

Views, the API, tasks and commands call these; nothing else writes liaison rows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as Conditional
from django.db.models import IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.roles import Role
from apps.liaison.deadlines import CASES
from apps.liaison.models import Case, Contact, FollowUp, Representative, Risk, Visit
from apps.liaison.services.contacts import require_representative
from apps.liaison.services.uploads import create_once
from apps.notifications.services import notify_many

SENSITIVE_CATEGORIES = {Case.Category.VIOLENCE}
# The case categories, for modules that classify by them (coordination's services).
CaseCategory = Case.Category


# Which specialties help with which kind of case (优势互补).
HELPFUL_SPECIALTIES = {
    Case.Category.MARRIAGE: ["mediation", "legal", "counselling"],
    Case.Category.VIOLENCE: ["legal", "counselling", "mediation"],
    Case.Category.RIGHTS: ["legal"],
    Case.Category.EMPLOYMENT: ["employment", "ecommerce", "farming"],
    Case.Category.HARDSHIP: ["care", "employment"],
    Case.Category.HEALTH: ["health", "care"],
    Case.Category.CHILDREN: ["parenting", "counselling"],
    Case.Category.MENTAL: ["counselling", "health"],
}


# Which moves each state allows (转介 comes from the coordination module through mark_referred).
TRANSITIONS = {
    "start": ({Case.State.OPEN}, Case.State.IN_PROGRESS),
    "escalate": (
        {Case.State.OPEN, Case.State.IN_PROGRESS, Case.State.ESCALATED},
        Case.State.ESCALATED,
    ),
    "resolve": (
        {Case.State.OPEN, Case.State.IN_PROGRESS, Case.State.ESCALATED, Case.State.REFERRED},
        Case.State.RESOLVED,
    ),
    "close": ({Case.State.RESOLVED}, Case.State.CLOSED),
}


@transaction.atomic
def open_case(user, *, contact, category, description, visit=None, client_id=None):
    """受理: a representative takes up a need of one of her own households. A case made on the
    phone carries its ``client_id``: uploading it again answers with the stored case."""
    representative = require_representative(user)
    return create_once(
        Case,
        user,
        client_id,
        lambda: _open_case(user, representative, contact, category, description, visit, client_id),
    )


def _open_case(user, representative, contact, category, description, visit, client_id):
    if contact.representative_id != representative.pk:
        raise ValidationError({"contact": _("This household is not one of yours.")})
    if not description or not description.strip():
        raise ValidationError({"description": _("Describe the need.")})
    now = timezone.now()
    sensitive = category in SENSITIVE_CATEGORIES
    deadline = CASES.deadline_for(Case.State.OPEN, now, sensitive=sensitive)
    case = Case.objects.create(
        unit=representative.unit,
        representative=representative,
        contact=contact,
        visit=visit,
        category=category,
        description=description.strip(),
        is_sensitive=sensitive,
        state=Case.State.OPEN,
        state_deadline=deadline,
        opened_at=now,
        respond_by=deadline,
        client_id=client_id,
    )
    FollowUp.objects.create(
        case=case, author=user, note=_("Case accepted."), state_to=Case.State.OPEN
    )
    return case


def cases_for(user):
    """The cases ``user`` may open (for modules that scope their rows by a case's rule)."""
    return Case.objects.for_user(user)


def can_handle(user, case):
    """The case's own representative, or federation staff whose area the case is in."""
    if case.representative.user_id == user.pk:
        return True
    return (
        user.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
        and Case.objects.for_user(user).filter(pk=case.pk).exists()
    )


def _locked(case):
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("representative", "unit__parent", "escalated_to")
        .get(pk=case.pk)
    )


def _move(user, case, action, note, **changes):
    """Apply ``action`` to a case locked with _locked(); records the follow-up.

    A retry is harmless: when the case already is where ``user``'s own last step put it (the
    answer to the first attempt was lost, or the broker failed after the commit), nothing is
    written and the case is returned as the first attempt returned it."""
    allowed_from, new_state = TRANSITIONS[action]
    if not can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    if action != "escalate" and case.state == new_state and _last_step_by(user, case, new_state):
        return case
    if case.state not in allowed_from:
        raise ValidationError(
            _("A case that is %(state)s cannot be %(action)s.")
            % {"state": case.get_state_display(), "action": Case.State(new_state).label}
        )
    now = timezone.now()
    old_state = case.state
    case.state = new_state
    case.state_deadline = CASES.deadline_for(new_state, now)
    if case.first_response_at is None:
        case.first_response_at = now
    for field, value in changes.items():
        setattr(case, field, value)
    case.save()
    FollowUp.objects.create(
        case=case,
        author=user,
        note=note.strip() or case.get_state_display(),
        state_from=old_state,
        state_to=new_state,
    )
    return case


def _last_step_by(user, case, state):
    last = case.follow_ups.exclude(state_to="").order_by("-pk").first()
    return last is not None and (last.author_id, last.state_to) == (user.pk, state)


@transaction.atomic
def start_case(user, case, *, note=""):
    """办理中: someone is working on it."""
    return _move(user, _locked(case), "start", note)


@transaction.atomic
def escalate_case(user, case, *, note=""):
    """上报: the case's representative hands it to her township; the township's staff hand it on
    to the county. Where it goes depends on who asks, not on where it is, so a retry cannot
    push a case one level too far: asking again for a case already with (or beyond) that level
    changes nothing and answers with the case as it is."""
    case = _locked(case)
    if not can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    target = _escalation_target(user, case)
    if target is None:
        raise ValidationError(_("The case is already with the county."))
    if case.state == Case.State.ESCALATED and target.pk in case.escalation_units:
        return case
    case = _move(
        user,
        case,
        "escalate",
        note,
        escalated_to=target,
        escalated_at=timezone.now(),
        escalation_units=[*case.escalation_units, target.pk],
    )
    # Only the staff who will handle it: a leader at the county may not open case records.
    handlers = Role.COUNTY_ADMIN if target.is_upper else Role.TOWNSHIP_STAFF
    notify_many(
        User.objects.working_in([target], role=handlers),
        f"case-escalated:{case.pk}:{target.pk}",
        _("A case has been escalated to %(unit)s") % {"unit": target.name},
        url=case.get_absolute_url(),
    )
    return case


def _escalation_target(user, case):
    """The level above the one ``user`` acts for: the township for the village's people, the
    county for the township's staff; None for the county's own staff."""
    township = case.unit.parent
    memberships = {(m.role, m.unit_id) for m in user.active_memberships}
    if (Role.TOWNSHIP_STAFF, township.pk) in memberships:
        return township.parent
    if any(role == Role.COUNTY_ADMIN for role, _unit in memberships):
        return None
    return township


@transaction.atomic
def resolve_case(user, case, *, note=""):
    if not note or not note.strip():
        raise ValidationError({"note": _("Say how the need was met.")})
    return _move(user, _locked(case), "resolve", note, resolved_at=timezone.now())


@transaction.atomic
def close_case(user, case, *, note="", satisfaction=""):
    """结案 with the woman's satisfaction."""
    if satisfaction not in Case.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Record how satisfied she is.")})
    return _move(
        user, _locked(case), "close", note, closed_at=timezone.now(), satisfaction=satisfaction
    )


@transaction.atomic
def add_follow_up(user, case, *, note, client_id=None):
    """A note on the case. One made on the phone carries its ``client_id``: uploading it again
    answers with the stored follow-up (one of another case is refused like someone else's)."""
    return create_once(
        FollowUp,
        user,
        client_id,
        lambda: _add_follow_up(user, case, note, client_id),
        belongs=lambda follow_up: follow_up.case_id == case.pk,
    )


def _add_follow_up(user, case, note, client_id):
    if not can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    if not note or not note.strip():
        raise ValidationError({"note": _("Write the follow-up.")})
    if case.first_response_at is None:
        Case.objects.filter(pk=case.pk).update(first_response_at=timezone.now())
    return FollowUp.objects.create(case=case, author=user, note=note.strip(), client_id=client_id)


@transaction.atomic
def mark_referred(user, case, *, note):
    """转介: the coordination module calls this when it refers a case to a department.
    Only someone who may handle the case refers it; the row lock lasts to the commit."""
    case = _locked(case)
    if not can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    if not case.is_open:
        raise ValidationError(_("A resolved or closed case cannot be referred."))
    old_state = case.state
    case.state = Case.State.REFERRED
    case.state_deadline = CASES.deadline_for(Case.State.REFERRED, timezone.now())
    case.save(update_fields=["state", "state_deadline", "updated_at"])
    FollowUp.objects.create(
        case=case, author=user, note=note, state_from=old_state, state_to=case.state
    )
    return case


@transaction.atomic
def referral_returned(user, case, *, note):
    """A referral came back (completed with an outcome, or declined with a reason): the case
    leaves 转介 for 办理中 and the note becomes a follow-up. Called by the coordination module
    only, after its own checks that ``user`` is the department's liaison answering the
    referral (she may not open the case itself, so can_handle does not apply here). A case
    no longer in 转介 (another referral already brought it back, or its handler moved it on)
    keeps its state and only gains the follow-up."""
    case = _locked(case)
    old_state = case.state
    changes = {}
    if case.state == Case.State.REFERRED:
        case.state = Case.State.IN_PROGRESS
        case.state_deadline = CASES.deadline_for(Case.State.IN_PROGRESS, timezone.now())
        case.save(update_fields=["state", "state_deadline", "updated_at"])
        changes = {"state_from": old_state, "state_to": case.state}
    FollowUp.objects.create(case=case, author=user, note=note, **changes)
    return case


def suggest_helpers(case, limit=10):
    """优势互补: representatives anywhere in the county whose specialties fit the case, nearest
    first (same village, then same township, then the rest of the county)."""
    township = case.unit.parent
    county_path = township.path.rsplit("/", 2)[0] + "/" if township else case.unit.path
    return (
        Representative.objects.active()
        .filter(specialties__overlap=HELPFUL_SPECIALTIES.get(case.category, []))
        .filter(unit__path__startswith=county_path)
        .exclude(pk=case.representative_id)
        .annotate(
            distance=Conditional(
                When(unit=case.unit_id, then=Value(0)),
                When(unit__parent=township, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("unit__parent")
        .order_by("distance", "unit__path", "full_name")[:limit]
    )


@transaction.atomic
def mark_for_closer_follow_up(user, case, *, note):
    """The coordination module's domestic-violence pathway calls this when a family has had
    two or more warning letters (告诫书): her household turns red, so the visit-due rule asks
    for a visit every red interval (VisitInterval, 7 days by default), and the note becomes a
    follow-up. Only someone handling the case; a household already red only gains the note."""
    case = _locked(case)
    if not can_handle(user, case):
        raise PermissionDenied(_("You are not handling this case."))
    Contact.objects.filter(pk=case.contact_id).exclude(risk=Risk.RED).update(
        risk=Risk.RED, updated_at=timezone.now()
    )
    return FollowUp.objects.create(case=case, author=user, note=note)


def visits_for(user):
    """The visits ``user`` may open (for modules that link a record to a logged visit)."""
    return Visit.objects.for_user(user)


def open_case_from_referral(
    user, *, representative, name, phone, category, description, is_sensitive, note
):
    """受理 of a woman a functional department referred to the federation: called by the
    coordination module only, after its own checks that ``user`` is the federation staff
    accepting the referral and that ``representative`` is of the village chosen. The woman
    becomes a household of that representative (or her existing household in the village is
    reused, when it is that representative's), and the case opens with her need, as sensitive
    as the referral; federation staff of a township that accepts it may open it, like a case
    escalated to them."""
    contact = _referred_household(representative, name, phone)
    now = timezone.now()
    sensitive = is_sensitive or category in SENSITIVE_CATEGORIES
    deadline = CASES.deadline_for(Case.State.OPEN, now, sensitive=sensitive)
    staff_units = [
        m.unit_id
        for m in user.active_memberships
        if m.role == Role.TOWNSHIP_STAFF and m.unit_id == representative.unit.parent_id
    ]
    case = Case.objects.create(
        unit=representative.unit,
        representative=representative,
        contact=contact,
        category=category,
        description=description.strip(),
        is_sensitive=sensitive,
        state=Case.State.OPEN,
        state_deadline=deadline,
        opened_at=now,
        respond_by=deadline,
        escalation_units=staff_units,
    )
    FollowUp.objects.create(case=case, author=user, note=note, state_to=Case.State.OPEN)
    notify_many(
        User.objects.filter(pk=representative.user_id, is_active=True),
        f"case-from-referral:{case.pk}",
        _("A case has been assigned to you"),
        url=case.get_absolute_url(),
    )
    return case


def _referred_household(representative, name, phone):
    from apps.liaison.models import Contact

    existing = (
        Contact.objects.filter(unit=representative.unit, name=name, phone=phone)
        .select_related("representative")
        .first()
    )
    if existing is None:
        return Contact.objects.create(
            unit=representative.unit, representative=representative, name=name, phone=phone
        )
    if existing.representative_id != representative.pk:
        raise ValidationError(
            {
                "representative": _(
                    "She is already a household of %(name)s; choose that representative."
                )
                % {"name": existing.representative.full_name}
            }
        )
    return existing
