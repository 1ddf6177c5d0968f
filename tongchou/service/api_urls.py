from rest_framework.routers import SimpleRouter

from tongchou.service.api import NeedViewSet

router = SimpleRouter()
router.register("service/needs", NeedViewSet, basename="api-service-need")

urlpatterns = router.urls
