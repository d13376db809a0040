"""Bad input to objectives is a 4xx with a message per field, never a 500, and writes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.objectives import services
from apps.objectives.models import Evidence, InnovationItem, Objective, ProgressReport
from tests.objectives.conftest import quantitative

RUBRIC = [{"label": "启动", "completion": 0.5}, {"label": "完成", "completion": 1.0}]
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


@pytest.fixture
def village_leaf(split_training, county, county_admin, township_a_staff):
    """A published leaf of village A1, reported on by its representative."""
    part_a, _ = split_training
    services.publish_plan(county_admin, part_a.plan)
    leaf = services.add_objective(
        township_a_staff,
        part_a.plan,
        parent=part_a,
        **quantitative(assignee_unit=county.village_a1, weight=Decimal(6), target=Decimal(180)),
    )
    services.publish_decomposition(township_a_staff, part_a)
    return leaf


class TestRubric:
    def test_a_patched_rubric_row_without_completion_is_a_field_error(
        self, plan, county, county_admin, api_as
    ):
        milestone = services.add_objective(
            county_admin,
            plan,
            **quantitative(
                kind=Objective.Kind.MILESTONE,
                measure_unit="",
                baseline=None,
                target=None,
                rubric=RUBRIC,
                assignee_unit=county.county,
            ),
        )

        response = api_as(county_admin).patch(
            f"/api/v1/objectives/{milestone.pk}/",
            {"rubric": [{"label": "完成"}]},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 400
        assert response.json() == {"rubric": {"0": {"completion": ["This field is required."]}}}
        milestone.refresh_from_db()
        assert milestone.rubric == RUBRIC


class TestReportingFromTheObjectivePage:
    @pytest.mark.parametrize("persona", ["township_a_staff", "county_admin", "leader"])
    @pytest.mark.parametrize(
        "body",
        [{"cycle_end": "2026-03-31", "value": "10", "narrative": "x"}, {"narrative": ""}],
        ids=["complete", "incomplete"],
    )
    def test_someone_who_may_not_report_is_refused_without_a_500(
        self, request, village_leaf, client_as, persona, body
    ):
        user = request.getfixturevalue(persona)

        response = client_as(user).post(f"/objectives/{village_leaf.pk}/", body)

        assert response.status_code == 403
        assert not ProgressReport.objects.exists()

    def test_a_part_of_another_township_is_not_found(self, village_leaf, village_b1_rep, client_as):
        response = client_as(village_b1_rep).post(
            f"/objectives/{village_leaf.pk}/", {"narrative": "x"}
        )

        assert response.status_code == 404


class TestFileTypeErrors:
    def test_the_api_names_the_files_field(self, village_leaf, village_a1_rep, api_as):
        response = api_as(village_a1_rep).post(
            "/api/v1/progress-reports/",
            {
                "objective": village_leaf.pk,
                "cycle_end": "2026-03-31",
                "value": "10",
                "narrative": "培训",
                "files": [SimpleUploadedFile("签到表.pdf", ELF)],
            },
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 400
        assert response.json() == {
            "files": [
                "“签到表.pdf” is not an accepted file. "
                "Accepted: docx, jpg, pdf, png, pptx, webp, xlsx."
            ]
        }
        assert not ProgressReport.objects.exists()
        assert not Evidence.objects.exists()

    def test_the_objective_page_shows_it_on_the_files_field(
        self, village_leaf, village_a1_rep, client_as
    ):
        response = client_as(village_a1_rep).post(
            f"/objectives/{village_leaf.pk}/",
            {
                "cycle_end": "2026-03-31",
                "value": "10",
                "narrative": "培训",
                "files": [SimpleUploadedFile("签到表.pdf", ELF)],
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 200
        form = response.context["report_form"]
        assert list(form.errors) == ["files"]
        assert not ProgressReport.objects.exists()

    def test_an_innovation_claim_names_the_files_field(
        self, village_leaf, county, village_a1_rep, api_as
    ):
        response = api_as(village_a1_rep).post(
            "/api/v1/innovation-items/",
            {
                "plan": village_leaf.plan_id,
                "unit": county.village_a1.pk,
                "title": "巾帼微家",
                "description": "x",
                "claimed_points": "1",
                "files": [SimpleUploadedFile("照片.png", ELF)],
            },
            format="multipart",
        )

        assert response.status_code == 400
        assert list(response.json()) == ["files"]
        assert not InnovationItem.objects.exists()
