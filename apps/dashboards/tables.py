"""The dashboard's tables, made once from the service's data: the page, the printable report
and the .xlsx export all show these same rows."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)  # each: {"cells": [...], "drill": unit id | None}

    @property
    def panel(self):
        return self.key.split("-")[0]

    @property
    def labelled_rows(self):
        """Rows as (column, value) pairs: a phone shows each cell with its column's name."""
        return [
            {"cells": list(zip(self.columns, row["cells"], strict=True)), "drill": row["drill"]}
            for row in self.rows
        ]

    def add(self, cells, drill=None):
        self.rows.append({"cells": cells, "drill": drill})


def _percent(value):
    return "" if value is None else f"{value}%"


def _blank(value):
    return "" if value is None else value


def tables(data):
    """Every table of one dashboard view (``services.dashboard``'s answer), in page order."""
    panels = data["panels"]
    found = []
    found += _assessment(panels["assessment"])
    found += _objectives(panels["objectives"])
    found += _supervision(panels["supervision"])
    found += _cases(panels["cases"])
    if panels["referrals"]["available"]:
        found.append(_referrals(panels["referrals"]))
    found.append(_liaison(panels["liaison"]))
    found.append(_innovation(panels["innovation"]))
    return found


def _assessment(panel):
    found = []
    for level in panel["levels"]:
        names = {"level": level["label"], "round": level["round"]}
        title = _("Assessment ranking: %(level)s (%(round)s)") % names
        if level["count"] > len(level["rows"]):
            # The whole ranking is the results page's (and its export's).
            title = _(
                "Assessment ranking: %(level)s (%(round)s), the first %(shown)s of %(count)s"
            ) % {**names, "shown": len(level["rows"]), "count": level["count"]}
        table = Table(
            f"assessment-{level['level']}",
            title,
            [
                _("Unit"),
                _("Score"),
                _("Rank"),
                _("Grade"),
                _("Last period's score"),
                _("Last period's rank"),
                _("Last period's grade"),
            ],
        )
        for row in level["rows"]:
            table.add(
                [
                    row["name"],
                    row["total"],
                    _blank(row["rank"]),
                    row["grade"],
                    _blank(row["previous_total"]),
                    _blank(row["previous_rank"]),
                    _blank(row["previous_grade"]),
                ],
                row["drill"],
            )
        found.append(table)
    return found


def _objectives(panel):
    lights = [light["key"] for light in panel["lights"]]
    labels = [light["label"] for light in panel["lights"]]
    by_category = Table(
        "objectives-category", _("Objective completion by category"), [_("Category"), *labels]
    )
    for row in panel["by_category"]:
        by_category.add([row["label"], *(row["counts"][key] for key in lights)])
    by_unit = Table("objectives-unit", _("Objective completion by unit"), [_("Unit"), *labels])
    for row in panel["by_unit"]:
        by_unit.add([row["name"], *(row["counts"][key] for key in lights)], row["drill"])
    return [by_category, by_unit]


def _supervision(panel):
    keys = [column["key"] for column in panel["columns"]]
    by_unit = Table(
        "supervision-unit",
        _("Supervised items by unit"),
        [_("Unit"), *(column["label"] for column in panel["columns"])],
    )
    for row in panel["by_unit"]:
        by_unit.add([row["name"], *(row[key] for key in keys)], row["drill"])
    overdue = Table(
        "supervision-overdue",
        _("Overdue supervised items"),
        [_("Item"), _("Lead unit"), _("Deadline")],
    )
    for item in panel["overdue"]:
        overdue.add([item["title"], item["lead_unit"], item["deadline"]])
    return [by_unit, overdue]


def _case_columns(first):
    return [first, _("Cases"), _("Of which sensitive"), _("Answered in time"), _("In time")]


def _case_cells(label, row):
    return [label, row["cases"], row["sensitive"], row["on_time"], _percent(row["on_time_rate"])]


def _cases(panel):
    by_unit = Table("cases-unit", _("Cases by unit"), _case_columns(_("Unit")))
    for row in panel["by_unit"]:
        by_unit.add(_case_cells(row["name"], row), row["drill"])
    by_category = Table("cases-category", _("Cases by category"), _case_columns(_("Category")))
    for row in panel["by_category"]:
        by_category.add(_case_cells(row["label"], row))
    by_month = Table("cases-month", _("Cases by month"), _case_columns(_("Month")))
    for row in panel["by_month"]:
        by_month.add(_case_cells(row["month"], row))
    return [by_unit, by_category, by_month]


def _referrals(panel):
    table = Table(
        "referrals-department",
        _("Referral response by department"),
        [
            _("Department"),
            _("Received"),
            pgettext("referral", "Accepted"),
            _("Accepted in time"),
            pgettext("referral", "Completed"),
            _("Completed in time"),
            pgettext("referral", "Declined"),
            _("Average days to accept"),
            _("Average days to complete"),
        ],
    )
    for row in panel["by_department"]:
        table.add(
            [
                row["name"],
                row["received"],
                row["accepted"],
                row["accepted_on_time"],
                row["completed"],
                row["completed_on_time"],
                row["declined"],
                _blank(row["average_days_to_accept"]),
                _blank(row["average_days_to_complete"]),
            ],
            row["drill"],
        )
    return table


def _liaison(panel):
    risks = panel["risks"]
    table = Table(
        "liaison-unit",
        _("Liaison coverage by unit"),
        [
            _("Unit"),
            _("Households linked"),
            _("Households visited"),
            _("Coverage"),
            _("Visits"),
            *(_("Visits made / due: %(risk)s") % {"risk": risk["label"]} for risk in risks),
        ],
    )
    for row in panel["by_unit"]:
        table.add(
            [
                row["name"],
                row["linked"],
                row["visited"],
                _percent(row["coverage"]),
                row["visits"],
                *(f"{row['made'][r['key']]} / {row['due'][r['key']]}" for r in risks),
            ],
            row["drill"],
        )
    return table


def _innovation(panel):
    table = Table("innovation", _("Innovation items awarded"), [_("Item"), _("Unit"), _("Points")])
    for item in panel["items"]:
        table.add([item["title"], item["unit"], item["points"]])
    return table
