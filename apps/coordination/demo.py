"""Demo coordination: two or three services for every department of the demo county, and a
few referrals of the demo representative's cases to 县教育局 (the demo ``dept`` account) in
different states, all made through the services. Built once: when services exist nothing is
added, so seed_demo stays idempotent."""

from datetime import timedelta

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


def seed_pathway(context, log=print):
    """The domestic-violence pathway on two demo sensitive cases: the demo representative's own
    (two warning letters, so the family is marked for closer follow-up, one 查访 done and one
    open, an urgent protection order awaiting the court) and another in the county, kept by
    the county staff (one letter, its 查访 done, a mandatory report flagged and made). Built
    once: when a warning letter exists nothing is added."""
    from apps.coordination.models import WarningLetter

    if WarningLetter.objects.exists():
        log("Coordination: the domestic-violence pathway is already seeded.")
        return
    admin, rep = context["users"]["admin"], context["users"]["village"]
    own = liaison.cases_for(rep).filter(is_sensitive=True).order_by("opened_at").first()
    other = (
        liaison.cases_for(admin).filter(is_sensitive=True).exclude(representative__user=rep)
    ).first()
    if own is None or other is None:
        log("Coordination: no demo sensitive cases for the pathway.")
        return
    for shelter in Service.objects.filter(name="反家暴庇护站", provides_shelter=False):
        services.save_service(admin, shelter, provides_shelter=True)
    today, now = timezone.localdate(), timezone.now()
    first = services.record_warning_letter(
        rep, own, issued_on=today - timedelta(days=25), issued_by="县公安局城关派出所"
    )
    services.record_follow_up_visit(rep, first.follow_up_visit, note="已入户查访，未再发生家暴。")
    services.record_warning_letter(
        rep,
        own,
        issued_on=today - timedelta(days=2),
        issued_by="县公安局城关派出所",
        number="城公(家)告字〔2026〕17号",
    )
    services.apply_protection_order(
        rep, own, applied_at=now - timedelta(hours=20), court="县人民法院", urgent=True
    )
    letter = services.record_warning_letter(
        admin, other, issued_on=today - timedelta(days=40), issued_by="县公安局"
    )
    services.record_follow_up_visit(
        admin, letter.follow_up_visit, note="乡镇妇联与村执委共同查访。"
    )
    report = services.flag_mandatory_report(admin, other, reason="minor")
    services.record_mandatory_report(
        admin, report, reported_to="县公安局", reported_at=now - timedelta(hours=3)
    )
    log("Coordination: the domestic-violence pathway on 2 sensitive cases.")
