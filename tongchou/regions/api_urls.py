from rest_framework.routers import SimpleRouter

from tongchou.regions.api import RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")

urlpatterns = router.urls
