from django.urls import path
from rest_framework.routers import SimpleRouter

from tongchou.resources.api import BookingViewSet, FlowReportView, ResourceViewSet

router = SimpleRouter()
router.register("resources/items", ResourceViewSet, basename="api-resource")
router.register("resources/bookings", BookingViewSet, basename="api-booking")

urlpatterns = [
    path("resources/flows/", FlowReportView.as_view(), name="api-resource-flows"),
    *router.urls,
]
