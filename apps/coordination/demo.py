"""Demo coordination: two or three services for every department of the demo county, and a
few referrals of the demo representative's cases to 县教育局 (the demo ``dept`` account) in
different states, all made through the services. Built once: when services exist nothing is
added, so seed_demo stays idempotent."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.coordination import services
from apps.coordination.deadlines import REFERRALS
from apps.coordination.models import IncomingReferral, Referral, Service
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


# --- a year of referrals to every department ------------------------------------------------------

# How each demo department answers: (share declined, share accepted late, share completed late).
# A few are quick, a few slow, so the responsiveness page has something to tell.
CHARACTERS = {
    "县教育局": (0.08, 0.10, 0.15),
    "县卫生健康局": (0.05, 0.05, 0.10),
    "县民政局": (0.10, 0.20, 0.25),
    "县司法局": (0.05, 0.10, 0.10),
    "县公安局": (0.03, 0.05, 0.08),
    "县人力资源和社会保障局": (0.12, 0.25, 0.30),
    "县农业农村局": (0.15, 0.35, 0.40),
    "共青团县委": (0.10, 0.15, 0.20),
    "县总工会": (0.10, 0.20, 0.20),
    "县法院": (0.05, 0.10, 0.15),
    "县检察院": (0.05, 0.10, 0.10),
    "县财政局": (0.20, 0.40, 0.45),
}
DECLINE_REASONS = [
    "不符合本服务的申请条件。",
    "当事人户籍不在本县，请转户籍地办理。",
    "已在其他部门获得救助，避免重复。",
    "材料不全，请补充收入证明后重新转介。",
    "超出本部门职责范围，建议转县民政局。",
    "多次联系当事人未果，暂无法受理。",
]
OUTCOMES = {
    Service.Kind.FUNDS: [
        "已审核通过，发放救助金。",
        "已纳入资助名单，按学期发放。",
        "已落实物资帮扶。",
    ],
    Service.Kind.PEOPLE: [
        "已安排专人跟进服务。",
        "已完成三次辅导，情况明显好转。",
        "已安排参加培训。",
    ],
    Service.Kind.LEGAL: [
        "已指派律师提供法律援助。",
        "已调解成功，双方签订协议。",
        "已出具法律意见，指导其依法维权。",
    ],
}
# Share of closed cases that went through a referral during the year, and open cases referred now.
HISTORY_SHARE = 0.3
OPEN_REFERRALS = 10


def seed_referral_year(context, log=print):
    """A year of referrals of the demo county's cases to every department: most answered in
    time, some accepted or completed late, some declined with a reason, most completed ones
    rated by the representative; and a few open now, some past their deadline, made through
    the services. Past referrals are written in one bulk insert with their times as they
    happened (the services stamp "now"). Built once."""
    from apps.accounts.models import Membership, User
    from apps.organizations.demo_county import PERSON_NAMES

    dept_unit = context["users"]["dept"].primary_membership.unit
    before_today = timezone.now() - timedelta(days=1)
    if Referral.objects.filter(sent_at__lt=before_today).exclude(department=dept_unit).exists():
        log("Coordination: the year of referrals is already seeded.")
        return
    liaisons = _department_liaisons(context, dept_unit, User, Membership, PERSON_NAMES)
    rng = random.Random(2026)
    offered = list(Service.objects.active().with_details())
    admin = context["users"]["admin"]
    start = timezone.make_aware(datetime.combine(context["year_period"].start_date, time(9)))
    cases = (
        liaison.cases_for(admin)
        .filter(state="closed", opened_at__gte=start)
        .select_related("contact", "representative")
        .order_by("pk")
    )
    past = []
    for case in cases:
        choices = [s for s in offered if _takes(s, case)]
        if choices and rng.random() < HISTORY_SHARE:
            referral = _past_referral(case, rng.choice(choices), liaisons, rng)
            if referral is not None:
                past.append(referral)
    Referral.objects.bulk_create(past, batch_size=1000)
    current = _open_referrals(admin, offered, liaisons, rng)
    log(
        f"Coordination: {len(past)} referrals over the year to "
        f"{len({r.department_id for r in past})} departments, {len(current)} open now."
    )


def _department_liaisons(context, dept_unit, User, Membership, names):
    """A liaison for every demo department (the ``dept`` account is 县教育局's); they cannot
    sign in, like the demo's township and village chairs."""
    people = {
        department.pk: f"d{department.code}"
        for department in context["departments"]
        if department.pk != dept_unit.pk
    }
    User.objects.bulk_create(
        [
            User(username=username, full_name=names[(index + 7) % len(names)], password="!")
            for index, username in enumerate(people.values())
        ],
        ignore_conflicts=True,
    )
    users = User.objects.in_bulk(list(people.values()), field_name="username")
    Membership.objects.bulk_create(
        [
            Membership(user=users[username], role=Role.DEPT_LIAISON, unit_id=unit_id)
            for unit_id, username in people.items()
        ],
        ignore_conflicts=True,
    )
    return {unit_id: users[username] for unit_id, username in people.items()} | {
        dept_unit.pk: context["users"]["dept"]
    }


def _takes(service, case):
    if case.category not in service.case_categories:
        return False
    return not case.is_sensitive or services.takes_sensitive(service)


def _past_referral(case, service, liaisons, rng):
    """One referral of ``case`` as it went, or None if it would not be over by now."""
    now = timezone.now()
    declines, late_accept, late_complete = CHARACTERS.get(service.department.name, (0.1, 0.2, 0.2))
    sent_at = case.opened_at + timedelta(hours=rng.uniform(4, 72))
    accept_due = REFERRALS.deadline_after(sent_at, "accept")
    rep_user = case.representative.user_id
    referral = Referral(
        unit_id=case.unit_id,
        case=case,
        service=service,
        department_id=service.department_id,
        category=case.category,
        need=case.description,
        shared_contact=f"{case.contact.name} {case.contact.phone}".strip(),
        is_sensitive=case.is_sensitive,
        consent=True,
        consent_method=rng.choice(["verbal", "verbal", "written"]),
        consent_recorded_by_id=rep_user,
        consent_recorded_at=sent_at,
        referred_by_id=rep_user,
        sent_at=sent_at,
        accept_due=accept_due,
        handled_by=liaisons[service.department_id],
    )
    if rng.random() < declines:
        referral.state = Referral.State.DECLINED
        referral.declined_at = sent_at + (accept_due - sent_at) * rng.uniform(0.1, 1.5)
        referral.reason = rng.choice(DECLINE_REASONS)
        return referral if referral.declined_at < now else None
    if rng.random() < late_accept:
        accepted_at = accept_due + timedelta(hours=rng.uniform(6, 150))
    else:
        accepted_at = sent_at + (accept_due - sent_at) * rng.uniform(0.05, 0.95)
    complete_due = REFERRALS.complete_due(accepted_at, service)
    if rng.random() < late_complete:
        completed_at = complete_due + timedelta(hours=rng.uniform(12, 480))
    else:
        completed_at = accepted_at + (complete_due - accepted_at) * rng.uniform(0.15, 0.95)
    if completed_at >= now:
        return None
    late = completed_at > complete_due or accepted_at > accept_due
    referral.state = Referral.State.COMPLETED
    referral.accepted_at = accepted_at
    referral.started_at = accepted_at + (completed_at - accepted_at) * 0.2
    referral.complete_due = complete_due
    referral.completed_at = completed_at
    referral.outcome = rng.choice(OUTCOMES[service.kind])
    rated_at = completed_at + timedelta(days=rng.uniform(1, 6))
    if rng.random() < 0.8 and rated_at < now:
        weights = [45, 35, 20] if late else [80, 17, 3]
        referral.satisfaction = rng.choices(Referral.Satisfaction.values, weights=weights)[0]
        referral.rated_by_id = rep_user
        referral.rated_at = rated_at
    return referral


def _open_referrals(admin, offered, liaisons, rng):
    """Open cases referred through the services, then dated back: some waiting to be accepted
    (a few past the deadline), some accepted and past the time to complete them."""
    now = timezone.now()
    cases = list(
        liaison.cases_for(admin)
        .filter(state__in=["open", "in_progress"], is_sensitive=False)
        .select_related("contact", "representative__user")
        .order_by("pk")
    )
    rng.shuffle(cases)
    made = []
    for case in cases:
        choices = [s for s in offered if _takes(s, case)]
        if not choices or len(made) >= OPEN_REFERRALS:
            continue
        service = rng.choice(choices)
        referral = services.refer_case(
            case.representative.user, case, service=service, consent=True, consent_method="verbal"
        )
        accepted = len(made) % 2 == 1
        sent_at = now - timedelta(days=rng.uniform(25, 40) if accepted else rng.uniform(0.5, 8))
        changes = {"sent_at": sent_at, "accept_due": REFERRALS.deadline_after(sent_at, "accept")}
        if accepted:
            services.accept_referral(liaisons[service.department_id], referral)
            accepted_at = sent_at + timedelta(days=1)
            changes |= {
                "accepted_at": accepted_at,
                "complete_due": REFERRALS.complete_due(accepted_at, service),
            }
        Referral.objects.filter(pk=referral.pk).update(**changes)
        made.append(referral)
    return made


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
