"""Reports of supervised items by month and by lead unit (督办事项统计), for the page, its .xlsx
export and the assessment module.

Which items: those assigned (交办) in the chosen year; a month row holds the items assigned in
that month, a unit row the items that unit leads. Each item counts once, by where it stands now:

- 在办 (open): assigned, in progress or fed back and waiting to be closed;
- 办结, 阶段性办结, 中止: its end;
- 逾期 (overdue), whatever its state: still open (assigned or in progress) past its deadline
  today; or the lead unit's feedback reached the supervisor after the deadline (an approved
  extension's date counts, not the old one); or a period of progress feedback was missed
  (not met by its due date, or met after it);
- 退回次数: the times its feedback was returned for rework, summed;
- slips by colour (黄牌 is the yellow count), 满意 / 基本满意 / 不满意, and the items closed
  with a leader's 肯定性批示.

Beside them, each unit's rectifications (整改) of the year: found at inspections held in it,
still open at its end (or today), open past their deadline, and verified (销号) in it.

A fixed number of queries whatever the data size: the units, then one grouped query each for
the items by month, the items by unit, the slips by month and unit, and the rectifications."""

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.core.exports import safe_text
from apps.organizations.models import OrgUnit
from apps.supervision.models import UNIT_KINDS, ProgressDue, Slip, SupervisionItem

State, Evaluation = SupervisionItem.State, SupervisionItem.Evaluation
FIRST_YEAR = 2000

COLUMNS = (
    ("assigned", gettext_lazy("Assigned")),
    ("open", pgettext_lazy("report", "Open")),
    ("overdue", pgettext_lazy("report", "Overdue")),
    ("stage_completed", gettext_lazy("Stage completed")),
    ("closed", gettext_lazy("Completed")),
    ("suspended", gettext_lazy("Suspended")),
    ("returns", gettext_lazy("Times returned")),
    ("blue", gettext_lazy("Blue slips")),
    ("yellow", gettext_lazy("Yellow slips")),
    ("red", gettext_lazy("Red slips")),
    ("satisfied", gettext_lazy("Satisfied")),
    ("basically_satisfied", gettext_lazy("Basically satisfied")),
    ("unsatisfied", gettext_lazy("Unsatisfied")),
    ("commended", gettext_lazy("Leader's commendations")),
)
KEYS = [key for key, _label in COLUMNS]
RECTIFICATION_COLUMNS = (
    ("found", gettext_lazy("Rectifications found")),
    ("open", gettext_lazy("Rectifications open")),
    ("overdue", gettext_lazy("Rectifications overdue")),
    ("verified", gettext_lazy("Rectifications verified")),
)


@dataclass
class Row:
    label: str
    key: object
    figures: dict = field(default_factory=lambda: dict.fromkeys(KEYS, 0))

    @property
    def values(self):
        return [self.figures[key] for key in KEYS]


@dataclass
class Report:
    year: int
    months: list
    units: list
    total: Row
    # (unit name, {found, open, overdue, verified}) per unit, in the order of ``units``.
    rectifications: list = field(default_factory=list)

    columns = COLUMNS
    rectification_columns = RECTIFICATION_COLUMNS


def overdue_q(today):
    """逾期, as defined above, as one condition on SupervisionItem."""
    missed = ProgressDue.objects.filter(item=OuterRef("pk"), due__lt=today).filter(
        Q(fed_back_at__isnull=True) | Q(fed_back_at__date__gt=F("due"))
    )
    return (
        Q(state__in=SupervisionItem.OPEN_STATES, deadline__lt=today)
        | Q(feedback_at__isnull=False, feedback_at__date__gt=F("deadline"))
        | Q(Exists(missed))
    )


