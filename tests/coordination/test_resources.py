"""The resource ledger: sources, receipts, allocations never beyond the balance, reversals,
and hours given to cases; every bad input a clear message with nothing written."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.coordination import services
from apps.coordination.models import ResourceEntry, ResourceHours, ResourceSource

TODAY = date.today


def add_funds(user, unit, amount="1000.00", **values):
    defaults = {
        "kind": "funds",
        "name": "专项经费",
        "budget_line": "妇女儿童专项",
        "measure": "yuan",
        "received_on": timezone.localdate() - timedelta(days=30),
    }
    return services.add_source(user, unit=unit, amount=Decimal(amount), **(defaults | values))


def add_materials(user, unit, amount=100, measure="portion"):
    return services.add_source(
        user,
        unit=unit,
        kind="materials",
        name="米面油",
        donor="县红十字会",
        measure=measure,
        received_on=timezone.localdate() - timedelta(days=30),
        amount=amount,
    )


def allocate(user, source, amount, **target):
    values = {"purpose": "生活救助", "approved_by": "县妇联党组"}
    return services.allocate_resource(
        user,
        source,
        amount=Decimal(str(amount)),
        allocated_on=timezone.localdate(),
        **(values | target),
    )


def message(error):
    return error.value.message_dict


@pytest.fixture
def funds(county, county_admin):
    return add_funds(county_admin, county.county)


def test_a_source_starts_with_its_first_receipt_and_takes_more(funds, county_admin):
    entry = funds.entries.get()
    assert (entry.kind, entry.amount) == ("receipt", Decimal("1000.00"))
    services.receive_resource(
        county_admin, funds, amount=Decimal("500.50"), received_on=timezone.localdate()
    )
    funds.refresh_from_db()
    assert (funds.received, funds.balance) == (Decimal("1500.50"), Decimal("1500.50"))


def test_allocations_take_from_the_balance_to_a_village_case_or_project(
    funds, county_admin, county, case_a1
):
    allocate(county_admin, funds, 100, village=county.village_a1)
    on_case = allocate(county_admin, funds, "200.25", case=case_a1)
    allocate(county_admin, funds, 300, project="巾帼家政培训")
    funds.refresh_from_db()
    assert funds.balance == Decimal("399.75")
    assert funds.received == Decimal("1000.00")
    # The case's village is recorded: all that readers who may not open the case see.
    assert on_case.village == county.village_a1


def test_an_allocation_above_the_balance_is_refused(funds, county_admin, county):
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, "1000.01", village=county.village_a1)
    assert message(error) == {"amount": ["这个来源只剩 1000.00 元。"]}
    funds.refresh_from_db()
    assert funds.balance == Decimal("1000.00")
    assert funds.entries.count() == 1


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "数额必须大于零。"),
        ("-5", "数额必须大于零。"),
        ("1.001", "最多保留两位小数。"),
    ],
)
def test_zero_negative_and_over_precise_amounts_are_refused(
    funds, county_admin, county, amount, expected
):
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, amount, village=county.village_a1)
    assert message(error) == {"amount": [expected]}
    assert funds.entries.count() == 1


def test_countable_materials_take_whole_numbers(county, county_admin):
    rice = add_materials(county_admin, county.county)
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, rice, "1.5", village=county.village_a1)
    assert message(error) == {"amount": ["以“份”计的物资只能是整数。"]}
    flour = add_materials(county_admin, county.county, amount="10.5", measure="kg")
    allocate(county_admin, flour, "2.5", village=county.village_a1)
    flour.refresh_from_db()
    assert flour.balance == Decimal("8.00")


def test_a_new_source_needs_a_federation_unit_a_donor_or_budget_line_and_matching_measure(
    county, county_admin
):
    with pytest.raises(ValidationError) as error:
        add_funds(county_admin, county.village_a1)
    assert message(error) == {"unit": ["请选择县妇联或乡镇妇联。"]}
    with pytest.raises(ValidationError) as error:
        add_funds(county_admin, county.county, budget_line="")
    assert message(error) == {"donor": ["请填写捐赠方或预算科目。"]}
    with pytest.raises(ValidationError) as error:
        add_funds(county_admin, county.county, measure="box")
    assert message(error) == {"measure": ["资金以元计。"]}
    assert not ResourceSource.objects.exists()


def test_township_staff_keep_only_their_townships_ledger(
    county, county_admin, township_a_staff, village_a1_rep
):
    mine = add_funds(township_a_staff, county.township_a)
    with pytest.raises(ValidationError) as error:
        add_funds(township_a_staff, county.township_b)
    assert message(error) == {"unit": ["您只能管理本单位的台账。"]}
    county_funds = add_funds(county_admin, county.county)
    with pytest.raises(PermissionDenied):
        allocate(township_a_staff, county_funds, 10, village=county.village_a1)
    with pytest.raises(PermissionDenied):
        allocate(village_a1_rep, mine, 10, village=county.village_a1)
    # A township's source goes to its own villages only.
    with pytest.raises(ValidationError) as error:
        allocate(township_a_staff, mine, 10, village=county.village_b1)
    assert message(error) == {"village": ["请选择本来源范围内的村。"]}


def test_allocation_needs_one_target_a_purpose_and_an_approver(funds, county_admin, county):
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, 10)
    assert message(error) == {"case": ["请只选择一个个案、一个村或一个项目。"]}
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, 10, village=county.village_a1, project="培训")
    assert "case" in message(error)
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, 10, village=county.village_a1, purpose=" ")
    assert message(error) == {"purpose": ["请说明拨付用途。"]}
    with pytest.raises(ValidationError) as error:
        allocate(county_admin, funds, 10, village=county.village_a1, approved_by="")
    assert message(error) == {"approved_by": ["请填写审批人。"]}
    assert funds.entries.count() == 1


def test_an_allocation_to_a_case_the_user_may_not_see_is_not_found(
    county, township_a_staff, violence_a1, case_b1
):
    mine = add_funds(township_a_staff, county.township_a)
    # A sensitive case not escalated to the township does not exist for its staff.
    with pytest.raises(ValidationError) as error:
        allocate(township_a_staff, mine, 10, case=violence_a1)
    assert message(error) == {"case": ["个案不存在。"]}
    with pytest.raises(ValidationError) as error:
        allocate(township_a_staff, mine, 10, case=case_b1)
    assert message(error) == {"case": ["个案不存在。"]}
    assert mine.entries.count() == 1


def test_a_reversal_undoes_one_line_with_a_reason_once(funds, county_admin, county):
    line = allocate(county_admin, funds, 400, village=county.village_a1)
    with pytest.raises(ValidationError) as error:
        services.reverse_entry(county_admin, funds, entry=line, reason=" ")
    assert message(error) == {"reason": ["请说明冲正原因。"]}
    reversal = services.reverse_entry(county_admin, funds, entry=line, reason="金额填错")
    funds.refresh_from_db()
    assert funds.balance == Decimal("1000.00")
    assert (reversal.reverses, reversal.village) == (line, county.village_a1)
    with pytest.raises(ValidationError) as error:
        services.reverse_entry(county_admin, funds, entry=line, reason="再冲")
    assert message(error) == {"entry": ["这笔记录已经冲正过了。"]}
    with pytest.raises(ValidationError) as error:
        services.reverse_entry(county_admin, funds, entry=reversal, reason="冲冲正")
    assert message(error) == {"entry": ["冲正记录不能再冲正。"]}
    assert funds.entries.count() == 3


def test_reversing_a_receipt_already_spent_is_refused(funds, county_admin, county):
    allocate(county_admin, funds, 600, village=county.village_a1)
    receipt = funds.entries.get(kind="receipt")
    with pytest.raises(ValidationError) as error:
        services.reverse_entry(county_admin, funds, entry=receipt, reason="退回捐赠")
    assert message(error) == {"amount": ["这个来源只剩 400.00 元。"]}


def test_the_database_refuses_a_negative_balance(funds):
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceSource.objects.filter(pk=funds.pk).update(balance=Decimal("-1"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_overdraw(county, county_admin):
    """Two connections allocate 600 of 1000 at once: the row lock makes the second wait and
    then see 400 left."""
    funds = add_funds(county_admin, county.county)
    results, barrier = [], threading.Barrier(2)

    def spend():
        try:
            barrier.wait()
            allocate(county_admin, funds, 600, village=county.village_a1)
            results.append("ok")
        except ValidationError as error:
            results.append(error.message_dict["amount"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    funds.refresh_from_db()
    assert sorted(results) == ["ok", "这个来源只剩 400.00 元。"]
    assert funds.balance == Decimal("400.00")
    assert ResourceEntry.objects.filter(kind="allocation").count() == 1


# --- hours ---------------------------------------------------------------------------------


def log(user, case, hours="2", **values):
    defaults = {
        "person": "张律师",
        "person_kind": "lawyer",
        "worked_on": timezone.localdate() - timedelta(days=1),
    }
    return services.log_hours(user, case=case, hours=Decimal(str(hours)), **(defaults | values))


def test_hours_are_logged_by_who_handles_the_case(village_a1_rep, case_a1, township_a_staff):
    entry = log(village_a1_rep, case_a1, organisation="县法律援助中心")
    assert (entry.unit, entry.hours) == (case_a1.unit, Decimal("2"))
    log(township_a_staff, case_a1, person="王老师", person_kind="psychologist")
    assert ResourceHours.objects.count() == 2


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("0", "工时必须大于 0，且不超过 24。"),
        ("-1", "工时必须大于 0，且不超过 24。"),
        ("24.5", "工时必须大于 0，且不超过 24。"),
        ("1.25", "工时最多保留一位小数。"),
    ],
)
def test_bad_hours_are_refused(village_a1_rep, case_a1, hours, expected):
    with pytest.raises(ValidationError) as error:
        log(village_a1_rep, case_a1, hours)
    assert message(error) == {"hours": [expected]}
    assert not ResourceHours.objects.exists()


def test_one_person_gives_at_most_24_hours_a_day(village_a1_rep, case_a1, violence_a1):
    log(village_a1_rep, case_a1, 20)
    with pytest.raises(ValidationError) as error:
        log(village_a1_rep, violence_a1, 5)
    assert message(error) == {"hours": ["张律师当天已记 20.0 小时，一天最多 24 小时。"]}
    log(village_a1_rep, violence_a1, 4)


def test_hours_on_a_case_she_may_not_see_are_not_found(village_b1_rep, case_a1, dept_liaison):
    with pytest.raises(ValidationError) as error:
        log(village_b1_rep, case_a1)
    assert message(error) == {"case": ["个案不存在。"]}
    with pytest.raises(ValidationError):
        log(dept_liaison, case_a1)
    assert not ResourceHours.objects.exists()


def test_hours_totals_per_case_kind_and_month(village_a1_rep, case_a1, violence_a1, county_admin):
    log(village_a1_rep, case_a1, 2)
    log(village_a1_rep, violence_a1, 3, person="王老师", person_kind="psychologist")
    log(village_a1_rep, case_a1, "1.5", person="李社工", person_kind="social_worker")
    by_kind = {
        row["key"]: row["hours"] for row in services.hours_totals(county_admin, by="person_kind")
    }
    assert by_kind == {"lawyer": 2, "psychologist": 3, "social_worker": Decimal("1.5")}
    by_case = {row["key"]: row["hours"] for row in services.hours_totals(village_a1_rep, by="case")}
    assert by_case == {case_a1.pk: Decimal("3.5"), violence_a1.pk: 3}
    months = services.hours_totals(county_admin, by="month")
    assert sum(row["hours"] for row in months) == Decimal("6.5")
    with pytest.raises(ValidationError):
        services.hours_totals(county_admin, by="colour")


def test_the_case_panel_shows_what_a_case_received(
    funds, county_admin, village_a1_rep, village_b1_rep, case_a1
):
    line = allocate(county_admin, funds, 300, case=case_a1)
    allocate(county_admin, funds, 100, case=case_a1)
    services.reverse_entry(county_admin, funds, entry=line, reason="重复")
    log(village_a1_rep, case_a1, 2)
    panel = services.resources_for_case(village_a1_rep, case_a1)
    assert panel["allocated"] == [{"kind": "funds", "measure": "元", "amount": Decimal("100.00")}]
    assert panel["total_hours"] == 2
    assert len(panel["entries"]) == 3
    assert services.resources_for_case(village_b1_rep, case_a1) is None


def test_hours_are_corrected_by_a_reversing_row_with_a_reason(
    village_a1_rep, village_b1_rep, case_a1, county_admin
):
    row = log(village_a1_rep, case_a1, 20)
    with pytest.raises(ValidationError) as error:
        services.reverse_hours(village_a1_rep, row, reason="")
    assert message(error) == {"reason": ["请说明冲正原因。"]}
    with pytest.raises(ValidationError) as error:
        services.reverse_hours(village_b1_rep, row, reason="错")
    assert message(error) == {"case": ["个案不存在。"]}
    reversal = services.reverse_hours(village_a1_rep, row, reason="日期填错")
    with pytest.raises(ValidationError) as error:
        services.reverse_hours(village_a1_rep, row, reason="再冲")
    assert message(error) == {"reverses": ["这笔记录已经冲正过了。"]}
    with pytest.raises(ValidationError) as error:
        services.reverse_hours(village_a1_rep, reversal, reason="冲冲正")
    assert message(error) == {"reverses": ["冲正记录不能再冲正。"]}
    # The reversed hours count for nothing: in totals, on the case, and in the 24-hour day.
    assert services.hours_totals(county_admin, by="person_kind") == [
        {"key": "lawyer", "hours": 0, "entries": 2}
    ]
    assert services.resources_for_case(village_a1_rep, case_a1)["total_hours"] == 0
    log(village_a1_rep, case_a1, 24)
