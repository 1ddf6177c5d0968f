"""Needs over REST, through the same scoped selectors and services as the pages: role holders
read the needs placed in their scope, alliance-unit staff only those routed to their unit, and
each step of the life-cycle is one service call with the services' own checks.

Writes (``POST``):

* ``needs/`` — intake by staff for a resident (places the caller manages; a station's staff
  anywhere, with the station as intake), or a need raised on a household visit (``visit``);
* ``needs/{id}/accept/``, ``start/``, ``resolve/`` — the unit the need is routed to, or the
  managers of its place;
* ``needs/{id}/reassign/``, ``merge/``, ``close/`` — the managers of its place.

A need out of scope, or an id in the body naming nothing the caller may read, is a 404 (with
``field``); a need the caller may read but not change in this way, a 403; a broken rule
(wrong state, an unknown category, a missing reason) a 400 with the service's code and field.

The resident's own steps — confirming with a rating, or asking to reopen — are not here. A
resident has no account: they answer on the public page with their tracking code, and an
Open311 client is the public machine interface. An API for accounts would let staff — the unit
whose work the rating judges, or the committee watching it — type the resident's rating for
them, and the figures would then say what staff said. A resident who phones in their answer is
pointed to the page (or a family member opens it for them).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.organizations.permissions import Action, can
from tongchou.service import selectors, services
from tongchou.service.models import AllianceUnit, Intake, Need, ProxyStation
from tongchou.service.permissions import can_intake, can_use_needs, staffed_station_ids
from tongchou.service.serializers import (
    NeedCreateSerializer,
    NeedMergeSerializer,
    NeedReassignSerializer,
    NeedResolveSerializer,
    ProxyStationSerializer,
    ProxyStationWriteSerializer,
    ResidentNeedSerializer,
)

WRITE_ERRORS = errors(400, 401, 403, 404)


class UsesNeeds(BasePermission):
    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        return can_use_needs(request.user)


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


def _step_schema(summary: str, request=None):
    return extend_schema(
        summary=summary, request=request, responses={200: ResidentNeedSerializer, **WRITE_ERRORS}
    )


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

    def _answer(self, need: Need, code: int = status.HTTP_200_OK) -> Response:
        need = selectors.need_get_for(self.request.user, need.pk)
        return Response(ResidentNeedSerializer(need).data, status=code)

    @extend_schema(
        summary="Take in a need: for a resident (staff, station staff), or raised on a visit",
        description=(
            "category is a category code. Without visit, organization is a village/community "
            "the caller manages (a service station's staff: any, the station as intake). With "
            "visit (one the caller recorded, or at a household they manage) the place and "
            "address are the household's. Routed and deadlined at once."
        ),
        request=NeedCreateSerializer,
        responses={201: ResidentNeedSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        user = request.user
        body = NeedCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        visit_id, org_id = data.pop("visit", None), data.pop("organization", None)
        station = None
        if visit_id is not None:
            visit = _ref(lambda: selectors.visit_get_for(user, visit_id), "visit")
            household = visit.household
            own = visit.recorded_by_id == user.pk or (
                visit.member is not None and visit.member.user_id == user.pk
            )
            if not (own or can(user, Action.MANAGE_MEMBERS, household.org_path)):
                raise PermissionDenied
            data.setdefault("address", household.address)
            intake, place = Intake.VISIT, household.organization
        else:
            if not can_intake(user):
                raise PermissionDenied
            place = None
            if org_id is not None:
                place = selectors.intake_places_for(user).filter(pk=org_id).first()
                if place is None:
                    raise ReferenceNotFound("organization")
            intake, visit = Intake.STAFF, None
            stations = sorted(staffed_station_ids(user))
            if place is not None and stations and not can(user, Action.MANAGE_MEMBERS, place.path):
                from tongchou.mobility.models import ServiceStation

                intake, station = Intake.STATION, ServiceStation.objects.get(pk=stations[0])
        need = services.need_submit(
            actor=user, intake=intake, organization=place, visit=visit, station=station, **data
        )
        return self._answer(need, status.HTTP_201_CREATED)

    def _need(self) -> Need:
        return selectors.need_get_for(self.request.user, self.kwargs["pk"])

    @_step_schema("submitted → accepted (the unit it is routed to, or the place's managers)")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.need_accept(actor=request.user, need=self._need()))

    @_step_schema("accepted, reopened or submitted → in progress")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(services.need_start(actor=request.user, need=self._need()))

    @_step_schema("Any open state → resolved, with what was done", NeedResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        need = self._need()
        body = NeedResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.need_resolve(actor=request.user, need=need, **body.validated_data)
        )

    @_step_schema(
        "Send an open need to another alliance unit, with a reason", NeedReassignSerializer
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        need = self._need()
        body = NeedReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unit = AllianceUnit.objects.filter(pk=body.validated_data["unit"], active=True).first()
        need = services.need_reassign(
            actor=request.user, need=need, unit=unit, reason=body.validated_data["reason"]
        )
        return self._answer(need)

    @extend_schema(
        summary="Merge this open need into another (both histories kept); answers the survivor",
        request=NeedMergeSerializer,
        responses={200: ResidentNeedSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        user = request.user
        need = self._need()
        body = NeedMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = _ref(lambda: selectors.need_get_for(user, body.validated_data["into"]), "into")
        return self._answer(services.need_merge(actor=user, duplicate=need, into=into))

    @_step_schema("Close a confirmed need, or a resolved one whose reopening window has passed")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(services.need_close(actor=request.user, need=self._need()))


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
