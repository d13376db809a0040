"""Demo coordination: two or three services for every department of the demo county, and a
few referrals of the demo representative's cases to 县教育局 (the demo ``dept`` account) in
different states, all made through the services. Built once: when services exist nothing is
added, so seed_demo stays idempotent."""

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


# --- the resource ledger ----------------------------------------------------------------------


def seed_resources(context, log=print):
    """A resource ledger for the demo county: a budget line, two donations (one to the first
    township) and donated materials, a year of allocations to villages and the demo
    representative's cases, one reversal, and lawyer and psychologist hours on some cases. All
    through the services; built once (nothing is added when a source exists)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from apps.coordination.models import ResourceSource

    if ResourceSource.objects.exists():
        log("Coordination: resource ledger already seeded.")
        return
    users = context["users"]
    admin, township, rep = users["admin"], users["township"], users["village"]
    county, first_township = context["county"], context["townships"][0]
    villages = [v for v in context["villages"] if v.parent_id == first_township.pk][:6]
    today = timezone.localdate()
    year_ago = today - timedelta(days=360)
    funds = services.add_source(
        admin,
        unit=county,
        kind="funds",
        name="县级妇女儿童发展专项经费",
        budget_line="2080201 妇女儿童事业专项",
        measure="yuan",
        received_on=year_ago,
        amount=Decimal("200000.00"),
    )
    services.receive_resource(
        admin, funds, amount=Decimal("50000.00"), received_on=today - timedelta(days=170)
    )
    donation = services.add_source(
        admin,
        unit=county,
        kind="funds",
        name="春蕾助学爱心捐款",
        donor="县巾帼爱心企业联合会",
        measure="yuan",
        received_on=year_ago + timedelta(days=20),
        amount=Decimal("60000.00"),
    )
    township_gift = services.add_source(
        township,
        unit=first_township,
        kind="funds",
        name="困难妇女帮扶捐款",
        donor="县慈善总会",
        measure="yuan",
        received_on=year_ago + timedelta(days=45),
        amount=Decimal("20000.00"),
    )
    materials = services.add_source(
        admin,
        unit=county,
        kind="materials",
        name="爱心米面油礼包",
        donor="县红十字会",
        measure="portion",
        received_on=year_ago + timedelta(days=30),
        amount=300,
    )
    cases = list(liaison.cases_for(rep).order_by("pk")[:6])
    made = 0
    for month in range(12):
        day = year_ago + timedelta(days=30 * month + 15)
        if day > today:
            break
        village = villages[month % len(villages)] if villages else None
        if village is not None:
            services.allocate_resource(
                admin,
                funds,
                amount=Decimal("3000.00"),
                allocated_on=day,
                village=village,
                purpose="巾帼家园活动经费",
                approved_by="县妇联党组",
            )
            services.allocate_resource(
                admin,
                materials,
                amount=15,
                allocated_on=day,
                village=village,
                purpose="走访慰问困难妇女",
                approved_by="县妇联办公室",
            )
            made += 2
        if cases and month % 2 == 0:
            case = cases[(month // 2) % len(cases)]
            services.allocate_resource(
                admin,
                donation,
                amount=Decimal("1500.00"),
                allocated_on=day,
                case=case,
                purpose="学业资助",
                approved_by="县妇联党组",
            )
            made += 1
        if village is not None and month % 3 == 1:
            services.allocate_resource(
                township,
                township_gift,
                amount=Decimal("800.00"),
                allocated_on=day,
                village=village,
                purpose="生活救助",
                approved_by="镇妇联主席",
            )
            made += 1
    services.allocate_resource(
        admin,
        funds,
        amount=Decimal("12000.00"),
        allocated_on=today - timedelta(days=60),
        project="巾帼家政技能培训班",
        purpose="培训场地与师资",
        approved_by="县妇联党组",
    )
    wrong = services.allocate_resource(
        admin,
        donation,
        amount=Decimal("2000.00"),
        allocated_on=today - timedelta(days=20),
        project="春蕾计划夏令营",
        purpose="夏令营费用",
        approved_by="县妇联办公室",
    )
    services.reverse_entry(admin, donation, entry=wrong, reason="重复拨付，冲正")
    hours = _log_demo_hours(rep, cases, today)
    log(f"Coordination: 4 resource sources, {made + 2} allocations, {hours} hour entries.")


def _log_demo_hours(rep, cases, today):
    from datetime import timedelta
    from decimal import Decimal

    legal = Service.objects.filter(name="法律援助").first()
    mental = Service.objects.filter(name="心理健康门诊").first()
    people = [
        ("张律师", "lawyer", "县法律援助中心", legal),
        ("王老师", "psychologist", "县心理健康服务中心", mental),
        ("李社工", "social_worker", "县阳光社工站", None),
    ]
    count = 0
    for index, case in enumerate(cases[:4]):
        for offset, (person, kind, organisation, service) in enumerate(people[: 2 + index % 2]):
            services.log_hours(
                rep,
                case=case,
                person=person,
                person_kind=kind,
                organisation=organisation,
                service=service,
                worked_on=today - timedelta(days=20 * index + offset + 1),
                hours=Decimal("1.5") + offset,
            )
            count += 1
    return count
