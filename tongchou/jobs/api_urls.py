from django.urls import path
from rest_framework.routers import SimpleRouter

from tongchou.jobs.api import ApplicationViewSet, FiguresView, OpeningViewSet, SeekerViewSet

router = SimpleRouter()
router.register("jobs/openings", OpeningViewSet, basename="api-jobs-opening")
router.register("jobs/seekers", SeekerViewSet, basename="api-jobs-seeker")
router.register("jobs/applications", ApplicationViewSet, basename="api-jobs-application")

urlpatterns = [
    path("jobs/figures/", FiguresView.as_view(), name="api-jobs-figures"),
    *router.urls,
]
