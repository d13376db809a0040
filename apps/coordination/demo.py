"""Demo coordination: two or three services for every department of the demo county, and a
few referrals of the demo representative's cases to 县教育局 (the demo ``dept`` account) in
different states, all made through the services. Built once: when services exist nothing is
added, so seed_demo stays idempotent."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from apps.coordination import services
from apps.coordination.models import Service
from apps.liaison import services as liaison

P, F, L = Service.Kind.PEOPLE, Service.Kind.FUNDS, Service.Kind.LEGAL

# (department name): [(service, class, case categories, takes sensitive cases)]
SERVICES = {
    "县教育局": [
        ("困难家庭学生资助", F, ["children", "hardship"], False),
        ("留守儿童心理辅导", P, ["children", "mental"], False),
        ("家庭教育指导", P, ["children", "marriage"], False),
    ],
    "县卫生健康局": [
        ("两癌筛查", P, ["health"], False),
        ("心理健康门诊", P, ["mental", "health"], False),
    ],
    "县民政局": [
        ("临时救助", F, ["hardship"], False),
        ("反家暴庇护站", P, ["violence"], True),
        ("婚姻家庭辅导", P, ["marriage"], False),
    ],
    "县司法局": [
        ("法律援助", L, ["rights", "marriage", "violence"], True),
        ("人民调解", L, ["marriage", "rights"], False),
    ],
    "县公安局": [
        ("家暴警情处置与告诫", L, ["violence"], True),
        ("户籍证件协助", P, ["rights"], False),
    ],
    "县人力资源和社会保障局": [
        ("就业技能培训", P, ["employment"], False),
        ("创业担保贷款", F, ["employment"], False),
    ],
    "县农业农村局": [
        ("农村实用技术培训", P, ["employment"], False),
        ("特色种养扶持", F, ["employment", "hardship"], False),
    ],
    "共青团县委": [
        ("青少年心理热线", P, ["mental", "children"], False),
        ("希望工程助学", F, ["children", "hardship"], False),
    ],
    "县总工会": [
        ("困难职工帮扶", F, ["hardship"], False),
        ("女职工权益维护", L, ["rights", "employment"], False),
    ],
    "县法院": [
        ("人身安全保护令申请指导", L, ["violence"], True),
        ("家事审判调解", L, ["marriage"], False),
    ],
    "县检察院": [
        ("司法救助", F, ["hardship", "rights"], False),
        ("未成年人检察", L, ["children", "violence"], True),
    ],
    "县财政局": [
        ("妇女专项资金", F, ["employment", "hardship"], False),
        ("项目资金拨付咨询", F, ["hardship"], False),
    ],
}


def seed_coordination(context, log=print):
    if Service.objects.exists():
        log("Coordination: services already seeded.")
        return
    admin, rep, dept = (context["users"][name] for name in ("admin", "village", "dept"))
    made = []
    for department in context["departments"]:
        for name, kind, categories, sensitive in SERVICES.get(department.name, []):
            made.append(
                services.save_service(
                    admin,
                    department=department,
                    name=name,
                    kind=kind,
                    description=f"{department.name}{name}，面向符合条件的妇女儿童。",
                    how_to_apply="由村（社区）妇联执委经平台转介，或到部门窗口申请。",
                    contact=f"{department.name}办公室",
                    hours="工作日 8:30-17:30",
                    case_categories=categories,
                    status=Service.Status.ACTIVE,
                    accepts_sensitive=sensitive,
                )
            )
    referrals = _refer_demo_cases(rep, dept)
    log(f"Coordination: {len(made)} services, {len(referrals)} referrals to 县教育局.")


# Needs the demo representative takes up for referral to 县教育局 (category, need).
NEEDS = [
    ("children", "孩子上初中后学费困难，母亲希望申请资助。"),
    ("children", "留守儿童情绪低落，奶奶希望学校心理老师关注。"),
    ("hardship", "单亲母亲失业，两个孩子在读，希望减免费用。"),
    ("children", "孩子沉迷手机，母亲希望得到家庭教育指导。"),
    ("mental", "初三学生考试焦虑，家长请求心理辅导。"),
]


def _refer_demo_cases(rep, dept):
    """Five needs of the demo representative's households, taken up as cases and referred
    with consent to 县教育局, left in different states for its liaison."""
    representative = liaison.representative_of(rep)
    households = list(representative.contacts.order_by("pk")[: len(NEEDS)])
    offered = list(Service.objects.filter(department=dept.primary_membership.unit))
    referrals = []
    for household, (category, need) in zip(households, NEEDS, strict=False):
        service = next(s for s in offered if category in s.case_categories)
        case = liaison.open_case(rep, contact=household, category=category, description=need)
        referrals.append(
            services.refer_case(rep, case, service=service, consent=True, consent_method="verbal")
        )
    steps = [
        lambda r: r,
        lambda r: r,
        lambda r: services.accept_referral(dept, r),
        lambda r: services.start_referral(dept, services.accept_referral(dept, r)),
        lambda r: services.complete_referral(
            dept, services.accept_referral(dept, r), outcome="已纳入资助名单，发放助学金。"
        ),
    ]
    return [step(referral) for step, referral in zip(steps, referrals, strict=False)]


# --- 联席会议 ---

CONVENERS = [
    # kind, name, position, demo account
    ("lead", "刘建华", "县委常委、副县长", "leader"),
    ("convener", "周慧敏", "县妇联主席", "admin"),
    ("convener", "王志强", "县政府办公室副主任", None),
]
# The 联络员 of each member department: an account (d<code>, cannot sign in) except 县法院's,
# who is a name and phone only; 县教育局's is the demo ``dept`` account, who took over from
# 孙丽 (the one change on record).
OFFICERS = [
    "黄美玲", "陈淑芬", "杨晓燕", "赵红霞", "吴敏", "徐丽娟",
    "马晓红", "朱春燕", "胡小芳", "郭玉兰", "何雪梅",
]  # fmt: skip


def seed_meeting_members(context, log=print):
    """The county's joint-meeting system: the lead convener (a county leader), two conveners
    and all the demo departments as members, each with a 联络员. Built once."""
    from apps.accounts.models import Membership, User
    from apps.coordination.models import MemberDepartment
    from apps.core.roles import Role

    if MemberDepartment.objects.exists():
        log("Joint meetings: members already seeded.")
        return
    users, departments = context["users"], context["departments"]
    admin, dept = users["admin"], users["dept"]
    today = timezone.localdate()
    for kind, name, title, username in CONVENERS:
        services.save_convener(
            admin, kind=kind, name=name, title=title, convener_user=users.get(username)
        )
    own = dept.primary_membership.unit_id
    others = [d for d in departments if d.pk != own and d.name != "县法院"]
    accounts = [
        User(username=f"d{unit.code}", full_name=name, phone=f"1390000{index:04d}", password="!")
        for index, (unit, name) in enumerate(zip(others, OFFICERS, strict=False))
    ]
    User.objects.bulk_create(accounts, ignore_conflicts=True)
    by_name = User.objects.in_bulk([a.username for a in accounts], field_name="username")
    Membership.objects.bulk_create(
        [Membership(user=by_name[f"d{u.code}"], role=Role.DEPT_LIAISON, unit=u) for u in others],
        ignore_conflicts=True,
    )
    joined = today - timedelta(days=365)
    for unit in departments:
        if unit.pk == own:
            member = services.add_member(
                admin,
                department=unit,
                joined_on=joined,
                officer_name="孙丽",
                officer_phone="13900009901",
            )
            services.change_liaison_officer(
                admin, member, since=today - timedelta(days=150), officer=dept
            )
        elif unit.name == "县法院":
            services.add_member(
                admin,
                department=unit,
                joined_on=joined,
                officer_name="何雪梅",
                officer_phone="13900009902",
            )
        else:
            services.add_member(
                admin, department=unit, joined_on=joined, officer=by_name[f"d{unit.code}"]
            )
    log(f"Joint meetings: 3 conveners, {len(departments)} member departments.")


# (days before today it was held, title, agenda, minutes,
#  [(owner department, decision, days to deadline, days to done or None)])
MEETINGS = [
    (
        280,
        "妇女儿童权益保障联席会议第一次全体会议",
        "通报上年度妇女儿童权益保障工作；部署本年度重点任务。",
        "会议听取了县妇联关于上年度工作的通报，研究了困难女童资助、反家暴庇护和女性就业三项重点工作。",
        [
            ("县教育局", "开展春季学期困难家庭女童资助摸底，建立台账。", 30, 21),
            ("县民政局", "建立反家暴庇护站值班制度并公布联系电话。", 60, 75),
            ("县人力资源和社会保障局", "举办“春风行动”女性专场招聘会。", 45, 40),
        ],
    ),
    (
        190,
        "家庭暴力多部门联动专题会议",
        "家暴警情通报与告诫书执行；人身安全保护令申请协助。",
        "会议明确公安、司法、卫健与妇联的信息通报和转介流程，各成员单位确定专人负责。",
        [
            ("县公安局", "每月向县妇联通报家暴告诫书出具情况（不含个人信息）。", 30, 25),
            ("县卫生健康局", "组织两癌筛查进村，完成年度筛查任务的一半。", 90, 80),
            ("县司法局", "在乡镇“妇女之家”设立法律援助工作站。", 60, 58),
        ],
    ),
    (
        100,
        "妇女儿童权益保障联席会议第二次全体会议",
        "上半年工作推进情况；专项资金使用；未成年人保护。",
        "会议听取各成员单位上半年工作汇报，研究妇女专项资金拨付和未成年人司法保护工作。",
        [
            ("县教育局", "开展留守儿童心理健康进校园活动。", 60, 50),
            ("县财政局", "下达妇女专项资金第二批并报送使用情况。", 120, None),
            ("县检察院", "梳理未成年人司法救助线索并反馈县妇联。", 80, None),
            ("共青团县委", "开通青少年心理热线妇联转介通道。", 90, 70),
        ],
    ),
    (
        20,
        "冬春关爱行动部署会",
        "寒假期间留守儿童关爱；农村妇女技能培训；困难女职工帮扶。",
        "会议部署冬春关爱行动，明确各成员单位任务分工和完成时限。",
        [
            ("县教育局", "寒假前完成留守儿童关爱联系卡发放。", 23, None),
            ("县农业农村局", "举办农村妇女特色种养技能培训班两期。", 60, None),
            ("县总工会", "走访慰问困难女职工并建立帮扶档案。", 40, None),
        ],
    ),
]


def seed_joint_meetings(context, log=print):
    """Four joint meetings across the demo year, recorded and answered through the services:
    decisions done on time, one done late, one overdue and some still open. Built once."""
    from apps.accounts.models import User
    from apps.coordination.models import JointMeeting, MeetingConvener, MeetingDecision
    from apps.core.roles import Role

    if JointMeeting.objects.exists():
        log("Joint meetings: already seeded.")
        return
    admin = context["users"]["admin"]
    units = {unit.name: unit for unit in context["departments"]}
    lead = MeetingConvener.objects.filter(kind="lead").first()
    today = timezone.localdate()
    for days_ago, title, agenda, minutes, decisions in MEETINGS:
        held_on = today - timedelta(days=days_ago)
        owners = [units[name] for name, *_rest in decisions]
        present = list(dict.fromkeys([*owners, *list(units.values())[:6]]))
        meeting = services.save_meeting(
            admin,
            title=title,
            held_on=held_on,
            place="县政府三楼会议室",
            convened_by=lead,
            agenda=agenda,
            minutes=minutes,
            departments=present,
            decisions=[
                {"text": text, "owner": units[name], "deadline": held_on + timedelta(days=due)}
                for name, text, due, _done in decisions
            ],
        )
        rows = meeting.decisions.select_related("owner").order_by("pk")
        for decision, (_name, _text, _due, done) in zip(rows, decisions, strict=True):
            if done is None:
                continue
            liaison = User.objects.working_in([decision.owner], role=Role.DEPT_LIAISON).first()
            services.complete_decision(
                liaison, decision, note="已按会议要求完成，材料报县妇联备案。"
            )
            done_at = timezone.make_aware(
                datetime.combine(held_on + timedelta(days=done), time(16, 0))
            )
            MeetingDecision.objects.filter(pk=decision.pk).update(done_at=done_at)
    log(f"Joint meetings: {len(MEETINGS)} meetings with their decisions.")
