"""Every door that writes, tried by each of the five roles.

The doors are found, not listed by hand: every write route of the API router (create, update,
partial_update, destroy and every non-GET @action) and every page in federation/urls.py whose
view accepts a POST. The matrices below say which roles may write through each door; a new
endpoint or page fails ``test_every_write_door_is_in_the_matrix`` until it gets its line.

For each door and role the request runs in a savepoint that is rolled back, so the roles do not
disturb each other. A role the matrix does not name must be refused (403, or 404 where the
object is outside its area, or 405) and must leave every table exactly as it was (each table's
rows are fingerprinted, so an UPDATE counts as a write too). The roles it names must at least
get an answer that is not a server error; whether their write then succeeds is the business of
the services' own tests.

Household records follow the privacy rule: a representative writes her own households and
cases only, leaders and department liaisons none.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import serializers as drf

from apps.coordination import services as coordination
from apps.coordination.models import Service
from apps.core.api.serializers import ScopedPrimaryKeyRelatedField
from apps.core.views import WriteRoleRequiredMixin
from apps.liaison import services as liaison
from apps.notifications.services import notify
from apps.objectives import services as objectives
from apps.objectives.models import ObjectivePlan, Reward
from apps.organizations.models import OrgUnit, Period
from apps.supervision import services as supervision
from federation.api_router import router
from tests.liaison.conftest import make_household, make_representative
from tests.objectives.conftest import quantitative

ADMIN = frozenset({"county_admin"})
LEADER = frozenset({"leader"})
REP = frozenset({"village_rep"})
STAFF = frozenset({"county_admin", "township_staff"})
WORKERS = STAFF | {"village_rep", "dept_liaison"}
EVERYONE = WORKERS | LEADER
# Households and cases: staff in their area, a representative her own (the world's household
# and case are the village A1 representative's own); leaders and liaisons never.
HOUSEHOLDS = STAFF | REP
# The service directory: a department's liaison keeps its entries, county staff any; only the
# department's liaison answers a referral.
KEEPERS = ADMIN | {"dept_liaison"}
LIAISON = frozenset({"dept_liaison"})
# A supervised item's lead and cooperating units' people.
UNITS = frozenset({"township_staff", "dept_liaison"})

REFUSED = {403, 404, 405}


@dataclass(frozen=True)
class Door:
    """Who may write through one door; ``target`` names the world's object a detail route acts
    on; ``body`` builds the request body from the world."""

    writers: frozenset
    target: str | None = None
    body: Callable = field(default=lambda world: {})


def _objective_body(world):
    return quantitative(
        plan=world.draft_plan.pk,
        assignee_unit=world.county.village_a1.pk,
        weight="2",
        target="30",
        due_date="2027-12-31",
        direction="higher",
        additive=True,
        report_frequency="quarterly",
    )


def _decompose_body(world):
    return {
        "parts": [
            {"assignee_unit": world.county.village_a1.pk, "weight": "6", "target": "180"},
            {"assignee_unit": world.county.village_a2.pk, "weight": "0"},
        ]
    }


def _decompose_form(world):
    """The decomposition page's table as posted: two village rows."""
    rows = _decompose_body(world)["parts"]
    body = {"parts-TOTAL_FORMS": "2", "parts-INITIAL_FORMS": "2", "action": "save"}
    for index, row in enumerate(rows):
        body |= {f"parts-{index}-{name}": value for name, value in row.items()}
    return body


def _representative_body(world):
    return {
        "full_name": "王芳",
        "phone": "13800000000",
        "sector": "farmer",
        "specialties": [],
        "term_start": "2024-01-01",
        "term_end": "2028-12-31",
        "is_active": True,
    }


def _contact_body(world):
    return {
        "representative": world.rep_a1.pk,
        "name": "赵红",
        "phone": "13700000000",
        "address": "甲一村一组",
        "tags": [],
        "risk": "green",
    }


def _claim_body(world):
    # For the county federation itself: a leader holds her membership there too.
    return {
        "plan": world.plan.pk,
        "unit": world.county.county.pk,
        "title": "巾帼微家",
        "description": "d",
        "claimed_points": "2",
    }


def _report_body(world):
    # On the county federation's own objective: a leader holds her membership there too.
    return {
        "objective": world.county_leaf.pk,
        "cycle_end": "2026-12-31",
        "value": "150",
        "narrative": "培训 150 人次",
    }


def _service_body(world):
    return {
        "department": world.county.department.pk,
        "name": "就业指导",
        "kind": "people",
        "description": "就业指导",
        "case_categories": ["employment"],
        "status": "active",
    }


def _referral_body(world):
    return {
        "case": world.case.pk,
        "service": world.service.pk,
        "consent": True,
        "consent_method": "verbal",
    }


def _source_body(world):
    return {
        "unit": world.county.township_a.pk,
        "kind": "funds",
        "name": "镇帮扶资金",
        "donor": "县慈善总会",
        "measure": "yuan",
        "received_on": "2026-11-26",
        "amount": "500",
    }


def _allocation_body(world):
    return {
        "amount": "10",
        "allocated_on": "2026-11-26",
        "village": world.county.village_a1.pk,
        "purpose": "生活救助",
        "approved_by": "镇妇联",
    }


