from rest_framework.routers import SimpleRouter

from tongchou.transfers.api import TransferViewSet

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="api-transfer")

urlpatterns = router.urls
