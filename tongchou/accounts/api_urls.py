from rest_framework.routers import SimpleRouter

from tongchou.accounts.api import AccountViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="api-account")

urlpatterns = router.urls