def _reversal_body(world):
    return {"entry": world.resource_source.entries.get().pk, "reason": "金额有误"}


def _hours_body(world):
    return {
        "case": world.case.pk,
        "person": "张律师",
        "person_kind": "lawyer",
        "worked_on": "2026-11-26",
        "hours": "2",
    }


def _supervision_body(world):
    return {
        "title": "巾帼建功行动",
        "description": "按要求落实",
        "source": "meeting",
        "priority": "normal",
        "lead_unit": world.county.department.pk,
        "cooperating_units": [world.county.township_a.pk],
    }


# API routes: "<prefix> <action>" as the router names them.
API_DOORS = {
    "org-units update": Door(STAFF, "township_a", lambda w: {"name": "甲镇", "code": "100101"}),
    "org-units partial_update": Door(STAFF, "township_a", lambda w: {"name": "甲镇"}),
    "periods create": Door(
        ADMIN,
        body=lambda w: {
            "name": "2029年度",
            "kind": "year",
            "start_date": "2029-01-01",
            "end_date": "2029-12-31",
        },
    ),
    "periods update": Door(
        ADMIN,
        "spare_period",
        lambda w: {
            "name": "2028年",
            "kind": "year",
            "start_date": "2028-01-01",
            "end_date": "2028-12-31",
        },
    ),
    "periods partial_update": Door(ADMIN, "spare_period", lambda w: {"name": "2028年"}),
    "periods destroy": Door(ADMIN, "spare_period"),
    "notifications read": Door(EVERYONE, "own_notification"),
    "objective-plans create": Door(
        ADMIN,
        body=lambda w: {
            "period": w.spare_period.pk,
            "unit": w.county.county.pk,
            "title": "2028年度目标责任书",
        },
    ),
    "objective-plans publish": Door(ADMIN, "draft_plan"),
    "objective-plans close_period": Door(ADMIN, "plan"),
    "objectives create": Door(STAFF, body=_objective_body),
    "objectives partial_update": Door(STAFF, "draft_objective", lambda w: {"title": "改名"}),
    "objectives publish": Door(STAFF, "part_a"),
    "objectives decompose": Door(STAFF, "part_a", _decompose_body),
    "objectives revise": Door(
        STAFF, "village_part", lambda w: {"reason": "场地调整", "target": "170"}
    ),
    # Every working role reports on its own objectives; the unit above reviews.
    "progress-reports create": Door(WORKERS, body=_report_body),
    "progress-reports submit": Door(
        WORKERS, "report", lambda w: {"value": "100", "narrative": "补充说明"}
    ),
    "progress-reports approve": Door(STAFF, "report", lambda w: {"comment": "好"}),
    "progress-reports return_": Door(STAFF, "report", lambda w: {"comment": "补材料"}),
    "innovation-items create": Door(WORKERS, body=_claim_body),
    "innovation-items award": Door(ADMIN, "innovation", lambda w: {"points": "1"}),
    "innovation-items reject": Door(ADMIN, "innovation", lambda w: {"comment": "不符"}),
    "rewards confirm": Door(ADMIN, "reward"),
    "rewards approve": Door(LEADER, "reward"),
    "rewards publish": Door(ADMIN, "reward"),
    # A leader sends a confirmed reward back; county staff reject a proposal.
    "rewards return_": Door(ADMIN | LEADER, "reward", lambda w: {"reason": "材料不全"}),
    "representatives update": Door(STAFF, "rep_a1", _representative_body),
    "representatives partial_update": Door(STAFF, "rep_a1", lambda w: {"full_name": "王芳"}),
    "contacts create": Door(HOUSEHOLDS, body=_contact_body),
    "contacts partial_update": Door(HOUSEHOLDS, "household_a1", lambda w: {"address": "新址"}),
    "visits create": Door(
        REP,
        body=lambda w: {
            "visited_on": "2026-11-26",
            "mode": "home",
            "contacts": [w.household_a1.pk],
            "summary": "入户走访",
        },
    ),
    "cases create": Door(
        HOUSEHOLDS,
        body=lambda w: {"contact": w.household_a1.pk, "category": "employment", "description": "d"},
    ),
    "cases escalate": Door(HOUSEHOLDS, "case", lambda w: {"note": "需乡镇协调"}),
    "cases resolve": Door(HOUSEHOLDS, "case", lambda w: {"note": "已解决"}),
    "cases close": Door(HOUSEHOLDS, "case", lambda w: {"satisfaction": "satisfied"}),
    "cases follow_up": Door(HOUSEHOLDS, "case", lambda w: {"note": "回访"}),
    "services create": Door(KEEPERS, body=lambda w: _service_body(w)),
    "services update": Door(KEEPERS, "service", lambda w: _service_body(w)),
    "services partial_update": Door(KEEPERS, "service", lambda w: {"hours": "周一至周五"}),
    "referrals create": Door(HOUSEHOLDS, body=_referral_body),
    "referrals accept": Door(LIAISON, "referral"),
    "referrals start": Door(LIAISON, "referral"),
    "referrals decline": Door(LIAISON, "referral", lambda w: {"reason": "不符合条件"}),
    "referrals complete": Door(LIAISON, "referral", lambda w: {"outcome": "已办结"}),
    "referrals rate": Door(HOUSEHOLDS, "referral", lambda w: {"satisfaction": "satisfied"}),
    "warning-letters create": Door(HOUSEHOLDS, body=lambda w: _warning_letter_body(w)),
    "follow-up-visits complete": Door(HOUSEHOLDS, "follow_up_visit", lambda w: {"note": "已查访"}),
    "protection-orders create": Door(HOUSEHOLDS, body=lambda w: _protection_order_body(w)),
    "protection-orders decide": Door(
        HOUSEHOLDS,
        "protection_order",
        lambda w: {"outcome": "granted", "decided_at": "2026-11-27T10:00:00+08:00"},
    ),
    "mandatory-reports create": Door(
        HOUSEHOLDS, body=lambda w: {"case": w.violence_case.pk, "reason": "minor"}
    ),
    "mandatory-reports report": Door(
        HOUSEHOLDS,
        "mandatory_report",
        lambda w: {"reported_to": "县公安局", "reported_at": "2026-11-27T10:00:00+08:00"},
    ),
    "incoming-referrals create": Door(LIAISON, body=lambda w: _incoming_body(w)),
    "incoming-referrals accept": Door(STAFF, "incoming_referral", lambda w: _accept_body(w)),
    "incoming-referrals decline": Door(
        STAFF, "incoming_referral", lambda w: {"reason": "不属本镇"}
    ),
    # The resource ledger: federation staff keep their units' ledgers; whoever handles a case
    # logs hours on it.
    "resources create": Door(STAFF, body=lambda w: _source_body(w)),
    "resources receive": Door(
        STAFF, "resource_source", lambda w: {"amount": "10", "received_on": "2026-11-26"}
    ),
    "resources allocate": Door(STAFF, "resource_source", lambda w: _allocation_body(w)),
    "resources reverse": Door(STAFF, "resource_source", lambda w: _reversal_body(w)),
    "resource-hours create": Door(HOUSEHOLDS, body=lambda w: _hours_body(w)),
    "resource-hours reverse": Door(HOUSEHOLDS, "resource_hours", lambda w: {"reason": "登记错误"}),
    # County staff assign and supervise; the item's units (the department leads, township A
    # cooperates) take their steps, the services saying which unit may take which.
    "supervision-items create": Door(ADMIN, body=lambda w: _supervision_body(w)),
    "supervision-items accept": Door(UNITS, "supervision_item"),
    "supervision-items feedback": Door(UNITS, "supervision_item", lambda w: {"text": "已完成"}),
    "supervision-items request_extension": Door(
        UNITS,
        "supervision_item",
        lambda w: {"kind": "extension", "new_deadline": "2027-01-15", "reason": "需协调"},
    ),
    "supervision-items approve_request": Door(ADMIN, "supervision_item"),
    "supervision-items return_request": Door(ADMIN, "supervision_item", lambda w: {"reason": "否"}),
    "supervision-items close": Door(
        ADMIN, "supervision_item", lambda w: {"evaluation": "satisfied"}
    ),
    "supervision-items return_": Door(ADMIN, "supervision_item", lambda w: {"reason": "补充"}),
    "supervision-items urge": Door(ADMIN, "supervision_item", lambda w: {"text": "请加快"}),
    "supervision-items issue_slip": Door(ADMIN, "supervision_item", lambda w: {"colour": "blue"}),
    # Progress feedback by the lead unit; its leader's approval (the services check the named
    # approvers); a leader's commendation recorded by county staff (leaders read only).
    "supervision-items progress": Door(UNITS, "supervision_item", lambda w: {"text": "进展"}),
    "supervision-items approve_feedback": Door(UNITS, "supervision_item"),
    "supervision-items return_feedback": Door(
        UNITS, "supervision_item", lambda w: {"reason": "补充"}
    ),
    "supervision-items commend": Door(
        ADMIN, "supervision_item", lambda w: {"commendation": "好", "commended_by_name": "王县长"}
    ),
    "inspections create": Door(ADMIN, body=lambda w: _inspection_body(w)),
    # The world's rectification is township A's: its staff submit; county staff verify.
    "rectifications submit": Door(
        frozenset({"township_staff"}), "rectification", lambda w: {"text": "已整改"}
    ),
    "rectifications verify": Door(ADMIN, "rectification", lambda w: {"comment": "属实"}),
    "rectifications return_": Door(ADMIN, "rectification", lambda w: {"reason": "补充"}),
    # Joint meetings: county staff record them; the owner department's liaison marks done.
    "meetings create": Door(ADMIN, body=lambda w: _meeting_body(w)),
    "meetings update": Door(ADMIN, "meeting", lambda w: _meeting_body(w)),
    "meetings partial_update": Door(ADMIN, "meeting", lambda w: {"place": "县妇联会议室"}),
    "meetings files": Door(ADMIN, "meeting"),
    "meeting-decisions done": Door(LIAISON, "decision", lambda w: {"note": "已完成"}),
    # Assessment: county staff keep schemes, score and publish; a unit enters and submits its
    # own self-assessment (the world's result is township A's 自评).
    "assessment-schemes create": Door(ADMIN, body=lambda w: _scheme_body(w)),
    "assessment-schemes update": Door(ADMIN, "assessment_scheme", lambda w: _scheme_body(w)),
    "assessment-schemes partial_update": Door(
        ADMIN, "assessment_scheme", lambda w: {"title": "考核方案"}
    ),
    "assessment-schemes score": Door(ADMIN, "assessment_scheme", lambda w: {"round": "initial"}),
    "assessment-schemes enter_score": Door(
        STAFF, "assessment_scheme", lambda w: _self_score_body(w)
    ),
    "assessment-results approve": Door(STAFF, "assessment_result"),
    "assessment-results publish": Door(ADMIN, "assessment_result"),
    "assessment-schemes import_survey": Door(
        ADMIN, "assessment_scheme", lambda w: {"round": "initial"}
    ),
    # A village under township A: county staff and township A's staff add units in their area.
    "org-units create": Door(
        STAFF,
        body=lambda w: {
            "name": "甲三村",
            "code": "100101003",
            "kind": "village",
            "parent": w.county.township_a.pk,
        },
    ),
}

