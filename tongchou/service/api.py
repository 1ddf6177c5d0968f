"""Needs over REST, read-only, through the same scoped selectors as the pages: role holders
read the needs placed in their scope, alliance-unit staff only those routed to their unit."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import SCOPED, errors
from tongchou.service import selectors, services
from tongchou.service.models import Need, ProxyStation
from tongchou.service.permissions import can_use_needs
from tongchou.service.serializers import (
    ProxyStationSerializer,
    ProxyStationWriteSerializer,
    ResidentNeedSerializer,
)


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


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------


class UsesProxyStations(BasePermission):
    """A role that sees members somewhere, or work at a proxy station."""

    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        from tongchou.organizations.permissions import Action, can
        from tongchou.service.permissions import staffed_proxy_ids

        user = request.user
        return can(user, Action.VIEW_MEMBERS) or bool(staffed_proxy_ids(user))


def _proxy_args(user, data) -> dict:
    """The service's arguments from a checked body: the village must be an organization the
    caller manages (else 404 naming the field), staff are accounts by username."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext

    from tongchou.core.api import ReferenceNotFound
    from tongchou.core.errors import ApplicationError
    from tongchou.organizations.permissions import Action
    from tongchou.organizations.selectors import organization_get_for

    args = dict(data.validated_data)
    try:
        args["organization"] = organization_get_for(
            user, args["organization"], action=Action.MANAGE_MEMBERS
        )
    except Http404:
        raise ReferenceNotFound("organization") from None
    args["opening_hours"] = [entry or None for entry in args["opening_hours"]]
    if "staff" in args:
        names = list(dict.fromkeys(args["staff"]))
        users = list(get_user_model().objects.filter(username__in=names))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise ApplicationError(
                "unknown_user",
                gettext("您管理范围内没有这些用户名的有效账号：%(names)s。")
                % {"names": "、".join(missing)},
                field="staff",
            )
        args["staff"] = users
    return args


@extend_schema_view(
    list=extend_schema(
        summary="City-service proxy stations in scope, or the caller works at",
        responses={200: ProxyStationSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One proxy station",
        responses={200: ProxyStationSerializer, **errors(401, 403, 404)},
    ),
)
class ProxyStationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ProxyStation.objects.none()
    serializer_class = ProxyStationSerializer
    permission_classes = [IsAuthenticated, UsesProxyStations]

    def get_queryset(self):
        return (
            selectors.proxy_station_list_for(self.request.user)
            .select_related("organization")
            .prefetch_related("staff")
            .order_by("org_path", "name", "id")
        )

    def retrieve(self, request, pk=None):
        station = selectors.proxy_station_get_for(request.user, pk)
        return Response(ProxyStationSerializer(station).data)

    @extend_schema(
        summary="Open a proxy station in a village the caller manages",
        request=ProxyStationWriteSerializer,
        responses={201: ProxyStationSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request):
        data = ProxyStationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        station = services.proxy_station_create(
            actor=request.user, **_proxy_args(request.user, data)
        )
        return Response(ProxyStationSerializer(station).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a proxy station (every field given; staff replaced when given)",
        request=ProxyStationWriteSerializer,
        responses={200: ProxyStationSerializer, **errors(400, 401, 403, 404)},
    )
    def update(self, request, pk=None):
        station = selectors.proxy_station_get_for(request.user, pk)
        data = ProxyStationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        station = services.proxy_station_update(
            actor=request.user, station=station, **_proxy_args(request.user, data)
        )
        return Response(ProxyStationSerializer(station).data)
