from rest_framework.routers import SimpleRouter

from tongchou.members.api import ImportJobViewSet, MemberViewSet

router = SimpleRouter()
router.register("members/imports", ImportJobViewSet, basename="api-member-import-job")
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = router.urls
