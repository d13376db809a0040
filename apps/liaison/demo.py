"""Demo liaison work: representatives (执委) in the first four townships, the households linked
to them, a year of visits and the cases that came out of those visits, so that coverage figures
and reminders have something to show.

Built once: when those villages already have representatives nothing is added, so seed_demo
stays idempotent. Random choices use a fixed seed, so every demo county looks the same.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Least
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.core.roles import Role
from apps.liaison.deadlines import CASES
from apps.liaison.models import (
    Case,
    Contact,
    FollowUp,
    Representative,
    Risk,
    Sector,
    Specialty,
    Visit,
)
from apps.liaison.services import SENSITIVE_CATEGORIES, visit_intervals
from apps.organizations.demo_county import PERSON_NAMES

TOWNSHIPS_WITH_REPRESENTATIVES = 4
TERM = (date(2024, 1, 1), date(2028, 12, 31))
BATCH = 2000
State = Case.State

SECTORS = {
    Sector.FARMER: 30,
    Sector.MIGRANT: 18,
    Sector.BUSINESS: 17,
    Sector.TEACHER: 14,
    Sector.DOCTOR: 7,
    Sector.RETIRED_CADRE: 6,
    Sector.LAWYER: 3,
    Sector.OTHER: 5,
}
# The specialty a representative of each sector most likely brings.
SECTOR_SPECIALTIES = {
    Sector.FARMER: [Specialty.FARMING, Specialty.CARE],
    Sector.MIGRANT: [Specialty.EMPLOYMENT, Specialty.ECOMMERCE],
    Sector.BUSINESS: [Specialty.ECOMMERCE, Specialty.EMPLOYMENT],
    Sector.TEACHER: [Specialty.PARENTING, Specialty.COUNSELLING],
    Sector.DOCTOR: [Specialty.HEALTH, Specialty.CARE],
    Sector.LAWYER: [Specialty.LEGAL, Specialty.MEDIATION],
    Sector.RETIRED_CADRE: [Specialty.MEDIATION, Specialty.LEGAL],
    Sector.OTHER: list(Specialty),
}
RISKS = {Risk.GREEN: 75, Risk.YELLOW: 15, Risk.ORANGE: 7, Risk.RED: 3}
TAGS = ["留守妇女", "困难妇女", "单亲母亲", "残疾", "创业", "独居老人"]
SURNAMES = sorted({name[0] for name in PERSON_NAMES})
GIVEN_NAMES = sorted({name[1:] for name in PERSON_NAMES})

MODES = {Visit.Mode.HOME: 50, Visit.Mode.PHONE: 35, Visit.Mode.WECHAT: 10, Visit.Mode.GATHERING: 5}
SUMMARIES = {
    Visit.Mode.HOME: [
        "入户走访，了解家庭生产生活情况，宣传《妇女权益保障法》。",
        "上门看望，询问身体和孩子上学情况，家中一切正常。",
        "入户讲解两癌免费筛查政策，动员按时参加检查。",
        "到家中拉家常，了解丈夫外出务工后家里的难处。",
        "入户宣传家庭教育知识，发放《家庭教育促进法》宣传单。",
    ],
    Visit.Mode.PHONE: [
        "电话回访，近况良好，暂无新的诉求。",
        "电话联系，提醒报名参加村里的技能培训。",
        "电话询问老人身体情况，约好下周上门看看。",
        "电话了解孩子在校情况，情绪稳定。",
    ],
    Visit.Mode.WECHAT: [
        "微信联系，转发附近企业的招聘信息。",
        "微信视频聊天，了解近期生活情况。",
        "微信告知妇女之家本月活动安排。",
    ],
    Visit.Mode.GATHERING: [
        "组织到妇女之家参加手工编织培训。",
        "召集联系户参加“美丽庭院”评比活动。",
        "组织参加巾帼宣讲会，学习反家暴知识。",
    ],
}

WEEKLY_CHECK = "每周例行关心，了解近况，情况稳定。"

# Violence is rare, and mostly where a household is already marked red.
CATEGORIES = {
    Case.Category.HARDSHIP: 20,
    Case.Category.EMPLOYMENT: 20,
    Case.Category.MARRIAGE: 18,
    Case.Category.HEALTH: 14,
    Case.Category.CHILDREN: 12,
    Case.Category.RIGHTS: 8,
    Case.Category.MENTAL: 6,
    Case.Category.VIOLENCE: 1,
}
NEEDS = {
    Case.Category.MARRIAGE: [
        "夫妻因家庭开支经常争吵，希望有人帮忙调解。",
        "婆媳矛盾较深，希望村妇联出面协调。",
        "丈夫长期在外务工不联系，咨询离婚相关手续。",
    ],
    Case.Category.HARDSHIP: [
        "丈夫因病去世，两个孩子上学，生活困难，申请帮扶。",
        "家中老人卧病在床，收入微薄，想申请低保。",
        "房屋漏雨无力修缮，请求协调危房改造。",
    ],
    Case.Category.EMPLOYMENT: [
        "想在家门口就业，希望推荐附近企业的岗位。",
        "想学电商直播卖土特产，希望参加培训。",
        "想办小型养殖场，咨询创业担保贷款。",
    ],
    Case.Category.HEALTH: [
        "长期腰痛一直没去看，希望帮忙联系乡镇卫生院。",
        "咨询两癌筛查的时间和地点。",
        "孩子患慢性病，医疗费用负担重。",
    ],
    Case.Category.CHILDREN: [
        "孩子留守在家沉迷手机，成绩下滑，希望得到家庭教育指导。",
        "孩子上学路远，咨询寄宿和资助政策。",
        "单亲家庭孩子性格内向，希望学校多关心。",
    ],
    Case.Category.RIGHTS: [
        "土地流转款被拖欠，希望帮助维权。",
        "在厂里受伤，老板不愿赔偿，咨询法律援助。",
        "离婚后承包地问题一直没解决。",
    ],
    Case.Category.MENTAL: [
        "丈夫去世后情绪低落，经常失眠，需要心理疏导。",
        "产后情绪不好，家人希望有人开导。",
    ],
    Case.Category.VIOLENCE: [
        "反映丈夫酒后多次动手，身上有伤，需要保护。",
        "遭受家庭暴力，想申请人身安全保护令。",
    ],
}
NOTES = {
    State.OPEN: ["受理诉求，已登记。"],
    State.IN_PROGRESS: [
        "已上门了解详细情况，商量帮扶办法。",
        "已和村委会一起研究解决办法。",
        "已电话咨询相关部门的政策。",
    ],
    State.ESCALATED: ["情况较复杂，村里解决不了，上报镇妇联。"],
    State.RESOLVED: [
        "经协调，问题已经解决。",
        "已协助办好相关手续，诉求已满足。",
        "已对接帮扶资源，困难得到缓解。",
    ],
}
# Which case field records when the case entered each state (in progress only as a first step).
STATE_STAMPS = {
    State.OPEN: "opened_at",
    State.IN_PROGRESS: "first_response_at",
    State.ESCALATED: "escalated_at",
    State.RESOLVED: "resolved_at",
    State.CLOSED: "closed_at",
}
SENSITIVE_ESCALATION_NOTE = "涉及家庭暴力，第一时间上报镇妇联，并告知当事人求助渠道。"
CLOSING_NOTES = {
    Case.Satisfaction.SATISFIED: "回访当事人，对处理结果满意，结案。",
    Case.Satisfaction.PARTLY: "回访当事人，基本满意，结案。",
    Case.Satisfaction.DISSATISFIED: "回访当事人，对结果不太满意，已解释说明后结案。",
}


@dataclass
class Need:
    """A case to open from a visit; ``opened_at`` is set only for cases left waiting on purpose."""

    visit: Visit
    contact: Contact
    category: str
    opened_at: datetime | None = None
    description: str = ""


def seed_liaison(context, log=print):
    township_ids = {unit.pk for unit in context["townships"][:TOWNSHIPS_WITH_REPRESENTATIVES]}
    villages = [village for village in context["villages"] if village.parent_id in township_ids]
    existing = Representative.objects.filter(unit__in=villages)
    if existing.exists():
        context["representatives"] = list(existing)
        log(f"Liaison: {len(context['representatives'])} representatives already seeded.")
        return
    rng = random.Random(2027)
    demo_user = context["users"]["village"]
    representatives = _create_representatives(villages, demo_user, rng)
    households = _create_contacts(representatives, demo_user, rng)
    visits, needs = _plan_visits(
        representatives, households, context["year_period"].start_date, demo_user, rng
    )
    _create_visits(visits, villages)
    cases, follow_ups = _create_cases(needs, rng)
    _backdate(villages)
    context["representatives"] = representatives
    log(
        f"Liaison: {len(representatives)} representatives in {len(villages)} villages, "
        f"{sum(map(len, households.values()))} households, {len(visits)} visits, "
        f"{len(cases)} cases ({sum(case.is_sensitive for case in cases)} sensitive), "
        f"{follow_ups} follow-ups."
    )


def _create_representatives(villages, demo_user, rng):
    """About fifteen representatives per village, each with an account that cannot sign in;
    the demo ``village`` account is one of her village's representatives too."""
    names = [name for name in PERSON_NAMES if name != demo_user.full_name]
    people = [
        (village, f"{village.code}{n:02d}", f"rep-{village.code}-{n:02d}", name)
        for village in villages
        for n, name in enumerate(rng.sample(names, rng.randint(13, 17)), start=1)
    ]
    phones = {username: _phone(rng) for _village, _number, username, _name in people}
    User.objects.bulk_create(
        [User(username=u, full_name=name, phone=phones[u], password="!") for *_, u, name in people],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    users = User.objects.in_bulk(list(phones), field_name="username")
    Membership.objects.bulk_create(
        [
            Membership(user=users[u], unit=village, role=Role.VILLAGE_REP)
            for village, _, u, _ in people
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    demo_village = demo_user.primary_membership.unit
    people.append((demo_village, f"{demo_village.code}00", demo_user.username, demo_user.full_name))
    users[demo_user.username] = demo_user
    return Representative.objects.bulk_create(
        [
            _representative(village, number, users[username], name, rng)
            for village, number, username, name in people
        ],
        batch_size=BATCH,
    )


def _representative(village, number, user, name, rng):
    sector = rng.choices(list(SECTORS), weights=list(SECTORS.values()))[0]
    specialties = [rng.choice(SECTOR_SPECIALTIES[sector])]
    if rng.random() < 0.45:
        specialties.append(rng.choice([s for s in Specialty if s not in specialties]))
    return Representative(
        unit=village,
        user=user,
        number=number,
        full_name=name,
        phone=user.phone or _phone(rng),
        sector=sector,
        specialties=specialties,
        term_start=TERM[0],
        term_end=TERM[1],
    )


def _create_contacts(representatives, demo_user, rng):
    """Five to eight households per representative: {representative pk: [contacts]}. The demo
    account's first household is red, so she has one to check on every week."""
    households = {}
    for rep in representatives:
        households[rep.pk] = [
            Contact(
                unit=rep.unit,
                representative=rep,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                phone=_phone(rng),
                address=_address(rep.unit, rng),
                tags=rng.sample(TAGS, rng.choices([0, 1, 2], weights=[45, 40, 15])[0]),
                risk=rng.choices(list(RISKS), weights=list(RISKS.values()))[0],
            )
            for _ in range(rng.randint(5, 8))
        ]
    demo_rep = next(rep for rep in representatives if rep.user_id == demo_user.pk)
    households[demo_rep.pk][0].risk = Risk.RED
    Contact.objects.bulk_create(
        [contact for contacts in households.values() for contact in contacts], batch_size=BATCH
    )
    return households


def _phone(rng):
    return rng.choice(["13", "15", "18"]) + f"{rng.randrange(10**9):09d}"


def _address(village, rng):
    if village.name.endswith("社区"):
        return f"{village.name}{rng.randint(1, 20)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
    return f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"


def _plan_visits(representatives, households, start, demo_user, rng):
    """Visits as (Visit, households) pairs, and the needs raised on them: about one in twenty
    visits, weekly checks aside, takes up a case."""
    today, intervals = timezone.localdate(), visit_intervals()
    visits, needs = [], []
    for rep in representatives:
        is_demo = rep.user_id == demo_user.pk
        lazy = not is_demo and rng.random() < 0.04
        diligent = is_demo or (not lazy and rng.random() < 0.8)
        schedule = _schedule(households[rep.pk], start, today, intervals, rng, lazy, diligent)
        for visited_on, mode, contacts, weekly_check in schedule:
            summary = WEEKLY_CHECK if weekly_check else rng.choice(SUMMARIES[mode])
            visit = _visit(rep, visited_on, mode, summary)
            visits.append((visit, contacts))
            if not weekly_check and rng.random() < 0.05:
                contact = rng.choice(contacts)
                needs.append(Need(visit, contact, _category(contact, rng)))
    for need, contacts in _waiting_needs(representatives, households, demo_user, rng):
        visits.append((need.visit, contacts))
        needs.append(need)
    for need in needs:
        need.description = rng.choice(NEEDS[need.category])
    return visits, needs


def _schedule(contacts, start, today, intervals, rng, lazy, diligent):
    """(date, mode, households, is a weekly check) for one representative: a visit every two to
    four weeks to the households most due by their colour and, if she is diligent, weekly checks
    on a red household since it turned red. A lazy one stopped visiting a month or two ago."""
    stop = today - timedelta(days=rng.randint(35, 80)) if lazy else today
    last = {c.pk: start - timedelta(days=rng.randint(0, intervals[c.risk])) for c in contacts}
    day = start + timedelta(days=rng.randint(0, 20))
    while day <= stop:
        due = {c.pk: (day - last[c.pk]).days / intervals[c.risk] for c in contacts}
        ranked = sorted(contacts, key=lambda c: due[c.pk] + rng.random() / 3, reverse=True)
        count = max(
            rng.choices([1, 2, 3], weights=[45, 35, 20])[0], sum(v >= 0.75 for v in due.values())
        )
        chosen = ranked[: min(count, 3)]
        last.update(dict.fromkeys([c.pk for c in chosen], day))
        yield day, rng.choices(list(MODES), weights=list(MODES.values()))[0], chosen, False
        day += timedelta(days=rng.randint(14, 28))
    for red in [c for c in contacts if c.risk == Risk.RED and diligent]:
        day = start + timedelta(days=rng.randint(0, 150))
        while day <= today:
            yield day, rng.choice([Visit.Mode.PHONE, Visit.Mode.HOME]), [red], True
            day += timedelta(days=rng.randint(4, 7))


def _visit(rep, visited_on, mode, summary):
    return Visit(
        unit=rep.unit, representative=rep, visited_on=visited_on, mode=mode, summary=summary
    )


def _category(contact, rng):
    if contact.risk == Risk.RED and rng.random() < 0.1:
        return Case.Category.VIOLENCE
    return rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()))[0]


def _waiting_needs(representatives, households, demo_user, rng):
    """Cases left waiting in the demo township, so its reminders have something to say: a
    domestic-violence case of the demo account not escalated after a day, and two cases nobody
    has answered for days. Yields (Need, households) for each."""
    now = timezone.now()
    demo_rep = next(rep for rep in representatives if rep.user_id == demo_user.pk)
    township = [rep for rep in representatives if rep.unit.parent_id == demo_rep.unit.parent_id]
    neighbour = next(rep for rep in township if rep.unit_id == demo_rep.unit_id and rep != demo_rep)
    elsewhere = next(rep for rep in township if rep.unit_id != demo_rep.unit_id)
    waiting = [
        (demo_rep, Case.Category.VIOLENCE, timedelta(hours=30)),
        (neighbour, Case.Category.HARDSHIP, timedelta(days=5, hours=2)),
        (elsewhere, Case.Category.RIGHTS, timedelta(days=9, hours=5)),
    ]
    for rep, category, age in waiting:
        opened_at = now - age
        contact = households[rep.pk][0]
        visit = _visit(
            rep,
            timezone.localdate(opened_at),
            Visit.Mode.HOME,
            rng.choice(SUMMARIES[Visit.Mode.HOME]),
        )
        yield Need(visit, contact, category, opened_at), [contact]


def _create_visits(visits, villages):
    """Visits and their households in bulk, then each household's last visit in one UPDATE."""
    Visit.objects.bulk_create([visit for visit, _contacts in visits], batch_size=BATCH)
    Through = Visit.contacts.through
    Through.objects.bulk_create(
        [
            Through(visit_id=visit.pk, contact_id=contact.pk)
            for visit, contacts in visits
            for contact in contacts
        ],
        batch_size=5000,
    )
    # Without statistics PostgreSQL runs the subquery below as a scan of every visit for each
    # household (40 s, not 0.1 s).
    _analyze(Visit, Through)
    latest = (
        Through.objects.filter(contact=OuterRef("pk"))
        .values("contact")
        .annotate(latest=Max("visit__visited_on"))
        .values("latest")
    )
    Contact.objects.filter(unit__in=villages).update(last_visited_on=Subquery(latest))


def _create_cases(needs, rng):
    """Cases with their follow-ups, one per state change, dated as the work was done."""
    now = timezone.now()
    cases, histories = [], []
    for need in needs:
        case, states = _case(need, now, rng)
        cases.append(case)
        histories.append(states)
    Case.objects.bulk_create(cases, batch_size=BATCH)
    follow_ups = FollowUp.objects.bulk_create(
        [
            FollowUp(
                case=case,
                author_id=case.representative.user_id,
                note=_note(case, state_to, rng),
                state_from=state_from,
                state_to=state_to,
            )
            for case, states in zip(cases, histories, strict=True)
            for state_from, state_to in zip(["", *states], states, strict=False)
        ],
        batch_size=BATCH,
    )
    # Backdating the follow-ups from their cases (_backdate) joins the two: planned as if
    # empty, as in a test database whose earlier rows were rolled back and vacuumed, each of
    # its UPDATEs loops over every case for every follow-up (minutes, not milliseconds).
    _analyze(Case, FollowUp)
    return cases, len(follow_ups)


def _analyze(*models):
    """Planner statistics for the rows this transaction just wrote, which have none yet."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _case(need, now, rng):
    """A case as it stands today, and the states it went through from being opened."""
    sensitive = need.category in SENSITIVE_CATEGORIES
    opened_at = need.opened_at or min(
        timezone.make_aware(
            datetime.combine(need.visit.visited_on, time(rng.randint(9, 17), rng.randrange(60)))
        ),
        now - timedelta(minutes=5),
    )
    respond_by = CASES.deadline_for(State.OPEN, opened_at, sensitive=sensitive)
    moves = [] if need.opened_at else _moves(opened_at, respond_by, sensitive, rng)
    moves = [(State.OPEN, opened_at)] + [(state, at) for state, at in moves if at <= now]
    state, entered = moves[-1]
    when = dict(moves)
    township = need.visit.unit.parent_id
    closed = State.CLOSED in when
    return Case(
        unit=need.visit.unit,
        representative=need.visit.representative,
        contact=need.contact,
        visit=need.visit,
        category=need.category,
        description=need.description,
        is_sensitive=sensitive,
        state=state,
        state_deadline=respond_by if state == State.OPEN else CASES.deadline_for(state, entered),
        escalated_to_id=township if State.ESCALATED in when else None,
        escalation_units=[township] if State.ESCALATED in when else [],
        opened_at=opened_at,
        respond_by=respond_by,
        first_response_at=moves[1][1] if len(moves) > 1 else None,
        escalated_at=when.get(State.ESCALATED),
        resolved_at=when.get(State.RESOLVED),
        closed_at=when.get(State.CLOSED),
        satisfaction=rng.choices(list(CLOSING_NOTES), weights=[80, 15, 5])[0] if closed else "",
    ), list(when)


def _moves(opened_at, respond_by, sensitive, rng):
    """The (state, time) moves a case will make: most answered in time, some late; a
    domestic-violence case goes straight to the township; a few get stuck before resolving."""
    if rng.random() < 0.85:
        first = opened_at + (respond_by - opened_at) * rng.uniform(0.05, 0.9)
    else:
        first = respond_by + timedelta(hours=rng.uniform(2, 96))
    if sensitive or rng.random() < 0.12:
        moves = [(State.ESCALATED, first)]
    else:
        moves = [(State.IN_PROGRESS, first)]
        if rng.random() < 0.1:
            moves.append((State.ESCALATED, first + timedelta(days=rng.uniform(2, 10))))
    days = (2, 9) if moves[-1][0] == State.ESCALATED else (2, 16)
    resolved = moves[-1][1] + timedelta(days=rng.uniform(*days))
    moves += [
        (State.RESOLVED, resolved),
        (State.CLOSED, resolved + timedelta(days=rng.uniform(1, 6))),
    ]
    if rng.random() < 0.03:
        moves = moves[: rng.randint(1, len(moves) - 2)]
    return moves


def _note(case, state, rng):
    if state == State.CLOSED:
        return CLOSING_NOTES[case.satisfaction]
    if state == State.ESCALATED and case.is_sensitive:
        return SENSITIVE_ESCALATION_NOTE
    return rng.choice(NOTES[state])


def _backdate(villages):
    """bulk_create stamps every row with today; date them when the work was done instead."""
    term_start = timezone.make_aware(datetime.combine(TERM[0], time(9)))
    Representative.objects.filter(unit__in=villages).update(created_at=term_start)
    Contact.objects.filter(unit__in=villages).update(created_at=term_start + timedelta(days=30))
    # visited_on + 10 h in UTC is the evening the visit was written up, but never later than now.
    Visit.objects.filter(unit__in=villages).update(
        created_at=Least(F("visited_on") + timedelta(hours=10), Value(timezone.now()))
    )
    Case.objects.filter(unit__in=villages).update(created_at=F("opened_at"))
    # A demo case enters each state at most once, so the case's stamp for the state a
    # follow-up moved it to is when the follow-up was written.
    for state, stamp in STATE_STAMPS.items():
        FollowUp.objects.filter(case__unit__in=villages, state_to=state).update(
            created_at=Subquery(Case.objects.filter(pk=OuterRef("case")).values(stamp))
        )
