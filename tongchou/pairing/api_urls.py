from rest_framework.routers import SimpleRouter

from tongchou.pairing.api import PairViewSet

router = SimpleRouter()
router.register("pairing/pairs", PairViewSet, basename="api-pairing-pair")

urlpatterns = router.urls