# Pages: "<namespace>:<name>" of every URL pattern whose view takes a POST.
HTML_DOORS = {
    "organizations:orgunit-edit": Door(
        STAFF, "township_a", lambda w: {"name": "甲镇", "code": "100101"}
    ),
    "notifications:read-all": Door(EVERYONE),
    "notifications:read": Door(EVERYONE, "own_notification"),
    "objectives:plan-create": Door(
        ADMIN,
        body=lambda w: {
            **model_to_dict(w.plan, fields=objectives_plan_form_fields()),
            "period": w.spare_period.pk,
            "title": "2028年度目标责任书",
        },
    ),
    "objectives:plan-publish": Door(ADMIN, "draft_plan"),
    "objectives:plan-close": Door(ADMIN, "plan"),
    "objectives:plan-score": Door(ADMIN, "plan"),
    "objectives:objective-create": Door(
        STAFF, "draft_plan", lambda w: {**_objective_body(w), "plan": None}
    ),
    "objectives:innovation-list": Door(WORKERS, "plan", _claim_body),
    "objectives:objective-detail": Door(WORKERS, "county_leaf", _report_body),
    "objectives:objective-publish": Door(STAFF, "part_a"),
    "objectives:objective-decompose": Door(STAFF, "part_a", _decompose_form),
    "objectives:objective-revise": Door(
        STAFF, "village_part", lambda w: {"reason": "场地调整", "target": "170"}
    ),
    "objectives:report-approve-batch": Door(STAFF, body=lambda w: {"reports": [w.report.pk]}),
    "objectives:report-detail": Door(
        STAFF, "report", lambda w: {"decision": "approve", "comment": "好"}
    ),
    "objectives:innovation-review": Door(ADMIN, "innovation", lambda w: {"points": "1"}),
    "objectives:reward-confirm": Door(ADMIN, "reward"),
    "objectives:reward-approve": Door(LEADER, "reward"),
    "objectives:reward-publish": Door(ADMIN, "reward"),
    "objectives:reward-return": Door(ADMIN | LEADER, "reward", lambda w: {"reason": "材料不全"}),
    "liaison:visit-create": Door(
        REP,
        body=lambda w: {
            "visited_on": "2026-11-26",
            "mode": "home",
            "contacts": [w.household_a1.pk],
            "summary": "入户走访",
        },
    ),
    "liaison:contact-create": Door(HOUSEHOLDS, body=_contact_body),
    "liaison:contact-edit": Door(
        HOUSEHOLDS, "household_a1", lambda w: {**_contact_body(w), "address": "新址"}
    ),
    "liaison:case-detail": Door(
        HOUSEHOLDS, "case", lambda w: {"action": "follow-up", "note": "回访"}
    ),
    "liaison:representative-create": Door(
        STAFF,
        body=lambda w: {
            **_representative_body(w),
            "unit": w.county.village_a2.pk,
            "number": "A2-01",
        },
    ),
    "liaison:representative-edit": Door(STAFF, "rep_a1", _representative_body),
    "liaison:roster-import": Door(STAFF),
    "coordination:service-create": Door(KEEPERS, body=lambda w: _service_body(w)),
    "coordination:service-edit": Door(KEEPERS, "service", lambda w: _service_body(w)),
    "coordination:referral-create": Door(
        HOUSEHOLDS, body=lambda w: {**_referral_body(w), "consent": "on"}
    ),
    "coordination:referral-detail": Door(LIAISON, "referral", lambda w: {"action": "accept"}),
    "coordination:referral-rate": Door(
        HOUSEHOLDS, "referral", lambda w: {"satisfaction": "satisfied"}
    ),
    "coordination:pathway": Door(
        HOUSEHOLDS,
        "violence_case",
        lambda w: {"action": "warning_letter", "issued_on": "2026-11-20", "issued_by": "派出所"},
    ),
    "coordination:incoming-create": Door(
        LIAISON, body=lambda w: {**_incoming_body(w), "consent": "on"}
    ),
    "coordination:incoming-detail": Door(
        STAFF, "incoming_referral", lambda w: {**_accept_body(w), "action": "accept"}
    ),
    "coordination:resource-create": Door(STAFF, body=lambda w: _source_body(w)),
    "coordination:resource-receive": Door(
        STAFF, "resource_source", lambda w: {"amount": "10", "received_on": "2026-11-26"}
    ),
    "coordination:resource-allocate": Door(STAFF, "resource_source", lambda w: _allocation_body(w)),
    "coordination:resource-reverse": Door(STAFF, "resource_source", lambda w: _reversal_body(w)),
    "coordination:hours-create": Door(HOUSEHOLDS, body=lambda w: _hours_body(w)),
    "supervision:item-create": Door(ADMIN, body=lambda w: _supervision_body(w)),
    "supervision:item-detail": Door(
        ADMIN | UNITS, "supervision_item", lambda w: {"action": "urge", "text": "请加快"}
    ),
    "supervision:unit-setting": Door(ADMIN, "township_a", lambda w: {"requires_approval": ""}),
    "supervision:inspection-create": Door(ADMIN, body=lambda w: _inspection_form(w)),
    "supervision:rectification-step": Door(
        ADMIN | UNITS, "rectification", lambda w: {"action": "submit", "text": "已整改"}
    ),
    "coordination:meeting-create": Door(ADMIN, body=lambda w: _meeting_form(w)),
    "coordination:meeting-edit": Door(ADMIN, "meeting", lambda w: _meeting_form(w)),
    "coordination:decision-detail": Door(LIAISON, "decision", lambda w: {"note": "已完成"}),
    "coordination:meeting-member-create": Door(
        ADMIN,
        body=lambda w: {"department": w.police.pk, "joined_on": "2026-11-01", "officer_name": "赵"},
    ),
    "coordination:meeting-liaison-change": Door(
        ADMIN, "member", lambda w: {"since": "2026-11-27", "name": "钱丽"}
    ),
    "coordination:meeting-convener-create": Door(
        ADMIN, body=lambda w: {"kind": "convener", "name": "王志强"}
    ),
    "coordination:meeting-convener-edit": Door(
        ADMIN, "convener", lambda w: {"kind": "lead", "name": "刘建华", "is_active": "on"}
    ),
    # Assessment pages: a unit fills in its own 自评 sheet, county staff every unit's; who may
    # approve which round is the service's (a department or a leader gets its refusal).
    "assessment:score-sheet": Door(STAFF, "assessment_scheme", lambda w: _sheet_form(w)),
    "assessment:round-step": Door(
        EVERYONE - REP, "assessment_scheme", lambda w: {"round": "self", "step": "approve"}
    ),
    "assessment:veto-create": Door(
        ADMIN, "assessment_scheme", lambda w: {"unit": w.township_a.pk, "reason": "造成不良影响"}
    ),
    "assessment:veto-remove": Door(ADMIN, "assessment_veto"),
    "assessment:survey-import": Door(ADMIN, "assessment_scheme", lambda w: {"round": "self"}),
    "assessment:scheme-create": Door(ADMIN, body=lambda w: _scheme_form(w)),
    "assessment:scheme-edit": Door(ADMIN, "assessment_scheme", lambda w: _scheme_form(w)),
}


