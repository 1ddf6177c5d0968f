from rest_framework.routers import SimpleRouter

from tongchou.members.api import MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = router.urls
