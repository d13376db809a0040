"""Objective management workflows; views, API, tasks and commands call only these."""

from apps.objectives.services.planning import (
    add_objective,
    create_plan,
    publish_decomposition,
    publish_plan,
    revise_objective,
    rule_violations,
    update_draft_objective,
)
from apps.objectives.services.progress import (
    approve_report,
    can_report,
    can_review,
    completion_of,
    cycle_ends,
    light_of,
    return_report,
    roll_up,
    submit_report,
)
from apps.objectives.services.rewards import (
    approve_reward,
    award_innovation,
    claim_innovation,
    close_plan,
    confirm_reward,
    propose_rewards,
    publish_reward,
    reject_innovation,
    return_reward,
)
from apps.objectives.services.scoring import plans_to_score, score_plan

__all__ = [
    "add_objective",
    "approve_report",
    "approve_reward",
    "award_innovation",
    "can_report",
    "can_review",
    "claim_innovation",
    "close_plan",
    "completion_of",
    "confirm_reward",
    "create_plan",
    "cycle_ends",
    "light_of",
    "plans_to_score",
    "propose_rewards",
    "publish_decomposition",
    "publish_plan",
    "publish_reward",
    "reject_innovation",
    "return_report",
    "return_reward",
    "revise_objective",
    "roll_up",
    "rule_violations",
    "score_plan",
    "submit_report",
    "update_draft_objective",
]