def _meeting_body(world):
    return {
        "title": "联席会议",
        "held_on": "2026-11-20",
        "departments": [world.county.department.pk],
        "minutes": "纪要",
        "decisions": [
            {"text": "事项", "owner": world.county.department.pk, "deadline": "2026-12-20"}
        ],
    }


def _meeting_form(world):
    body = _meeting_body(world)
    decision = body.pop("decisions")[0]
    return body | {
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "0",
        **{f"decisions-0-{name}": value for name, value in decision.items()},
    }


# Doors that take a POST but write nobody's work: signing in and out (and asking for an API
# token), the language switch and the large-text switch (a setting of her own account). The
# Django admin keeps its own staff-only gate.
NOT_WORK = {
    "accounts:login",
    "accounts:logout",
    "accounts:text-size",
    "api-token",
    "set_language",
}


def objectives_plan_form_fields():
    from apps.objectives.forms import ObjectivePlanForm

    return ObjectivePlanForm._meta.fields


def api_write_routes():
    """``{"<prefix> <action>": (method, detail, action url name, basename)}`` for every write
    the router has."""
    standard = {
        "create": ("post", False),
        "update": ("put", True),
        "partial_update": ("patch", True),
        "destroy": ("delete", True),
    }
    routes = {}
    for prefix, viewset, basename in router.registry:
        allowed = set(viewset.http_method_names)
        for action, (method, detail) in standard.items():
            if hasattr(viewset, action) and method in allowed:
                routes[f"{prefix} {action}"] = (method, detail, None, basename)
        for extra in viewset.get_extra_actions():
            for method in set(extra.mapping) - {"get", "head", "options"}:
                name = f"{basename}-{extra.url_name}"
                routes[f"{prefix} {extra.__name__}"] = (method, extra.detail, name, basename)
    return routes


