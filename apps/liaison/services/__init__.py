"""Representative liaison workflows; views, API, tasks and commands call only these."""

from apps.liaison.services.cases import (
    add_follow_up,
    can_handle,
    close_case,
    contacts_due,
    coverage,
    escalate_case,
    log_visit,
    mark_referred,
    open_case,
    representative_of,
    resolve_case,
    start_case,
    suggest_helpers,
    visit_intervals,
)
from apps.liaison.services.representatives import add_representative
from apps.liaison.services.roster import (
    ROSTER_COLUMNS,
    check_roster_file,
    fail_if_abandoned,
    run_import,
    start_import,
    template_workbook,
)

__all__ = [
    "add_representative",
    "add_follow_up",
    "can_handle",
    "close_case",
    "contacts_due",
    "coverage",
    "escalate_case",
    "log_visit",
    "mark_referred",
    "open_case",
    "representative_of",
    "resolve_case",
    "start_case",
    "suggest_helpers",
    "visit_intervals",
    "ROSTER_COLUMNS",
    "check_roster_file",
    "fail_if_abandoned",
    "run_import",
    "start_import",
    "template_workbook",
]
