"""The one DRF router every app registers its viewsets on."""

from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import UserViewSet
from apps.coordination.api.views import (
    JointMeetingViewSet,
    MeetingDecisionViewSet,
    ReferralViewSet,
    ServiceViewSet,
)
from apps.core.api.todo import TodoViewSet
from apps.liaison.api.views import CaseViewSet, ContactViewSet, RepresentativeViewSet, VisitViewSet
from apps.notifications.api.views import NotificationViewSet
from apps.objectives.api.views import (
    InnovationItemViewSet,
    ObjectivePlanViewSet,
    ObjectiveViewSet,
    ProgressReportViewSet,
    RewardViewSet,
    UnitScoreViewSet,
)
from apps.organizations.api.views import OrgUnitViewSet, PeriodViewSet

router = DefaultRouter()
router.register("org-units", OrgUnitViewSet)
router.register("periods", PeriodViewSet)
router.register("users", UserViewSet)
router.register("notifications", NotificationViewSet)
router.register("objective-plans", ObjectivePlanViewSet)
router.register("objectives", ObjectiveViewSet)
router.register("progress-reports", ProgressReportViewSet)
router.register("innovation-items", InnovationItemViewSet)
router.register("scores", UnitScoreViewSet)
router.register("rewards", RewardViewSet)
router.register("representatives", RepresentativeViewSet)
router.register("contacts", ContactViewSet)
router.register("visits", VisitViewSet)
router.register("cases", CaseViewSet)
router.register("services", ServiceViewSet)
router.register("referrals", ReferralViewSet)
router.register("meetings", JointMeetingViewSet)
router.register("meeting-decisions", MeetingDecisionViewSet)
router.register("todo", TodoViewSet, basename="todo")
