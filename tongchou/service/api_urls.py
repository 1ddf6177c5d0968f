from rest_framework.routers import SimpleRouter

from tongchou.service.api import NeedViewSet, ProxyStationViewSet

router = SimpleRouter()
router.register("service/needs", NeedViewSet, basename="api-service-need")
router.register("service/proxy-stations", ProxyStationViewSet, basename="api-service-proxy-station")

urlpatterns = router.urls
