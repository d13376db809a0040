"""The review queue: staff open on what awaits their review, oldest first, and keep their
place through approve, return, 下一条 and batch approval."""

from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.objectives import services
from apps.objectives.models import ProgressReport
from tests.conftest import make_user
from tests.objectives.test_progress import PDF, village_parts  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def queue(village_parts, county, village_a1_rep, township_a_staff):  # noqa: F811
    """Village A1 reported Q1 (approved) and Q2 (with a photo and a PDF); village A2 reported
    Q1; both Q2/Q1 reports await township A's review."""
    a1, a2 = village_parts
    a2_rep = make_user("a2_rep", "village_rep", county.village_a2)
    first = services.submit_report(
        village_a1_rep, a1, cycle_end=date(2026, 3, 31), value=Decimal(30), narrative="一季度"
    )
    services.approve_report(township_a_staff, first)
    second = services.submit_report(
        village_a1_rep,
        a1,
        cycle_end=date(2026, 6, 30),
        value=Decimal(50),
        narrative="二季度",
        files=[SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("签到表.pdf", PDF)],
    )
    third = services.submit_report(
        a2_rep, a2, cycle_end=date(2026, 3, 31), value=Decimal(20), narrative="一季度"
    )
    return first, second, third


def test_staff_open_on_reports_awaiting_their_review_oldest_first(
    client_as, queue, township_a_staff
):
    first, second, third = queue
    response = client_as(township_a_staff).get("/objectives/reports/")
    assert list(response.context["object_list"]) == [second, third]
    assert response.context["filter"].form["awaiting"].value() == "me"
    everything = client_as(township_a_staff).get("/objectives/reports/?awaiting=")
    assert set(everything.context["object_list"]) == {first, second, third}


def test_the_queue_is_the_can_review_rule(queue, county, township_a_staff, village_a1_rep):
    staff_b = make_user("b_staff", "township_staff", county.township_b)
    waiting = ProgressReport.objects.filter(status="submitted")
    for user in (township_a_staff, staff_b, village_a1_rep):
        expected = [r for r in waiting if services.can_review(user, r.objective)]
        assert set(ProgressReport.objects.awaiting_review_by(user)) == set(expected)
    assert not ProgressReport.objects.awaiting_review_by(staff_b).exists()


def test_a_representative_sees_her_reports_without_a_queue(client_as, queue, village_a1_rep):
    response = client_as(village_a1_rep).get("/objectives/reports/")
    assert set(response.context["object_list"]) == set(queue[:2])
    assert 'id="batch-approve"' not in response.content.decode()


def test_target_previous_value_and_evidence_are_inline(client_as, queue, township_a_staff):
    _, second, _ = queue
    response = client_as(township_a_staff).get("/objectives/reports/")
    row = next(r for r in response.context["object_list"] if r.pk == second.pk)
    assert row.previous_value == Decimal(30)
    html = response.content.decode()
    photo = second.evidence.get(content_type="image/png")
    pdf = second.evidence.get(content_type="application/pdf")
    assert f'src="/objectives/evidence/{photo.pk}/?inline=1"' in html
    assert "签到表.pdf" in html and f"/objectives/evidence/{pdf.pk}/?inline=1" not in html
    image = client_as(township_a_staff).get(f"/objectives/evidence/{photo.pk}/?inline=1")
    assert image["Content-Disposition"].startswith("inline")
    document = client_as(township_a_staff).get(f"/objectives/evidence/{pdf.pk}/?inline=1")
    assert document["Content-Disposition"].startswith("attachment")


def test_approve_returns_to_the_same_filtered_queue(client_as, queue, township_a_staff):
    _, second, third = queue
    client = client_as(township_a_staff)
    back = "/objectives/reports/?awaiting=me&is_late=false"
    response = client.post(
        f"/objectives/reports/{second.pk}/", {"decision": "approve", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        f"/objectives/reports/{third.pk}/",
        {"decision": "return", "comment": "补材料", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/objectives/reports/"


def test_next_goes_to_the_next_pending_report_in_the_same_queue(client_as, queue, township_a_staff):
    _, second, third = queue
    client = client_as(township_a_staff)
    back = quote("/objectives/reports/?awaiting=me", safe="")
    response = client.get(f"/objectives/reports/{second.pk}/?next={back}")
    assert response.context["next_report"] == third
    assert f"/objectives/reports/{third.pk}/?next={back}" in response.content.decode()
    # The last one wraps round to the first still waiting.
    assert (
        client.get(f"/objectives/reports/{third.pk}/?next={back}").context["next_report"] == second
    )
    # A queue filtered to another objective has nothing else.
    narrow = quote(f"/objectives/reports/?objective={second.objective_id}", safe="")
    response = client.get(f"/objectives/reports/{second.pk}/?next={narrow}")
    assert response.context["next_report"] is None


def test_batch_approve_reports_each_row(client_as, queue, county, township_a_staff):
    first, second, third = queue
    other = make_user("b_staff", "township_staff", county.township_b)
    response = client_as(township_a_staff).post(
        "/objectives/reports/approve/",
        {"reports": [first.pk, second.pk, third.pk], "next": "/objectives/reports/?awaiting=me"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "已审核通过 2 份报告。" in texts
    assert any("只有已报送的报告可以审核" in text for text in texts)  # the first was approved
    assert ProgressReport.objects.filter(status="approved").count() == 3
    assert response.redirect_chain[-1][0] == "/objectives/reports/?awaiting=me"
    # Another township's staff find nothing to approve: the ids are not in her area.
    response = client_as(other).post("/objectives/reports/approve/", {"reports": [second.pk]})
    assert response.status_code == 302


def test_batch_approve_is_for_staff_only(client_as, queue, village_a1_rep):
    response = client_as(village_a1_rep).post(
        "/objectives/reports/approve/", {"reports": [queue[2].pk]}
    )
    assert response.status_code == 403
    assert ProgressReport.objects.get(pk=queue[2].pk).status == "submitted"
