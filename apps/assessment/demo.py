"""Demo assessment: the county's township scheme for the demo year, fed by the objective
scores and supervision figures already seeded, scored and approved through every round and
published. Built once: when the scheme exists nothing is added (seed_demo stays idempotent)."""

from apps.assessment import services
from apps.assessment.models import AssessmentResult, AssessmentScheme, Indicator, Round

TITLE = "乡镇（街道）妇联工作目标考核"


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


def seed_assessment(context, log=print):
    period = context["year_period"]
    if AssessmentScheme.objects.filter(period=period, title__endswith=TITLE).exists():
        log("Assessment: the township scheme is already seeded.")
        return
    users = context["users"]
    admin, leader, township = users["admin"], users["leader"], users["township"]
    scheme = township_scheme(admin, period)
    checklist = Indicator.objects.get(scheme=scheme, title="名单、制度上墙")
    panel = Indicator.objects.get(scheme=scheme, title="集中测评")
    units = [unit for unit, _person in services.targets(scheme)]
    own = township.primary_membership.unit
    for index, unit in enumerate(units):
        by = township if unit == own else admin
        services.enter_score(by, checklist, unit=unit, round=Round.SELF, value=40 - index % 4)
        services.enter_score(by, panel, unit=unit, round=Round.SELF, value=58 - index % 7)
    services.score_scheme(scheme, Round.SELF)
    for index, unit in enumerate(units[:3]):
        services.enter_score(
            admin,
            checklist,
            unit=unit,
            round=Round.REVIEW,
            value=34 - index,
            reason="实地查看，部分制度未上墙",
        )
    for round_ in [Round.SELF, Round.INITIAL, Round.REVIEW, Round.FINAL]:
        if round_ != Round.SELF:
            services.score_scheme(scheme, round_)
        approver = leader if round_ == Round.FINAL else admin
        for result in AssessmentResult.objects.filter(scheme=scheme, round=round_):
            services.approve_result(approver, result)
    services.publish_results(
        admin, AssessmentResult.objects.filter(scheme=scheme, round=Round.FINAL).first()
    )
    log(f"Assessment: {scheme} scored for {len(units)} townships through every round.")
