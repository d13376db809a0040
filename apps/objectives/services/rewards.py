"""考核奖励: innovation awards, closing a plan, and reward proposals through to publication."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, User
from apps.core.permissions import is_staff_over, works_in
from apps.core.roles import Role
from apps.core.uploads import check_uploads
from apps.notifications import services as notifications
from apps.objectives.models import Evidence, InnovationItem, ObjectivePlan, Reward, UnitScore
from apps.objectives.services.scoring import score_plan
from apps.organizations.models import Period


def _require_county_admin(user):
    if not user.has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied(_("Only county federation staff may do this."))


@transaction.atomic
def claim_innovation(
    user, plan, *, unit, title, description, claimed_points, person=None, files=()
):
    """A unit (or a person in it) claims an innovative practice with its evidence."""
    if plan.status != ObjectivePlan.Status.PUBLISHED:
        raise ValidationError(_("Innovation items are claimed while the plan is running."))
    if not works_in(user, unit) and not is_staff_over(user, unit):
        raise PermissionDenied(_("You can only claim for your own unit."))
    if person is not None and not person.memberships.filter(unit=unit).exists():
        raise ValidationError(
            {
                "person": _("%(person)s does not work in %(unit)s.")
                % {"person": person, "unit": unit}
            }
        )
    checked = check_uploads(files)
    item = InnovationItem(
        plan=plan,
        unit=unit,
        person=person,
        title=title,
        description=description,
        claimed_points=claimed_points,
        claimed_by=user,
    )
    item.full_clean()
    item.save()
    Evidence.store(checked, user, innovation_item=item)
    return item


@transaction.atomic
def award_innovation(user, item, *, points, comment=""):
    """A county reviewer awards points, never more than claimed nor past the unit's cap."""
    _require_county_admin(user)
    # The plan is locked with the item: two awards to one unit, side by side, would each read
    # the points already awarded before the other's, and together pass the unit's cap.
    item = (
        InnovationItem.objects.select_for_update(of=("self", "plan"))
        .select_related("plan")
        .get(pk=item.pk)
    )
    if item.status != InnovationItem.Status.CLAIMED:
        raise ValidationError(_("This item has already been reviewed."))
    if points <= 0 or points > item.claimed_points:
        raise ValidationError(
            {
                "points": _("Award between 0 and the %(claimed)s points claimed.")
                % {"claimed": item.claimed_points}
            }
        )
    already = InnovationItem.objects.filter(
        plan=item.plan, unit=item.unit, status=InnovationItem.Status.AWARDED
    ).aggregate(total=Sum("awarded_points"))["total"] or Decimal(0)
    if already + points > item.plan.innovation_cap:
        raise ValidationError(
            {
                "points": _("%(unit)s has %(already)s of its %(cap)s innovation points already.")
                % {"unit": item.unit, "already": already, "cap": item.plan.innovation_cap}
            }
        )
    _review(item, user, InnovationItem.Status.AWARDED, points, comment)
    return item


@transaction.atomic
def reject_innovation(user, item, *, comment):
    _require_county_admin(user)
    # Locked and read afresh, as in award_innovation: a rejection sent after an award (a retry,
    # a second tab) must not overwrite it.
    item = (
        InnovationItem.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=item.pk)
    )
    if item.status != InnovationItem.Status.CLAIMED:
        raise ValidationError(_("This item has already been reviewed."))
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("Say why it is not awarded.")})
    _review(item, user, InnovationItem.Status.REJECTED, Decimal(0), comment)
    return item


def _review(item, user, status, points, comment):
    item.record_review(user, status, comment, awarded_points=points)
    notifications.notify(
        item.claimed_by,
        f"innovation-reviewed:{item.pk}",
        _("Innovation item reviewed: %(title)s") % {"title": item.title},
        body=item.review_comment,
        url=item.get_absolute_url(),
    )


