"""The ranking as a workbook: the columns of ``/assessment/results/?export=xlsx`` (ResultListView
declares ``export_columns = RESULT_COLUMNS`` over ``with_round_totals()``)."""

from django.utils.translation import gettext, gettext_lazy

from apps.assessment.models import ROUND_ORDER, Round


def _number(value):
    return None if value is None else float(value)


def _round_column(round_):
    return (Round(round_).label, lambda result: _number(getattr(result, f"round_{round_}")))


RESULT_COLUMNS = (
    (gettext_lazy("Scheme"), lambda result: result.scheme.title),
    (gettext_lazy("Round"), lambda result: result.get_round_display()),
    (gettext_lazy("Rank"), "rank"),
    (gettext_lazy("Unit"), lambda result: result.unit.name),
    (
        gettext_lazy("Executive member"),
        lambda result: result.person.get_full_name() if result.person else "",
    ),
    (gettext_lazy("Total"), lambda result: _number(result.total)),
    (gettext_lazy("Bonus"), lambda result: _number(result.bonus)),
    (gettext_lazy("Grade"), "grade"),
    (gettext_lazy("Prize"), "title"),
    (
        gettext_lazy("Eligible for awards"),
        lambda result: gettext("yes") if result.eligible else gettext("no"),
    ),
    (gettext_lazy("Veto reasons"), lambda result: "；".join(result.veto_reasons)),
    *(_round_column(round_) for round_ in ROUND_ORDER),
)