def _figures(today):
    return {
        "assigned": Count("pk"),
        "open": Count("pk", filter=Q(state__in=SupervisionItem.LIVE_STATES)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "stage_completed": Count("pk", filter=Q(state=State.STAGE_COMPLETED)),
        "closed": Count("pk", filter=Q(state=State.CLOSED)),
        "suspended": Count("pk", filter=Q(state=State.SUSPENDED)),
        "returns": Coalesce(Sum("return_count"), 0),
        **{value: Count("pk", filter=Q(evaluation=value)) for value in Evaluation.values},
        "commended": Count("pk", filter=~Q(commendation="")),
    }


def check_year(year, today=None):
    """The year as an int, or a clear message: a report covers a year that has begun."""
    today = today or timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year as four digits, e.g. 2026.")}) from None
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationError(
            {
                "year": _("There is no report period for %(year)s: choose %(first)s to %(last)s.")
                % {"year": year, "first": FIRST_YEAR, "last": today.year}
            }
        )
    return year


def item_report(year, units=None, today=None):
    """Figures of the items assigned in ``year`` by month and by lead unit (``units``: the
    lead units to count, ids or OrgUnits; None: all). Five queries whatever the data size."""
    today = today or timezone.localdate()
    year = check_year(year, today)
    items = SupervisionItem.objects.filter(assigned_at__year=year)
    slips = Slip.objects.filter(item__assigned_at__year=year)
    unit_rows = OrgUnit.objects.filter(kind__in=UNIT_KINDS)
    if units is not None:
        ids = [getattr(unit, "pk", unit) for unit in units]
        items, slips = items.filter(lead_unit__in=ids), slips.filter(item__lead_unit__in=ids)
        unit_rows = unit_rows.filter(pk__in=ids)
    by_unit = {
        unit.pk: Row(unit.name, unit)
        for unit in unit_rows.order_by("kind", "path").only("pk", "name", "kind", "path")
    }
    months = {m: Row(f"{year}-{m:02d}", m) for m in range(1, 13)}
    figures = _figures(today)
    for values in (
        items.order_by()
        .annotate(month=ExtractMonth("assigned_at"))
        .values("month")
        .annotate(**figures)
    ):
        months[values["month"]].figures.update({key: values[key] for key in figures})
    for values in items.order_by().values("lead_unit").annotate(**figures):
        row = by_unit.get(values["lead_unit"])
        if row is not None:
            row.figures.update({key: values[key] for key in figures})
    for values in (
        slips.order_by()
        .annotate(month=ExtractMonth("item__assigned_at"))
        .values("month", "colour")
        .annotate(n=Count("pk"))
    ):
        months[values["month"]].figures[values["colour"]] += values["n"]
    for values in slips.order_by().values("item__lead_unit", "colour").annotate(n=Count("pk")):
        row = by_unit.get(values["item__lead_unit"])
        if row is not None:
            row.figures[values["colour"]] += values["n"]
    total = Row(_("Total"), None)
    for row in months.values():
        for key in KEYS:
            total.figures[key] += row.figures[key]
    from apps.supervision.services import rectification_counts

    counts = rectification_counts(list(by_unit), date(year, 1, 1), date(year, 12, 31))
    return Report(
        year=year,
        months=list(months.values()),
        units=list(by_unit.values()),
        total=total,
        rectifications=[
            (row.label, [counts[pk][key] for key, _label in RECTIFICATION_COLUMNS])
            for pk, row in by_unit.items()
        ],
    )


def report_xlsx(report):
    """The report as an .xlsx workbook (bytes): a sheet by month, one by unit, one of the
    units' rectifications."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def lines(rows):
        return [(row.label, row.values) for row in rows]

    book = Workbook()
    sheets = (
        (_("By month"), _("Month"), COLUMNS, lines([*report.months, report.total])),
        (_("By unit"), _("Lead unit"), COLUMNS, lines(report.units)),
        (_("Rectifications"), _("responsible unit"), RECTIFICATION_COLUMNS, report.rectifications),
    )
    for index, (title, first, columns, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = str(title)
        sheet.append([str(first), *[str(label) for _key, label in columns]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for label, values in rows:
            # Unit names are typed by people: never let one run as a formula.
            sheet.append([safe_text(label), *values])
        sheet.column_dimensions["A"].width = 24
    out = BytesIO()
    book.save(out)
    return out.getvalue()


STATE_KEYS = ("assigned", "open", "overdue", "stage_completed", "closed", "suspended")


def state_counts_by_unit(items, today=None, group=None):
    """For the dashboards: ``{lead_unit_id: {assigned, open, overdue, stage_completed, closed,
    suspended}}`` of ``items`` (a scoped queryset), each item counted as the monthly report
    counts it (see above). ``group``: an expression to group by instead of the lead unit (the
    dashboard groups by the child of the unit it shows); the keys are then its values. One
    query."""
    every = _figures(today or timezone.localdate())
    figures = {key: every[key] for key in STATE_KEYS}
    grouped = items.order_by().values(key=group if group is not None else F("lead_unit"))
    return {
        row["key"]: {key: row[key] for key in STATE_KEYS} for row in grouped.annotate(**figures)
    }


def overdue_items(items, today=None, limit=20):
    """For the dashboards: the first ``limit`` of ``items`` that are overdue (逾期 as above),
    oldest deadline first, as rows of their ``pk``, ``title``, ``deadline`` and lead unit's
    name (``lead_unit__name``). One query."""
    today = today or timezone.localdate()
    return list(
        items.filter(overdue_q(today))
        .order_by("deadline", "pk")
        .values("pk", "title", "deadline", "lead_unit__name")[:limit]
    )
