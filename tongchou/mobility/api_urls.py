from rest_framework.routers import SimpleRouter

from tongchou.mobility.api import SpellViewSet, StationViewSet

router = SimpleRouter()
router.register("mobility/stations", StationViewSet, basename="api-mobility-station")
router.register("mobility/spells", SpellViewSet, basename="api-mobility-spell")

urlpatterns = router.urls