@transaction.atomic
def close_period(user, period):
    """考核: close an assessment period in one step. Every published plan of the period is
    scored one last time, closed, its scores frozen (no later run recomputes them) and ranked
    within each level; rewards are proposed by each plan's rules; the scored units and people
    are told their final score and the county staff that proposals await them. Then the
    period is closed: no report, objective or plan may be added to it.

    A draft plan of the period refuses the close (publish it first); already closed plans are
    left as they are. Safe to repeat: proposals are unique per plan, award and winner, and
    each notification is sent once. Returns the period."""
    _require_county_admin(user)
    period = Period.objects.select_for_update().get(pk=period.pk)
    plans = list(
        ObjectivePlan.objects.select_for_update(of=("self",))
        .filter(period=period)
        .select_related("unit")
    )
    drafts = [plan for plan in plans if plan.is_draft]
    if drafts:
        raise ValidationError(
            _("Publish or remove the draft plans of this period first: %(plans)s.")
            % {"plans": "、".join(str(plan) for plan in drafts)}
        )
    for plan in plans:
        if plan.status == ObjectivePlan.Status.PUBLISHED:
            score_plan(plan)
            plan.status = ObjectivePlan.Status.CLOSED
            plan.closed_at = timezone.now()
            plan.save(update_fields=["status", "closed_at", "updated_at"])
        plan.scores.filter(frozen=False).update(frozen=True)
        propose_rewards(plan)
        _announce_close(plan)
    if not period.is_closed:
        period.is_closed = True
        period.closed_at = timezone.now()
        period.save(update_fields=["is_closed", "closed_at", "updated_at"])
    return period


def close_plan(user, plan):
    """Close ``plan`` the only way there is: by closing its period (and so every plan of it).
    Returns the plan as it is now."""
    close_period(user, plan.period)
    plan.refresh_from_db()
    return plan


def _announce_close(plan):
    """Each scored unit's people and each scored person hear their final score; the county
    staff hear that reward proposals await confirmation. One message per key, so a second
    close sends nothing again."""
    scores = list(plan.scores.select_related("person"))
    people_of = defaultdict(list)
    for membership in Membership.objects.filter(
        unit__in={score.unit_id for score in scores if not score.person_id},
        user__is_active=True,
    ).select_related("user"):
        people_of[membership.unit_id].append(membership.user)
    messages = []
    for score in scores:
        recipients = [score.person] if score.person_id else people_of[score.unit_id]
        title = _("Final score for %(plan)s: %(score)s, %(grade)s, ranked %(rank)s") % {
            "plan": plan,
            "score": score.score,
            "grade": score.get_grade_display(),
            "rank": score.rank,
        }
        url = score.get_absolute_url()
        messages += [
            (person, f"score-final:{score.pk}", title, "", url)
            for person in {user.pk: user for user in recipients}.values()
        ]
    proposals = plan.rewards.filter(status=Reward.Status.PROPOSED).count()
    messages += [
        (
            admin,
            f"period-closed:{plan.pk}",
            _("%(plan)s is closed: %(count)s reward proposals await confirmation")
            % {"plan": plan, "count": proposals},
            "",
            f"{reverse('objectives:reward-list')}?plan={plan.pk}",
        )
        for admin in User.objects.working_in([plan.unit_id], role=Role.COUNTY_ADMIN)
    ]
    # In-app only: a county's whole roster is not e-mailed at once.
    notifications.notify_batch(messages, email=False)


def propose_rewards(plan):
    """先进集体 for the best excellent units of each level, 先进个人 for the best excellent
    people, 创新奖 for the most awarded innovation items."""
    excellent = plan.scores.filter(grade=UnitScore.Grade.EXCELLENT).order_by("rank")
    proposals = []
    unit_levels = [level for level in UnitScore.Level if level != UnitScore.Level.PERSON]
    for level in unit_levels:
        for score in excellent.filter(level=level)[: plan.collective_awards]:
            proposals.append(_proposal(plan, Reward.Kind.COLLECTIVE, score.unit_id, score=score))
    for score in excellent.filter(level=UnitScore.Level.PERSON)[: plan.individual_awards]:
        proposals.append(
            _proposal(
                plan, Reward.Kind.INDIVIDUAL, score.unit_id, person_id=score.person_id, score=score
            )
        )
    best_items = plan.innovation_items.filter(status=InnovationItem.Status.AWARDED).order_by(
        "-awarded_points", "pk"
    )[: plan.innovation_awards]
    for item in best_items:
        proposals.append(
            Reward(
                plan=plan,
                kind=Reward.Kind.INNOVATION,
                unit_id=item.unit_id,
                person_id=item.person_id,
                innovation_item=item,
                basis=_("%(title)s, %(points)s points awarded")
                % {"title": item.title, "points": item.awarded_points},
            )
        )
    Reward.objects.bulk_create(proposals, ignore_conflicts=True)


