from rest_framework.routers import SimpleRouter

from tongchou.orglife.api import (
    ExpectationViewSet,
    MemberAttendanceViewSet,
    ReportViewSet,
    SessionViewSet,
)

router = SimpleRouter()
router.register("life/sessions", SessionViewSet, basename="api-life-session")
router.register("life/expectations", ExpectationViewSet, basename="api-life-expectations")
router.register("life/report", ReportViewSet, basename="api-life-report")
router.register(
    "life/member-attendance", MemberAttendanceViewSet, basename="api-life-member-attendance"
)

urlpatterns = router.urls
