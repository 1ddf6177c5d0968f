from rest_framework.routers import SimpleRouter

from tongchou.orglife.api import ExpectationViewSet, ReportViewSet, SessionViewSet

router = SimpleRouter()
router.register("life/sessions", SessionViewSet, basename="api-life-session")
router.register("life/expectations", ExpectationViewSet, basename="api-life-expectations")
router.register("life/report", ReportViewSet, basename="api-life-report")

urlpatterns = router.urls
