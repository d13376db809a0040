"""The one DRF router every app registers its viewsets on."""

from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import UserViewSet
from apps.assessment.api.views import AssessmentResultViewSet, AssessmentSchemeViewSet
from apps.coordination.api.views import (
    FollowUpVisitViewSet,
    IncomingReferralViewSet,
    JointMeetingViewSet,
    MandatoryReportViewSet,
    MeetingDecisionViewSet,
    ProtectionOrderViewSet,
    ReferralViewSet,
    ResourceEntryViewSet,
    ResourceHoursViewSet,
    ResourceSourceViewSet,
    ServiceViewSet,
    WarningLetterViewSet,
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
from apps.supervision.api.views import (
    InspectionViewSet,
    RectificationViewSet,
    SupervisionItemViewSet,
)

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
router.register("warning-letters", WarningLetterViewSet)
router.register("follow-up-visits", FollowUpVisitViewSet)
router.register("protection-orders", ProtectionOrderViewSet)
router.register("mandatory-reports", MandatoryReportViewSet)
router.register("resources", ResourceSourceViewSet)
router.register("resource-entries", ResourceEntryViewSet)
router.register("resource-hours", ResourceHoursViewSet)
router.register("supervision-items", SupervisionItemViewSet)
router.register("inspections", InspectionViewSet)
router.register("rectifications", RectificationViewSet)
router.register("meetings", JointMeetingViewSet)
router.register("meeting-decisions", MeetingDecisionViewSet)
router.register("todo", TodoViewSet, basename="todo")
router.register("incoming-referrals", IncomingReferralViewSet)
router.register("assessment-schemes", AssessmentSchemeViewSet)
router.register("assessment-results", AssessmentResultViewSet)
