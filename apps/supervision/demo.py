"""Demo supervision: a year of supervised items for the demo county, made through the services
and then moved back in time (every timestamp of an item by the same number of days), so each
shows a life as it would have run: on time, late, extended, suspended, stage-completed,
returned and reworked, with slips of every colour; and a few open ones for today (waiting to
be accepted, due soon, overdue, fed back, a request waiting). Built once: when items exist
nothing is added, so seed_demo stays idempotent."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Membership
from apps.coordination import services as coordination
from apps.core.roles import Role
from apps.supervision import services
from apps.supervision.models import (
    ItemFeedback,
    ItemLog,
    ItemRequest,
    ProgressDue,
    Slip,
    SupervisionItem,
    UnitSupervisionSetting,
)

TITLES = [
    ("superior", "落实省妇联“巾帼建新功”行动部署"),
    ("government", "县委关于留守儿童关爱服务体系建设的部署"),
    ("meeting", "联席会议议定：农村妇女“两癌”免费筛查扩面"),
    ("petition", "群众反映：社区托育服务点不足"),
    ("superior", "落实市妇联家庭家教家风建设要求"),
    ("government", "县政府关于妇女就业创业帮扶的部署"),
    ("meeting", "联席会议议定：反家暴庇护站规范化建设"),
    ("petition", "群众反映：困难单亲母亲临时救助申请周期长"),
]

# (lifecycle, days ago it was assigned)
PAST = [
    ("on_time", 340),
    ("late", 320),
    ("extended", 290),
    ("suspended", 260),
    ("returned", 230),
    ("stage", 200),
    ("on_time", 170),
    ("red", 150),
    ("late", 120),
    ("extended", 90),
    ("on_time", 60),
    ("returned", 40),
]
CURRENT = ["assigned", "due_soon", "overdue", "feedback", "requested", "in_progress"]


def seed_supervision(context, log=print):
    if SupervisionItem.objects.exists():
        log("Supervision: items already seeded.")
        return
    admin, dept = context["users"]["admin"], context["users"]["dept"]
    # The demo department (the ``dept`` account's) and four townships, each with its staff.
    units = [context["departments"][0], *context["townships"][:4]]
    made = 0
    for index, (story, days_ago) in enumerate(PAST):
        unit = units[index % len(units)]
        worker = dept if unit == context["departments"][0] else _worker_of(unit)
        item = _assign(admin, index, unit, units, deadline_days=20)
        _live(story, admin, worker, item)
        _backdate(item, days_ago)
        made += 1
    for index, story in enumerate(CURRENT):
        unit = context["departments"][0] if index % 2 == 0 else context["townships"][0]
        worker = dept if index % 2 == 0 else _worker_of(unit)
        item = _assign(admin, index + len(PAST), unit, units, deadline_days=20)
        _current(story, admin, worker, item)
        made += 1
    log(f"Supervision: {made} supervised items, {Slip.objects.count()} slips.")


def _worker_of(unit):
    membership = (
        Membership.objects.filter(unit=unit, role__in=[Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON])
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _assign(admin, index, unit, units, deadline_days):
    from django.utils import timezone

    source, title = TITLES[index % len(TITLES)]
    partner = next(u for u in units if u != unit)
    return services.assign_item(
        admin,
        title=title,
        description=f"请{unit.name}牵头，{partner.name}配合，按要求抓好落实并及时反馈办理情况。",
        source=source,
        lead_unit=unit,
        cooperating_units=[partner],
        deadline=timezone.localdate() + timedelta(days=deadline_days),
        priority="urgent" if index % 5 == 0 else "normal",
    )


def _live(story, admin, worker, item):
    """A finished life, run now and moved back afterwards."""
    if worker is None:
        return
    services.accept_item(worker, item)
    if story == "suspended":
        services.request_change(worker, item, kind="suspension", reason="上级政策调整，暂缓实施。")
        services.approve_request(admin, item)
        return
    if story == "stage":
        services.request_change(
            worker, item, kind="stage_completion", reason="一期任务完成，二期纳入明年计划。"
        )
        services.approve_request(admin, item)
        return
    if story == "extended":
        services.request_change(
            worker,
            item,
            kind="extension",
            new_deadline=item.deadline + timedelta(days=15),
            reason="涉及多部门协调，需延长办理时间。",
        )
        services.approve_request(admin, item)
    if story in {"late", "red"}:
        services.issue_slip(admin, item, colour="blue", reason="临近办理期限。")
        services.issue_slip(admin, item, colour="yellow", reason="逾期未反馈。")
    if story == "red":
        services.issue_slip(admin, item, colour="red", reason="黄色督办单后仍未反馈。")
    services.feed_back(worker, item, text="已按要求完成，形成工作台账。")
    if story == "returned":
        services.return_item(admin, item, reason="缺少佐证材料，请补充后重新反馈。")
        services.feed_back(worker, item, text="已补充佐证材料。")
    evaluation = {"late": "basically_satisfied", "red": "unsatisfied"}.get(story, "satisfied")
    services.close_item(admin, item, evaluation=evaluation)
    if story in {"late", "red"}:
        # Fed back ten days after the deadline.
        late = item.deadline + timedelta(days=10) - item.assigned_at.date()
        SupervisionItem.objects.filter(pk=item.pk).update(
            feedback_at=F("assigned_at") + late, closed_at=F("assigned_at") + late
        )


def _current(story, admin, worker, item):
    """Open items as the demo accounts find them today."""
    if story == "assigned" or worker is None:
        return
    services.accept_item(worker, item)
    if story == "due_soon":
        _backdate(item, 18)
        services.issue_slip(admin, item, colour="blue", reason="临近办理期限。")
    elif story == "overdue":
        _backdate(item, 30)
        services.issue_slip(admin, item, colour="blue", reason="临近办理期限。")
        services.issue_slip(admin, item, colour="yellow", reason="逾期未反馈。")
        services.urge_item(admin, item, text="请尽快办理并反馈。")
    elif story == "feedback":
        services.feed_back(worker, item, text="已完成，请审核。")
    elif story == "requested":
        services.request_change(
            worker,
            item,
            kind="extension",
            new_deadline=item.deadline + timedelta(days=10),
            reason="需等待上级资金下达。",
        )


def _backdate(item, days):
    """Move every moment of ``item``'s life ``days`` back, as if it had started then."""
    shift = timedelta(days=days)
    SupervisionItem.objects.filter(pk=item.pk).update(
        assigned_at=F("assigned_at") - shift,
        accept_due=F("accept_due") - shift,
        accepted_at=F("accepted_at") - shift,
        feedback_at=F("feedback_at") - shift,
        closed_at=F("closed_at") - shift,
        deadline=F("deadline") - shift,
        original_deadline=F("original_deadline") - shift,
        created_at=F("created_at") - shift,
    )
    ItemLog.objects.filter(item=item).update(at=F("at") - shift)
    for model in (ItemFeedback, Slip):
        model.objects.filter(item=item).update(created_at=F("created_at") - shift)
    ItemRequest.objects.filter(item=item).update(
        created_at=F("created_at") - shift,
        decide_due=F("decide_due") - shift,
        decided_at=F("decided_at") - shift,
        new_deadline=F("new_deadline") - shift,
    )
    item.refresh_from_db()


