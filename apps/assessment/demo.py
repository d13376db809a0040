"""Demo assessment for the demo year, each scheme scored and approved through every round and
published: the county's township scheme (fed by the objective scores and supervision figures
already seeded), its scheme for the joint-meeting member departments (referral responsiveness
and meeting decisions), and its scheme for the village executive members (执委, a base of 60
with additions and deductions from their liaison work). Each is built once: a scheme that
exists is left alone (seed_demo stays idempotent)."""

from apps.assessment import services
from apps.assessment.models import AssessmentResult, AssessmentScheme, Indicator, Round

TITLE = "乡镇（街道）妇联工作目标考核"
DEPARTMENT_TITLE = "联席会议成员单位履职考核"
PERSON_TITLE = "村（社区）妇联执委履职考核"


def township_scheme(admin, period):
    return services.save_scheme(
        admin,
        title=f"{period.name}{TITLE}",
        period=period,
        level="township",
        bonus_cap=5,
        parts=[{"name": "平时考核", "weight": 60}, {"name": "年终考核", "weight": 40}],
        indicators=[
            {
                "title": "目标任务",
                "max_points": 100,
                "part": "平时考核",
                "children": [
                    {
                        "title": "目标任务完成情况",
                        "max_points": 60,
                        "kind": "data",
                        "source": "objectives.score",
                        "rule": {"target": 100},
                        "evidence": "以目标管理系统得分为准",
                    },
                    {
                        "title": "督办事项按时办结",
                        "max_points": 20,
                        "kind": "incident",
                        "source": "supervision.overdue",
                        "rule": {"per_event": -2},
                        "evidence": "逾期每件扣2分，扣完为止",
                    },
                    {
                        "title": "被退回重办",
                        "max_points": 20,
                        "kind": "incident",
                        "source": "supervision.returned",
                        "rule": {"per_event": -2, "cap": 10},
                        "evidence": "被退办每次扣2分，最多扣10分",
                    },
                ],
            },
            {
                "title": "年终考核",
                "max_points": 100,
                "part": "年终考核",
                "children": [
                    {
                        "title": "名单、制度上墙",
                        "max_points": 40,
                        "kind": "checklist",
                        "evidence": "上传阵地照片",
                    },
                    {"title": "集中测评", "max_points": 60, "kind": "panel"},
                ],
            },
        ],
        result_rule={
            "grades": [
                {"name": "优秀", "min": 85, "quota": 30, "award": True},
                {"name": "完成任务", "min": 60},
                {"name": "不合格"},
            ],
            "prizes": [
                {"name": "一等奖", "count": 1},
                {"name": "二等奖", "count": 2},
                {"name": "三等奖", "count": 3},
            ],
        },
        vetoes=[
            {
                "reason": "被发放红色督办单，造成不良影响",
                "source": "supervision.slips",
                "at_least": 3,
            }
        ],
    )


def department_scheme(admin, period):
    """As a county writes it for the member departments of its joint meeting: referral
    responsiveness and meeting decisions from the records, a checklist and a panel."""
    return services.save_scheme(
        admin,
        title=f"{period.name}{DEPARTMENT_TITLE}",
        period=period,
        level="department",
        indicators=[
            {
                "title": "转介响应",
                "max_points": 40,
                "children": [
                    {
                        "title": "按时接收转介",
                        "max_points": 10,
                        "kind": "data",
                        "source": "coordination.accepted_on_time_rate",
                        "rule": {"target": 100},
                        "evidence": "以转介记录的接收时间为准",
                    },
                    {
                        "title": "按时办结转介",
                        "max_points": 20,
                        "kind": "data",
                        "source": "coordination.completed_on_time_rate",
                        "rule": {"target": 100},
                        "evidence": "以转介记录的办结时间为准",
                    },
                    {
                        "title": "转介逾期",
                        "max_points": 10,
                        "kind": "incident",
                        "source": "coordination.overdue",
                        "rule": {"per_event": -2},
                        "evidence": "逾期未接收或未办结的每件扣2分，扣完为止",
                    },
                ],
            },
            {
                "title": "议定事项落实",
                "max_points": 30,
                "children": [
                    {
                        "title": "议定事项按时办结",
                        "max_points": 20,
                        "kind": "data",
                        "source": "coordination.decisions_done_on_time_rate",
                        "rule": {"target": 100},
                        "evidence": "联席会议议定事项按期办结的比例",
                    },
                    {
                        "title": "议定事项逾期",
                        "max_points": 10,
                        "kind": "incident",
                        "source": "coordination.decisions_overdue",
                        "rule": {"per_event": -5},
                        "evidence": "逾期未办结的每件扣5分",
                    },
                ],
            },
            {
                "title": "明确分管领导和联络员，按时参加联席会议",
                "max_points": 15,
                "kind": "checklist",
                "evidence": "上传分管领导和联络员名单、参会签到表",
            },
            {
                "title": "成员单位集中测评",
                "max_points": 15,
                "kind": "panel",
                "evidence": "联席会议全体成员单位互评，取平均分",
            },
        ],
        result_rule={
            "grades": [
                {"name": "红旗单位", "min": 90, "quota": 20, "award": True},
                {"name": "先进单位", "min": 80, "quota": 30, "award": True},
                {"name": "达标单位", "min": 60},
                {"name": "未达标单位"},
            ]
        },
        vetoes=[
            {
                "reason": "全年无转介任务，不参加评先",
                "source": "coordination.received",
                "at_most": 0,
            }
        ],
    )