def _patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in {"admin/", "api/v1/"}:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            # An unnamed page still shows up, so that it cannot slip past the matrix.
            yield f"{namespace}{entry.name or entry.pattern}", entry


def html_write_views():
    """``{"<namespace>:<name>": view class}`` for every page whose view takes a POST."""
    found = {}
    for name, pattern in _patterns(get_resolver()):
        view = getattr(pattern.callback, "view_class", None)
        # A function view may take anything: it counts as a door until it is listed.
        if view is None or any(hasattr(view, m) for m in ("post", "put", "patch", "delete")):
            found[name] = view
    return found


def test_every_write_door_is_in_the_matrix():
    assert set(api_write_routes()) == set(API_DOORS)
    assert set(html_write_views()) == set(HTML_DOORS) | NOT_WORK


def test_every_page_that_takes_a_post_checks_the_write_role():
    """The role is checked in one place, before the page does anything: not only by hiding a
    button or by the service the page happens to call."""
    unchecked = [
        name
        for name, view in html_write_views().items()
        if name not in NOT_WORK
        and not (isinstance(view, type) and issubclass(view, WriteRoleRequiredMixin))
    ]
    assert unchecked == []


def test_every_id_in_a_request_body_is_looked_up_in_the_callers_area():
    """Every model serializer resolves foreign keys through for_user, and so does every id
    field declared by hand (action bodies included)."""
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps."):
            with suppress(ModuleNotFoundError):
                import_module(f"{config.name}.api.serializers")
    unscoped = []
    for serializer in _subclasses(drf.Serializer):
        if not serializer.__module__.startswith("apps."):
            continue
        if issubclass(serializer, drf.ModelSerializer) and not issubclass(
            serializer.serializer_related_field, ScopedPrimaryKeyRelatedField
        ):
            unscoped.append(serializer.__qualname__)
        for name, declared in serializer._declared_fields.items():
            relation = getattr(declared, "child_relation", declared)
            if (
                isinstance(relation, drf.RelatedField)
                and not declared.read_only
                and not isinstance(relation, ScopedPrimaryKeyRelatedField)
            ):
                unscoped.append(f"{serializer.__qualname__}.{name}")
    assert unscoped == []


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


