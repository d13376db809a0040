"""Text defined at import time is lazy: the same server answers each request in its own
language, and every filter has an explicit, translated label."""

import ast
import importlib
import inspect
from io import BytesIO
from pathlib import Path

import django_filters
import pytest
from django.utils.functional import Promise
from openpyxl import load_workbook

from apps.core.filters import ALL, AllYesNoWidget

APPS = Path(__file__).resolve().parents[2] / "apps"
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def eager_calls_at_import(path):
    """Calls of gettext (however imported) that run when the module is imported: at module
    or class level, in decorators or default arguments, but not inside a function body."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    found = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for expression in [*child.decorator_list, *child.args.defaults]:
                    visit_expression(expression)
                continue  # the body runs later, inside a request
            if isinstance(child, ast.Lambda):
                continue
            visit_expression(child) if isinstance(child, ast.expr) else visit(child)

    def visit_expression(expression):
        if (
            isinstance(expression, ast.Call)
            and isinstance(expression.func, ast.Name)
            and expression.func.id in names
        ):
            found.append(f"{path.relative_to(APPS.parent)}:{expression.lineno}")
        visit(expression)

    visit(tree)
    return found


def test_no_gettext_runs_at_import_time():
    found = [
        hit
        for path in sorted(APPS.rglob("*.py"))
        if "migrations" not in path.parts
        for hit in eager_calls_at_import(path)
    ]
    assert found == [], "use gettext_lazy for text defined at import time"


def test_the_checker_sees_class_level_gettext(tmp_path):
    module = tmp_path / "apps" / "sample.py"
    module.parent.mkdir()
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "class View:\n"
        "    label = _('Status')\n"
        "    def get(self):\n"
        "        return _('fine inside a request')\n"
    )
    global APPS
    saved, APPS = APPS, tmp_path / "apps"
    try:
        assert eager_calls_at_import(module) == ["apps/sample.py:3"]
    finally:
        APPS = saved


def all_filtersets():
    for module_path in sorted(APPS.glob("*/filters.py")):
        module = importlib.import_module(f"apps.{module_path.parent.name}.filters")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_filters.FilterSet) and cls.__module__ == module.__name__:
                yield cls


def test_every_filter_has_a_lazy_label_and_reads_all_when_empty():
    checked = 0
    for filterset in all_filtersets():
        for name, field in filterset.base_filters.items():
            where = f"{filterset.__name__}.{name}"
            hidden = (
                field.extra.get("widget") is not None
                and getattr(field.extra["widget"], "input_type", "") == "hidden"
            )
            if not hidden:
                assert isinstance(field.label, Promise), f"{where}: no lazy label"
            if isinstance(field, django_filters.ChoiceFilter):
                assert field.extra.get("empty_label") is ALL, f"{where}: empty choice is not All"
            if isinstance(field, django_filters.BooleanFilter):
                assert field.extra.get("widget") is AllYesNoWidget, f"{where}: not All/Yes/No"
            checked += 1
    assert checked > 30


def page_in(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def test_filter_labels_follow_each_request_language(client_as, county_admin):
    client = client_as(county_admin)
    for _round in range(2):
        zh = page_in(client, "/org/periods/", "zh-hans").content.decode()
        assert "已关闭" in zh and "全部" in zh and ">是<" in zh and ">否<" in zh
        assert "未知" not in zh and "---------" not in zh
        en = page_in(client, "/org/periods/", "en").content.decode()
        assert "closed" in en and ">All<" in en and ">Yes<" in en and ">No<" in en
        assert "已关闭" not in en and "全部" not in en


def test_case_and_report_filters_in_both_languages(client_as, county_admin):
    client = client_as(county_admin)
    for _round in range(2):
        zh = page_in(client, "/liaison/cases/", "zh-hans").content.decode()
        assert "状态" in zh and "全部" in zh
        en = page_in(client, "/liaison/cases/", "en").content.decode()
        assert "state" in en and ">All<" in en and "状态" not in en
        zh = page_in(client, "/objectives/reports/", "zh-hans").content.decode()
        assert "状态" in zh and "Status" not in zh
        en = page_in(client, "/objectives/reports/", "en").content.decode()
        assert "status" in en and "状态" not in en


def export_headers(client, url, language):
    response = page_in(client, f"{url}?export=xlsx", language)
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    return next(sheet.iter_rows(values_only=True))


def test_export_headers_follow_each_request_language(client_as, county_admin):
    client = client_as(county_admin)
    for url, zh_word, en_word in [
        ("/objectives/scores/", "排名", "rank"),
        ("/liaison/representatives/", "联系户", "households"),
        ("/org/units/", "上级单位", "parent unit"),
    ]:
        for language, word in [("zh-hans", zh_word), ("en", en_word), ("zh-hans", zh_word)]:
            assert word in export_headers(client, url, language), (url, language)


@pytest.mark.parametrize("language, label", [("zh-hans", "上级单位"), ("en", "parent unit")])
def test_parent_unit_filter_is_a_choice_of_units_in_the_users_area(
    client_as, township_a_staff, county, language, label
):
    response = page_in(client_as(township_a_staff), "/org/units/", language)
    form = response.context["filter"].form
    assert str(form.fields["parent"].label) == label
    choices = [unit.pk for unit in form.fields["parent"].queryset]
    # Township A has villages; its villages have no sub-units; township B is outside.
    assert choices == [county.township_a.pk]
    html = response.content.decode()
    assert '<select name="parent"' in html
    filtered = client_as(township_a_staff).get("/org/units/", {"parent": county.township_a.pk})
    assert {unit.pk for unit in filtered.context["object_list"]} == {
        county.village_a1.pk,
        county.village_a2.pk,
    }
