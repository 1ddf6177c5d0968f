from django.urls import path
from rest_framework.routers import SimpleRouter

from tongchou.talent.api import (
    AssignmentViewSet,
    LedgerView,
    MatchRoundViewSet,
    NeedViewSet,
    SkillViewSet,
    TalentViewSet,
)

router = SimpleRouter()
router.register("talent/skills", SkillViewSet, basename="api-talent-skill")
router.register("talent/profiles", TalentViewSet, basename="api-talent-profile")
router.register("talent/needs", NeedViewSet, basename="api-talent-need")
router.register("talent/exchanges", AssignmentViewSet, basename="api-talent-exchange")
router.register("talent/rounds", MatchRoundViewSet, basename="api-talent-round")

urlpatterns = [
    path("talent/ledger/", LedgerView.as_view(), name="api-talent-ledger"),
    *router.urls,
]