# ---- the world every door is tried against -------------------------------------------------


@pytest.fixture
def world(county, county_admin, township_a_staff, village_a1_rep, dept_liaison, leader):
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield build_world(
            county,
            {
                "county_admin": county_admin,
                "township_staff": township_a_staff,
                "village_rep": village_a1_rep,
                "dept_liaison": dept_liaison,
                "leader": leader,
            },
        )


def build_world(county, users):
    """A running plan decomposed down to village A1 (and one objective the county federation
    keeps for itself), with a report waiting for review, an
    innovation claim, a reward proposal; a draft plan for next year; the village A1
    representative's household and case; a notification for everyone."""
    admin, township, rep = users["county_admin"], users["township_staff"], users["village_rep"]
    period = Period.objects.create(
        name="2026年度", kind="year", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    next_period = Period.objects.create(
        name="2027年度", kind="year", start_date=date(2027, 1, 1), end_date=date(2027, 12, 31)
    )
    spare_period = Period.objects.create(
        name="2028年度", kind="year", start_date=date(2028, 1, 1), end_date=date(2028, 12, 31)
    )
    plan = objectives.create_plan(admin, period=period, unit=county.county, title="2026年度")
    training = objectives.add_objective(admin, plan, **quantitative(assignee_unit=county.county))
    part_a = objectives.add_objective(
        admin,
        plan,
        parent=training,
        **quantitative(assignee_unit=county.township_a, weight=Decimal(6), target=Decimal(180)),
    )
    objectives.add_objective(
        admin,
        plan,
        parent=training,
        **quantitative(assignee_unit=county.township_b, weight=Decimal(4), target=Decimal(120)),
    )
    county_leaf = objectives.add_objective(
        admin, plan, **quantitative(assignee_unit=county.county, title="宣传活动")
    )
    objectives.publish_plan(admin, plan)
    village_part = objectives.add_objective(
        township,
        plan,
        parent=part_a,
        **quantitative(assignee_unit=county.village_a1, weight=Decimal(6), target=Decimal(180)),
    )
    objectives.publish_decomposition(township, part_a)
    report = objectives.submit_report(
        rep, village_part, cycle_end=date(2026, 9, 30), value=Decimal(90), narrative="九十人次"
    )
    innovation = objectives.claim_innovation(
        rep, plan, unit=county.village_a1, title="巾帼网格", description="d", claimed_points=2
    )
    reward = Reward.objects.create(
        plan=plan, kind=Reward.Kind.COLLECTIVE, unit=county.village_a1, basis="测试"
    )
    draft_plan = objectives.create_plan(
        admin, period=next_period, unit=county.county, title="2027年度"
    )
    draft_objective = objectives.add_objective(
        admin,
        draft_plan,
        **quantitative(assignee_unit=county.village_a1, due_date=date(2027, 12, 31)),
    )
    rep_a1 = make_representative(rep, county.village_a1, "A1-01")
    household_a1 = make_household(rep_a1)
    case = liaison.open_case(rep, contact=household_a1, category="employment", description="d")
    service = Service.objects.create(
        department=county.department,
        name="学业资助",
        kind="funds",
        description="d",
        case_categories=["employment", "children"],
    )
    referred_case = liaison.open_case(
        rep, contact=household_a1, category="children", description="d"
    )
    referral = coordination.refer_case(
        rep, referred_case, service=service, consent=True, consent_method="verbal"
    )
    pathway = _pathway(rep, household_a1)
    incoming_referral = coordination.refer_to_federation(
        users["dept_liaison"],
        department=county.department,
        unit=county.township_a,
        category="violence",
        need="家暴警情，需妇联跟进",
        name="王秀英",
        phone="13700000000",
        consent=True,
        consent_method="written",
    )
    resource_source = coordination.add_source(
        admin,
        unit=county.township_a,
        kind="funds",
        name="镇帮扶资金",
        donor="县慈善总会",
        measure="yuan",
        received_on=date(2026, 11, 1),
        amount=Decimal(1000),
    )
    resource_hours = coordination.log_hours(
        rep,
        case=case,
        person="王老师",
        person_kind="psychologist",
        worked_on=date(2026, 11, 20),
        hours=Decimal(2),
    )
    meetings = _joint_meeting_world(county, admin, users["dept_liaison"])
    notifications = {
        role: notify(user, f"matrix:{role}", "测试通知", email=False)
        for role, user in users.items()
    }
    supervision_item = supervision.assign_item(
        admin,
        title="留守儿童关爱",
        description="d",
        source="superior",
        lead_unit=county.department,
        cooperating_units=[county.township_a],
    )
    assert plan.status == ObjectivePlan.Status.PUBLISHED
    return SimpleNamespace(
        county=county,
        users=users,
        township_a=county.township_a,
        plan=plan,
        draft_plan=draft_plan,
        spare_period=spare_period,
        part_a=part_a,
        village_part=village_part,
        county_leaf=county_leaf,
        draft_objective=draft_objective,
        report=report,
        innovation=innovation,
        reward=reward,
        rep_a1=rep_a1,
        household_a1=household_a1,
        case=case,
        service=service,
        referral=referral,
        incoming_referral=incoming_referral,
        resource_source=resource_source,
        resource_hours=resource_hours,
        notifications=notifications,
        **pathway,
        supervision_item=supervision_item,
        rectification=_rectification(county, admin),
        **meetings,
        **_assessment_world(county, admin),
    )


def _joint_meeting_world(county, admin, liaison):
    """The county's joint-meeting system with the world's department as a member (its
    liaison the 联络员), a convener, and a meeting with a decision for that department; a
    second department that is not a member yet."""
    police = OrgUnit.objects.create(
        name="县公安局", code="100902", kind=OrgUnit.Kind.DEPARTMENT, parent=county.county
    )
    member = coordination.add_member(
        admin, department=county.department, joined_on=date(2026, 1, 1), officer=liaison
    )
    convener = coordination.save_convener(admin, kind="lead", name="刘建华")
    meeting = coordination.save_meeting(
        admin,
        title="联席会议",
        held_on=date(2026, 11, 20),
        departments=[county.department],
        decisions=[{"text": "事项", "owner": county.department, "deadline": date(2026, 12, 20)}],
    )
    return {
        "police": police,
        "member": member,
        "convener": convener,
        "meeting": meeting,
        "decision": meeting.decisions.get(),
    }


def target_pk(world, door, role):
    if door.target == "own_notification":
        return world.notifications[role].pk
    return getattr(world, door.target).pk


# ---- what "nothing was written" means ------------------------------------------------------

IGNORED_TABLES = {"django_session"}


def fingerprint():
    """One digest per table of every row in it, in one query: any INSERT, UPDATE or DELETE
    changes it."""
    tables = sorted(
        {model._meta.db_table for model in django_apps.get_models(include_auto_created=True)}
        - IGNORED_TABLES
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed_tables(before):
    after = fingerprint()
    return sorted(table for table in before if before[table] != after[table])


def walk(world, name, door, sign_in, send):
    """Send each role through the door; return what went wrong, one line per finding."""
    findings = []
    for role in world.users:
        sign_in(world.users[role])
        before = fingerprint()
        with transaction.atomic():
            status = send(name, door, role)
            changed = changed_tables(before)
            transaction.set_rollback(True)
        if role in door.writers:
            if status >= 500:
                findings.append(f"{name}, {role}: answered {status}")
        elif status not in REFUSED or changed:
            findings.append(f"{name}, {role}: answered {status}, changed {changed}")
    return findings


# One world for all doors (each request is rolled back), so the walk stays fast; a finding
# names its door and role, and every finding is reported at once.


def test_api_doors(world, api_client):
    routes = api_write_routes()

    def send(name, door, role):
        method, detail, action_url, basename = routes[name]
        kwargs = {"pk": target_pk(world, door, role)} if detail else {}
        url = reverse(action_url or f"{basename}-{'detail' if detail else 'list'}", kwargs=kwargs)
        return getattr(api_client, method)(url, door.body(world), format="json").status_code

    findings = []
    for name, door in API_DOORS.items():
        findings += walk(world, name, door, api_client.force_authenticate, send)
    assert findings == []


def test_html_doors(world, client):
    patterns = dict(_patterns(get_resolver()))

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def send(name, door, role):
        kwargs = {}
        if door.target:
            (kwarg,) = list(patterns[name].pattern.converters)
            kwargs[kwarg] = target_pk(world, door, role)
        body = {key: value for key, value in door.body(world).items() if value is not None}
        return client.post(reverse(name, kwargs=kwargs), body).status_code

    findings = []
    for name, door in HTML_DOORS.items():
        findings += walk(world, name, door, sign_in, send)
    assert findings == []


# ---- the domestic-violence pathway ---------------------------------------------------------


def _warning_letter_body(world):
    return {"case": world.violence_case.pk, "issued_on": "2026-11-20", "issued_by": "城关派出所"}


def _protection_order_body(world):
    return {
        "case": world.violence_case.pk,
        "applied_at": "2026-11-26T09:00:00+08:00",
        "court": "县人民法院",
    }


def _pathway(rep, household):
    """A sensitive case of the village A1 representative with a warning letter (and its 查访),
    a protection order application and a mandatory report."""
    case = liaison.open_case(rep, contact=household, category="violence", description="d")
    letter = coordination.record_warning_letter(
        rep, case, issued_on=date(2026, 11, 20), issued_by="城关派出所"
    )
    order = coordination.apply_protection_order(
        rep,
        case,
        applied_at=datetime(2026, 11, 26, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        court="县人民法院",
    )
    report = coordination.flag_mandatory_report(rep, case, reason="minor")
    return {
        "violence_case": case,
        "follow_up_visit": letter.follow_up_visit,
        "protection_order": order,
        "mandatory_report": report,
    }


def _incoming_body(world):
    """A department's referral of a woman to township A, with her consent."""
    return {
        "department": world.county.department.pk,
        "unit": world.township_a.pk,
        "category": "hardship",
        "need": "低保申请",
        "name": "赵玉兰",
        "phone": "13600000000",
        "consent": True,
        "consent_method": "verbal",
    }


def _accept_body(world):
    return {"village": world.county.village_a1.pk, "representative": world.rep_a1.pk}


def _inspection_body(world):
    return {
        "unit": world.county.township_a.pk,
        "held_on": "2026-11-20",
        "team": "王芳",
        "findings": "台账缺失",
        "rectifications": [
            {"text": "补齐台账", "owner": world.county.township_a.pk, "deadline": "2026-12-20"}
        ],
    }


def _inspection_form(world):
    return {
        "unit": world.county.township_a.pk,
        "held_on": "2026-11-20",
        "team": "王芳",
        "findings": "台账缺失",
        "rectifications-TOTAL_FORMS": "1",
        "rectifications-INITIAL_FORMS": "0",
        "rectifications-0-text": "补齐台账",
        "rectifications-0-owner": world.county.township_a.pk,
        "rectifications-0-deadline": "2026-12-20",
    }


def _rectification(county, admin):
    """An inspection of township A with one open rectification for it: ``submit`` can run;
    ``verify`` and ``return`` answer 400 (not submitted yet), never a 5xx."""
    inspection = supervision.record_inspection(
        admin,
        unit=county.township_a,
        held_on=date(2026, 11, 20),
        team="王芳",
        findings="台账缺失",
        rectifications=[
            {"text": "补齐台账", "owner": county.township_a, "deadline": date(2026, 12, 20)}
        ],
    )
    return inspection.rectifications.get()


def _scheme_body(world):
    return {
        "title": "乡镇妇联工作考核",
        "period": Period.objects.get(name="2026年度").pk,
        "level": "township",
        "indicators": [{"title": "基础工作", "max_points": 100, "kind": "manual"}],
    }


def _self_score_body(world):
    return {
        "indicator": world.assessment_scheme.indicators.get().pk,
        "unit": world.township_a.pk,
        "round": "self",
        "value": "90",
    }


def _scheme_form(world):
    body = _scheme_body(world) | {"base_points": "0", "bonus_cap": "0"}
    (indicator,) = body.pop("indicators")
    for name in ("parts", "indicators", "grades", "prizes", "vetoes"):
        body |= {f"{name}-TOTAL_FORMS": "0", f"{name}-INITIAL_FORMS": "0"}
    return (
        body
        | {"indicators-TOTAL_FORMS": "1"}
        | {f"indicators-0-{key}": value for key, value in indicator.items()}
        | {"indicators-0-depth": "0"}
    )


def _sheet_form(world):
    indicator = world.assessment_scheme.indicators.get()
    return {"unit": world.township_a.pk, "round": "self", f"value_{indicator.pk}": "90"}


def _assessment_world(county, admin):
    from apps.assessment import services as assessment

    scheme = assessment.save_scheme(
        admin,
        title="乡镇妇联工作考核",
        period=Period.objects.get(name="2026年度"),
        level="township",
        indicators=[{"title": "基础工作", "max_points": 100, "kind": "manual"}],
    )
    assessment.score_scheme(scheme, "self")
    result = scheme.results.get(round="self", unit=county.township_a)
    veto = assessment.add_veto(admin, scheme, unit=county.township_b, reason="造成不良影响")
    return {"assessment_scheme": scheme, "assessment_result": result, "assessment_veto": veto}
