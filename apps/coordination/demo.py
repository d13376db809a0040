"""Demo coordination: two or three services for every department of the demo county, and a
few referrals of the demo representative's cases to 县教育局 (the demo ``dept`` account) in
different states, all made through the services. Built once: when services exist nothing is
added, so seed_demo stays idempotent."""

from apps.accounts.models import Membership, User
from apps.coordination import services
from apps.coordination.models import IncomingReferral, Service
from apps.core.roles import Role
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


# (department, liaison username, liaison's name, to the demo township or the county, category,
#  need, woman's name, phone, what the federation does: "accept", "decline" with a reason, or
#  None to leave it waiting)
INCOMING = [
    ("县公安局", "gongan", "马建国", "township", "violence",
     "110出警：丈夫酒后殴打，已出具告诫书，当事人需要心理疏导和后续关注。",
     "刘翠萍", "13907310011", "accept"),
    ("县公安局", "gongan", "马建国", "township", "violence",
     "邻里报警：夫妻争吵升级，当事人希望妇联上门了解情况。",
     "陈小燕", "13907310012", None),
    ("县民政局", "minzheng", "黄丽", "county", "hardship",
     "低保复核中发现单亲母亲无业，两个孩子在读，需要就业帮扶。",
     "周桂兰", "13907310013", "accept"),
    ("县民政局", "minzheng", "黄丽", "township", "hardship",
     "临时救助对象，希望妇联帮助申请助学。",
     "吴美玲", "13907310014", "户籍已迁往外县，请转当地妇联。"),
]  # fmt: skip


def seed_incoming_referrals(context, log=print):
    """A few referrals from 县公安局 and 县民政局 to the federation: accepted (into the demo
    representative's village), declined, and one waiting on the demo township's to-do list.
    Built once: when any exists nothing is added."""
    if IncomingReferral.objects.exists():
        log("Coordination: referrals to the federation already seeded.")
        return
    users = context["users"]
    departments = {d.name: d for d in context["departments"]}
    township, admin = users["township"], users["admin"]
    representative = liaison.representative_of(users["village"])
    made = []
    for name, username, full_name, to, category, need, woman, phone, answer in INCOMING:
        department = departments[name]
        sender = _department_liaison(username, full_name, department)
        unit = township.primary_membership.unit if to == "township" else context["county"]
        referral = services.refer_to_federation(
            sender,
            department=department,
            unit=unit,
            category=category,
            need=need,
            name=woman,
            phone=phone,
            village=representative.unit,
            consent=True,
            consent_method="written",
        )
        receiver = township if to == "township" else admin
        if answer == "accept":
            referral = services.accept_incoming_referral(
                receiver, referral, village=representative.unit, representative=representative
            )
        elif answer:
            referral = services.decline_incoming_referral(receiver, referral, reason=answer)
        made.append(referral)
    log(f"Coordination: {len(made)} referrals to the federation from 县公安局 and 县民政局.")


def _department_liaison(username, full_name, department):
    """A liaison of ``department`` who cannot sign in (no password), like the unit chairs."""
    user, _created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "password": "!"}
    )
    Membership.objects.get_or_create(user=user, unit=department, role=Role.DEPT_LIAISON)
    return User.objects.get(pk=user.pk)