def seed_decisions_under_supervision(context, log=print):
    """The county takes the demo's overdue joint-meeting decisions over as supervised items,
    due a month from today. Once: a decision under supervision is not offered again."""
    admin = context["users"]["admin"]
    today = timezone.localdate()
    overdue = coordination.decisions_for_supervision(admin).filter(deadline__lt=today)
    for decision in overdue:
        services.assign_item(
            admin,
            title=decision.text[:200],
            description=decision.text,
            meeting_decision=decision,
            deadline=today + timedelta(days=30),
        )
    log(f"Supervision: {len(overdue)} overdue joint-meeting decisions taken over.")


# --- progress feedback, approval, commendations (seeded on their own, idempotent) -------------


def seed_supervision_progress(context, log=print):
    """A long item with monthly progress feedback, assigned about four months ago: its past
    periods fed back on time, one late and the last one missed (逾期 in the reports), the next
    due soon; a quarterly one for the first township, whose feedback needs the approval of the
    ``township`` account (李红梅), with a progress feedback waiting for her; and the leader's
    commendation on two items closed to satisfaction."""
    if SupervisionItem.objects.exclude(progress_cycle="").exists():
        log("Supervision: progress feedback already seeded.")
        return
    from django.utils import timezone

    admin, dept = context["users"]["admin"], context["users"]["dept"]
    leader, township = context["users"]["leader"], context["users"]["township"]
    department, first = context["departments"][0], context["townships"][0]
    today = timezone.localdate()
    item = services.assign_item(
        admin,
        title="妇女儿童发展规划中期评估",
        description="对照县妇女儿童发展规划，逐项梳理指标完成情况，每月25日前反馈进展。",
        source="government",
        lead_unit=department,
        cooperating_units=[first],
        deadline=today + timedelta(days=220),
        progress_cycle="monthly",
        progress_day=25,
    )
    services.accept_item(dept, item)
    _backdate(item, 130)
    _progress_history(item, dept, today)
    # The first township needs its chair's approval; one of its staff feeds back progress.
    setting, _created = UnitSupervisionSetting.objects.get_or_create(
        unit=first, defaults={"requires_approval": True}
    )
    setting.approvers.add(township)
    staff = (
        Membership.objects.filter(unit=first, role=Role.TOWNSHIP_STAFF)
        .exclude(user=township)
        .select_related("user")
        .first()
    )
    worker = staff.user if staff else township
    quarterly = services.assign_item(
        admin,
        title="乡镇妇女之家阵地提升",
        description="按季度反馈妇女之家阵地建设和活动开展情况。",
        source="superior",
        lead_unit=first,
        deadline=today + timedelta(days=200),
        progress_cycle="quarterly",
        progress_day=20,
    )
    services.accept_item(worker, quarterly)
    services.feed_back_progress(worker, quarterly, text="已完成 6 个妇女之家阵地改造。")
    closed = SupervisionItem.objects.filter(state="closed", evaluation="satisfied").order_by("pk")
    for index, done in enumerate(closed[:2]):
        services.commend(
            admin,
            done,
            commendation="工作扎实、成效明显，值得总结推广。",
            commended_by=leader if index == 0 else None,
            commended_by_name="" if index == 0 else "县委书记 张国强",
        )
    log("Supervision: progress feedback, an approval waiting, two commendations.")