def _proposal(plan, kind, unit_id, person_id=None, score=None):
    return Reward(
        plan=plan,
        kind=kind,
        unit_id=unit_id,
        person_id=person_id,
        basis=_("Score %(score)s, %(grade)s, ranked %(rank)s")
        % {"score": score.score, "grade": score.get_grade_display(), "rank": score.rank},
    )


@transaction.atomic
def confirm_reward(user, reward):
    """County staff confirm a proposal; the plan's leaders are asked to approve it.
    Returns the users notified."""
    _require_county_admin(user)
    _advance(reward, Reward.Status.PROPOSED, Reward.Status.CONFIRMED, confirmed_by=user)
    return _tell(
        User.objects.working_in([reward.plan.unit_id], role=Role.LEADER),
        reward,
        "confirmed",
        _("A reward awaits your approval: %(reward)s"),
        reward.basis,
    )


@transaction.atomic
def approve_reward(user, reward):
    """A leader approves; the county staff are asked to publish it. Returns who was told."""
    if not user.has_role(Role.LEADER):
        raise PermissionDenied(_("Rewards are approved by a leader."))
    _advance(reward, Reward.Status.CONFIRMED, Reward.Status.APPROVED, approved_by=user)
    return _tell(
        _county_admins(reward),
        reward,
        "approved",
        _("A reward is approved and ready to publish: %(reward)s"),
        reward.basis,
    )


@transaction.atomic
def publish_reward(user, reward):
    """Publish to the county; the rewarded person, or the people of the rewarded unit, are
    told. Returns who was told."""
    _require_county_admin(user)
    _advance(reward, Reward.Status.APPROVED, Reward.Status.PUBLISHED, published_at=timezone.now())
    rewarded = (
        User.objects.filter(pk=reward.person_id, is_active=True)
        if reward.person_id
        else User.objects.working_in([reward.unit_id])
    )
    return _tell(rewarded, reward, "published", _("You have been awarded: %(reward)s"), "")


@transaction.atomic
def return_reward(user, reward, reason):
    """Send a reward back with a reason: a leader returns a confirmed reward to the county
    staff (who may confirm it again or reject it); county staff reject a proposal. Returns
    the users notified."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is sent back.")})
    limit = Reward._meta.get_field("return_reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)s characters.") % {"limit": limit}}
        )
    stamp = {"return_reason": reason, "returned_by": user, "returned_at": timezone.now()}
    if reward.status == Reward.Status.CONFIRMED and user.has_role(Role.LEADER):
        _advance(
            reward, Reward.Status.CONFIRMED, Reward.Status.PROPOSED, confirmed_by=None, **stamp
        )
        return _tell(
            _county_admins(reward),
            reward,
            "returned",
            _("A leader sent a reward back: %(reward)s"),
            reason,
        )
    if reward.status == Reward.Status.PROPOSED and user.has_role(Role.COUNTY_ADMIN):
        _advance(reward, Reward.Status.PROPOSED, Reward.Status.REJECTED, **stamp)
        return []
    if not user.has_role(Role.COUNTY_ADMIN, Role.LEADER):
        raise PermissionDenied(_("Only county federation staff and leaders send rewards back."))
    raise ValidationError(
        _("This reward is %(status)s; you cannot send it back now.")
        % {"status": reward.get_status_display()}
    )


def _county_admins(reward):
    return User.objects.working_in([reward.plan.unit_id], role=Role.COUNTY_ADMIN)


def _tell(users, reward, step, title, body):
    """Notify ``users`` of a step of ``reward``, linking to the plan's rewards. The key names
    the round (a returned reward goes through the steps again) so a retry sends nothing twice
    but the next round does. Returns the users notified."""
    round_ = int(reward.returned_at.timestamp()) if reward.returned_at else 0
    sent = notifications.notify_many(
        users,
        f"reward-{step}:{reward.pk}:{round_}",
        title % {"reward": reward},
        body=body,
        url=reward.get_absolute_url(),
    )
    return [notification.recipient for notification in sent]


def _advance(reward, expected, new, **fields):
    # The conditional update makes a double click or a second worker a no-op, not a second step.
    updated = Reward.objects.filter(pk=reward.pk, status=expected).update(status=new, **fields)
    if not updated:
        raise ValidationError(
            _("This reward is %(status)s; it cannot become %(new)s.")
            % {"status": reward.get_status_display(), "new": Reward.Status(new).label}
        )
    reward.refresh_from_db()
