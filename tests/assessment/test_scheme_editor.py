"""The scheme editor: a scheme written on a page as county staff write one (parts, a tree of
categories and items, rules, grades, prizes, vetoes), checked as one document."""

from decimal import Decimal

from django.urls import reverse

from apps.assessment import services
from apps.assessment.models import AssessmentScheme

FORMSETS = ("parts", "indicators", "grades", "prizes", "vetoes")


def form_data(header, **rows):
    """The editor's POST: the header fields and each formset's rows."""
    data = dict(header)
    for name in FORMSETS:
        given = rows.get(name, [])
        data |= {f"{name}-TOTAL_FORMS": str(len(given)), f"{name}-INITIAL_FORMS": "0"}
        for index, row in enumerate(given):
            data |= {f"{name}-{index}-{key}": value for key, value in row.items()}
    return data


def sixty_forty(year):
    header = {
        "title": "2026年度乡镇妇联工作目标考核",
        "period": year.pk,
        "level": "township",
        "base_points": "0",
        "bonus_cap": "5",
    }
    return form_data(
        header,
        parts=[{"name": "平时考核", "weight": "60"}, {"name": "年终考核", "weight": "40"}],
        indicators=[
            {"depth": "0", "title": "目标任务", "max_points": "100", "part": "平时考核"},
            {"depth": "1", "title": "阵地建设", "max_points": "40", "kind": "checklist"},
            {
                "depth": "1",
                "title": "被退回重办",
                "max_points": "60",
                "kind": "incident",
                "source": "supervision.returned",
                "per_event": "-2",
                "cap": "10",
                "evidence": "被退办每次扣2分",
            },
            {"depth": "0", "title": "年终考核", "max_points": "100", "part": "年终考核"},
            {"depth": "1", "title": "集中测评", "max_points": "100", "kind": "panel"},
            {
                "depth": "0",
                "title": "创新加分",
                "max_points": "5",
                "kind": "manual",
                "bonus": "on",
            },
        ],
        grades=[{"name": "优秀", "min": "85", "quota": "30", "award": "on"}, {"name": "合格"}],
        prizes=[{"name": "一等奖", "count": "1"}, {"name": "二等奖", "count": "2"}],
        vetoes=[{"reason": "造成不良影响", "source": "supervision.slips", "at_least": "3"}],
    )


def test_county_staff_write_a_scheme_on_the_page(client_as, county_admin, year):
    response = client_as(county_admin).post(reverse("assessment:scheme-create"), sixty_forty(year))
    assert response.status_code == 302
    scheme = AssessmentScheme.objects.get()
    tree = services.scheme_tree(scheme)
    assert [(node["title"], node["part"]) for node in tree] == [
        ("目标任务", "平时考核"),
        ("年终考核", "年终考核"),
        ("创新加分", ""),
    ]
    returned = tree[0]["children"][1]
    assert returned["rule"] == {"per_event": -2, "cap": 10}
    assert returned["source"] == "supervision.returned"
    assert tree[2]["rule"] == {"bonus": True}
    assert scheme.bonus_cap == Decimal(5)
    assert scheme.result_rule["grades"][0] == {
        "name": "优秀",
        "min": 85,
        "quota": 30,
        "award": True,
    }
    assert scheme.result_rule["prizes"] == [
        {"name": "一等奖", "count": 1},
        {"name": "二等奖", "count": 2},
    ]
    assert scheme.vetoes == [
        {"reason": "造成不良影响", "source": "supervision.slips", "at_least": 3}
    ]


def test_the_editor_shows_a_saved_scheme_and_saves_it_back_unchanged(client_as, county_admin, year):
    client = client_as(county_admin)
    client.post(reverse("assessment:scheme-create"), sixty_forty(year))
    scheme = AssessmentScheme.objects.get()
    before = services.scheme_tree(scheme)
    page = client.get(reverse("assessment:scheme-edit", args=[scheme.pk]))
    rows = page.context["formsets"]["indicators"].initial
    assert [(row["depth"], row["title"]) for row in rows] == [
        (0, "目标任务"),
        (1, "阵地建设"),
        (1, "被退回重办"),
        (0, "年终考核"),
        (1, "集中测评"),
        (0, "创新加分"),
    ]
    client.post(reverse("assessment:scheme-edit", args=[scheme.pk]), sixty_forty(year))
    after = services.scheme_tree(AssessmentScheme.objects.get())
    strip = lambda tree: [  # noqa: E731
        {**node, "id": None, "children": strip(node["children"])} for node in tree
    ]
    assert strip(after) == strip(before)


def test_a_category_whose_items_do_not_add_up_is_refused_by_name(client_as, county_admin, year):
    data = sixty_forty(year)
    data["indicators-1-max_points"] = "30"
    response = client_as(county_admin).post(reverse("assessment:scheme-create"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "目标任务" in errors and "90" in errors
    assert not AssessmentScheme.objects.exists()


def test_other_rules_must_be_an_object(client_as, county_admin, year):
    data = sixty_forty(year)
    data["indicators-1-extra_rule"] = "[1, 2]"
    response = client_as(county_admin).post(reverse("assessment:scheme-create"), data)
    assert response.status_code == 200
    assert not AssessmentScheme.objects.exists()


def test_only_county_staff_open_the_editor(client_as, township_a_staff, leader, year):
    for user in (township_a_staff, leader):
        client = client_as(user)
        assert client.get(reverse("assessment:scheme-create")).status_code == 403
        assert (
            client.post(reverse("assessment:scheme-create"), sixty_forty(year)).status_code == 403
        )
    assert not AssessmentScheme.objects.exists()


def test_a_scheme_with_approved_results_no_longer_changes(client_as, county_admin, year):
    client = client_as(county_admin)
    client.post(reverse("assessment:scheme-create"), sixty_forty(year))
    scheme = AssessmentScheme.objects.get()
    services.score_scheme(scheme, "self")
    services.approve_round(county_admin, scheme, "self")
    data = sixty_forty(year) | {"title": "改过的标题"}
    response = client.post(reverse("assessment:scheme-edit", args=[scheme.pk]), data)
    assert response.status_code == 200
    assert AssessmentScheme.objects.get().title == "2026年度乡镇妇联工作目标考核"
