from django.urls import path
from rest_framework.routers import SimpleRouter

from tongchou.organizations.api import MeView, OrganizationViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="api-organization")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