def person_scheme(admin, period):
    """执委履职: a base of 60, deductions and additions from each representative's own
    liaison records, and a deduction assessors enter for misconduct."""
    return services.save_scheme(
        admin,
        title=f"{period.name}{PERSON_TITLE}",
        period=period,
        level="person",
        base_points=60,
        indicators=[
            {
                "title": "参加集中活动",
                "max_points": 10,
                "kind": "incident",
                "source": "liaison.person_absent",
                "rule": {"per_event": -10},
                "evidence": "全年从未参加集中活动的扣10分",
            },
            {
                "title": "走访联系户",
                "max_points": 20,
                "kind": "incident",
                "source": "liaison.person_visits",
                "rule": {"per_event": 1, "cap": 20},
                "evidence": "民情日志每记录一次走访加1分，最多加20分",
            },
            {
                "title": "诉求按时响应",
                "max_points": 10,
                "kind": "incident",
                "source": "liaison.person_cases_on_time",
                "rule": {"per_event": 2, "cap": 10},
                "evidence": "每按时响应一件诉求加2分，最多加10分",
            },
            {
                "title": "履职失当",
                "max_points": 10,
                "kind": "incident",
                "rule": {"per_event": -5},
                "evidence": "造成不良影响的每次扣5分，最多扣10分",
            },
        ],
        result_rule={
            "grades": [
                {"name": "优秀", "min": 80, "quota": 20},
                {"name": "称职", "min": 60},
                {"name": "基本称职", "min": 50},
                {"name": "不称职"},
            ]
        },
    )


def seed_assessment(context, log=print):
    period = context["year_period"]
    seeders = [
        (TITLE, seed_township_scheme),
        (DEPARTMENT_TITLE, seed_department_scheme),
        (PERSON_TITLE, seed_person_scheme),
    ]
    for title, seed in seeders:
        if AssessmentScheme.objects.filter(period=period, title__endswith=title).exists():
            log(f"Assessment: {title} is already seeded.")
            continue
        seed(context, period, log)


def seed_township_scheme(context, period, log):
    users = context["users"]
    admin, leader = users["admin"], users["leader"]
    scheme = township_scheme(admin, period)
    checklist = Indicator.objects.get(scheme=scheme, title="名单、制度上墙")
    panel = Indicator.objects.get(scheme=scheme, title="集中测评")
    units = _self_assessments(
        scheme,
        users["township"],
        admin,
        {checklist: lambda index: 40 - index % 4, panel: lambda index: 58 - index % 7},
    )
    _reviews(admin, checklist, units[:3], 34, "实地查看，部分制度未上墙")
    _through_every_round(scheme, admin, leader)
    log(f"Assessment: {scheme} scored for {len(units)} townships through every round.")


def seed_department_scheme(context, period, log):
    """Each department scores its checklist item and the panel in its self-assessment; the
    county marks two down in the second review, with the reason."""
    users = context["users"]
    admin, leader = users["admin"], users["leader"]
    scheme = department_scheme(admin, period)
    checklist = Indicator.objects.get(scheme=scheme, kind="checklist")
    panel = Indicator.objects.get(scheme=scheme, kind="panel")
    units = _self_assessments(
        scheme,
        users["dept"],
        admin,
        {checklist: lambda index: 15 - index % 3, panel: lambda index: 15 - index % 5},
    )
    _reviews(admin, checklist, units[1:3], 10, "联络员多次缺席联席会议")
    _through_every_round(scheme, admin, leader)
    log(f"Assessment: {scheme} scored for {len(units)} departments through every round.")


def _self_assessments(scheme, own_user, admin, items):
    """Every unit's 自评 of ``items`` (indicator → the value for the unit's position): the
    demo account's own unit by her, the others by the county. Returns the units."""
    units = [unit for unit, _person in services.targets(scheme)]
    own = own_user.primary_membership.unit
    for index, unit in enumerate(units):
        by = own_user if unit == own else admin
        for indicator, value in items.items():
            services.enter_score(by, indicator, unit=unit, round=Round.SELF, value=value(index))
    return units


def _reviews(admin, indicator, units, first_value, reason):
    """The county marks ``units`` down on ``indicator`` in the second review, with a reason."""
    for index, unit in enumerate(units):
        services.enter_score(
            admin,
            indicator,
            unit=unit,
            round=Round.REVIEW,
            value=first_value - index,
            reason=reason,
        )


def seed_person_scheme(context, period, log):
    """Every village representative is scored from her own records; the county deducts for
    two who caused complaints, in the second review."""
    users = context["users"]
    admin, leader = users["admin"], users["leader"]
    scheme = person_scheme(admin, period)
    misconduct = Indicator.objects.get(scheme=scheme, title="履职失当")
    pairs = services.targets(scheme)
    for unit, person in pairs[5:7]:
        services.enter_score(
            admin,
            misconduct,
            unit=unit,
            person=person,
            round=Round.REVIEW,
            value=1,
            reason="走访中态度生硬，群众有投诉",
        )
    _through_every_round(scheme, admin, leader)
    log(f"Assessment: {scheme} scored for {len(pairs)} executive members through every round.")


def _through_every_round(scheme, admin, leader):
    """Score and approve each round in turn (the whole round at once), then publish the final
    ranking."""
    for round_ in [Round.SELF, Round.INITIAL, Round.REVIEW, Round.FINAL]:
        services.score_scheme(scheme, round_)
        services.approve_round(leader if round_ == Round.FINAL else admin, scheme, round_)
    services.publish_results(
        admin, AssessmentResult.objects.filter(scheme=scheme, round=Round.FINAL).first()
    )
