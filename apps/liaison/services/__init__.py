"""Representative liaison workflows; views, API, tasks and commands call only these.

One module a job: contacts (who represents whom, who is due a visit), visits, cases,
coverage, representatives and the roster import, reminders."""

from apps.liaison.services.cases import (
    SENSITIVE_CATEGORIES,
    CaseCategory,
    add_follow_up,
    can_handle,
    cases_for,
    close_case,
    escalate_case,
    mark_for_closer_follow_up,
    mark_referred,
    open_case,
    open_case_from_referral,
    referral_returned,
    resolve_case,
    start_case,
    suggest_helpers,
    visits_for,
)
from apps.liaison.services.contacts import contacts_due, representative_of, visit_intervals
from apps.liaison.services.coverage import (
    GROUP_KEYS,
    coverage,
    monthly_case_counts,
    monthly_coverage,
)
from apps.liaison.services.representatives import add_representative, representatives_in
from apps.liaison.services.roster import (
    ROSTER_COLUMNS,
    check_roster_file,
    fail_if_abandoned,
    run_import,
    start_import,
    template_workbook,
)
from apps.liaison.services.uploads import stored_upload
from apps.liaison.services.visits import log_visit

__all__ = [
    "GROUP_KEYS",
    "SENSITIVE_CATEGORIES",
    "CaseCategory",
    "add_representative",
    "add_follow_up",
    "can_handle",
    "cases_for",
    "close_case",
    "contacts_due",
    "coverage",
    "monthly_case_counts",
    "monthly_coverage",
    "escalate_case",
    "log_visit",
    "mark_for_closer_follow_up",
    "mark_referred",
    "open_case",
    "open_case_from_referral",
    "referral_returned",
    "representative_of",
    "representatives_in",
    "resolve_case",
    "start_case",
    "stored_upload",
    "suggest_helpers",
    "visit_intervals",
    "visits_for",
    "ROSTER_COLUMNS",
    "check_roster_file",
    "fail_if_abandoned",
    "run_import",
    "start_import",
    "template_workbook",
]
