"""Needs over REST, read-only, through the same scoped selectors as the pages: role holders
read the needs placed in their scope, alliance-unit staff only those routed to their unit."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import SCOPED, errors
from tongchou.service import selectors
from tongchou.service.models import Need
from tongchou.service.permissions import can_use_needs
from tongchou.service.serializers import ResidentNeedSerializer


class UsesNeeds(BasePermission):
    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        return can_use_needs(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Needs the caller may read, newest first",
        responses={200: ResidentNeedSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One need", responses={200: ResidentNeedSerializer, **errors(401, 403, 404)}
    ),
)
class NeedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Need.objects.none()
    serializer_class = ResidentNeedSerializer
    permission_classes = [IsAuthenticated, UsesNeeds]

    def get_queryset(self):
        return (
            selectors.need_list_for(self.request.user)
            .select_related("category", "organization", "unit")
            .order_by("-submitted_at", "-id")
        )

    def retrieve(self, request, pk=None):
        return Response(ResidentNeedSerializer(selectors.need_get_for(request.user, pk)).data)