def _progress_history(item, worker, today):
    """Every period since the (back-dated) assignment; past ones fed back two days early, the
    second three days late, the latest missed."""
    from datetime import datetime, time

    from django.utils import timezone

    ProgressDue.objects.filter(item=item).delete()
    start = timezone.localdate(item.assigned_at)
    dues = services.progress_dates(item.progress_cycle, item.progress_day, start, item.deadline)
    rows = ProgressDue.objects.bulk_create([ProgressDue(item=item, due=due) for due in dues])
    past = [row for row in rows if row.due < today]
    for index, row in enumerate(past):
        if index == len(past) - 1:
            continue
        day = row.due + timedelta(days=3 if index == 1 else -2)
        moment = timezone.make_aware(datetime.combine(day, time(16, 0)))
        feedback = ItemFeedback.objects.create(
            item=item,
            unit=item.lead_unit,
            is_lead=True,
            text=f"{row.due:%m}月进展：按计划推进，已完成阶段目标。",
            submitted_by=worker,
            progress=row,
        )
        ItemFeedback.objects.filter(pk=feedback.pk).update(created_at=moment)
        ProgressDue.objects.filter(pk=row.pk).update(fed_back_at=moment)
        ItemLog.objects.create(
            item=item,
            actor=worker,
            action=ItemLog.Action.PROGRESS,
            at=moment,
            text=f"{row.due.isoformat()}: {feedback.text}",
        )


# --- 督查 and 整改 -------------------------------------------------------------------------------

# (days ago it was held, unit index: 0 the demo department, 1.. townships, checklist, findings,
#  rectifications as (text, owner index, days after the inspection, story))
INSPECTIONS = [
    (
        250,
        0,
        [("留守儿童关爱台账", "台账不全"), ("“两癌”筛查宣传", "")],
        "关爱台账信息不全，部分儿童未建档；宣传到位。",
        [
            ("补齐留守儿童关爱台账，逐人建档", 0, 30, "verified"),
            ("建立台账季度更新制度", 0, 45, "returned_verified"),
        ],
    ),
    (
        120,
        1,
        [("妇女之家阵地建设", "活动记录缺失"), ("执委履职", "")],
        "妇女之家活动记录缺失，制度未上墙。",
        [
            ("补齐妇女之家活动记录", 1, 20, "verified"),
            ("制度上墙并公示联系人", 1, 30, "submitted"),
        ],
    ),
    (
        20,
        0,
        [("反家暴工作机制", "联络员未到位"), ("家庭教育指导", "")],
        "反家暴联络员未明确，转介流程不熟悉。",
        [
            ("明确反家暴联络员并报县妇联备案", 0, 10, "open"),
            ("组织转介流程培训", 0, 40, "submitted"),
            ("配合开展入户走访", 2, 40, "open"),
        ],
    ),
]


def seed_inspections(context, log=print):
    from django.utils import timezone

    from apps.supervision.models import Inspection, Rectification

    if Inspection.objects.exists():
        log("Supervision: inspections already seeded.")
        return
    admin, dept = context["users"]["admin"], context["users"]["dept"]
    units = [context["departments"][0], *context["townships"][:4]]
    today = timezone.localdate()
    for days_ago, unit_index, checklist, findings, rows in INSPECTIONS:
        held_on = today - timedelta(days=days_ago)
        inspection = services.record_inspection(
            admin,
            unit=units[unit_index],
            held_on=held_on,
            team="县妇联督查组：王芳、李静",
            checklist=[{"item": item, "finding": finding} for item, finding in checklist],
            findings=findings,
            rectifications=[
                {"text": text, "owner": units[owner], "deadline": held_on + timedelta(days=days)}
                for text, owner, days, _story in rows
            ],
        )
        made = list(inspection.rectifications.order_by("pk"))
        for rectification, (_text, owner, days, story) in zip(made, rows, strict=True):
            worker = dept if owner == 0 else _worker_of(units[owner])
            if story == "open" or worker is None:
                continue
            services.submit_rectification(worker, rectification, text="已整改到位，附佐证材料。")
            if story == "returned_verified":
                services.return_rectification(admin, rectification, reason="佐证材料不足。")
                services.submit_rectification(worker, rectification, text="已补充佐证材料。")
            if story != "submitted":
                services.verify_rectification(admin, rectification, comment="经现场核查，已销号。")
            # Done a few days before the deadline, as it would have been.
            moment = timezone.now() - timedelta(days=max(days_ago - days + 3, 1))
            Rectification.objects.filter(pk=rectification.pk).update(
                submitted_at=moment,
                verified_at=moment + timedelta(days=2) if story != "submitted" else None,
            )
    log(f"Supervision: {Inspection.objects.count()} inspections.")
