"""Shared resources over REST: the list (with the free-time search), a resource's week,
bookings (single and recurring) and their decisions, the flow report. Reads through the scoped
selectors, writes through the services. A slot already held answers 409 ``slot_taken``."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core.api import SCOPED, ErrorSerializer, ReferenceNotFound, errors
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, scope_for
from tongchou.organizations.selectors import organization_get_for
from tongchou.regions.models import Region
from tongchou.resources import flows, permissions, selectors, services
from tongchou.resources.filters import BookingFilter, ResourceFilter
from tongchou.resources.models import Booking, Resource
from tongchou.resources.serializers import (
    BookingSerializer,
    BookingWriteSerializer,
    FlowReportSerializer,
    ReasonSerializer,
    ResourceSerializer,
    ResourceUpdateSerializer,
    ResourceWriteSerializer,
    SeriesResultSerializer,
    SeriesWriteSerializer,
    WeekSerializer,
)

WRITE_ERRORS = errors(400, 401, 403, 404)
BOOK_ERRORS = {
    **WRITE_ERRORS,
    409: OpenApiResponse(ErrorSerializer, description="The slot is held already (slot_taken)"),
}
READ_ERRORS = errors(401, 403, 404)


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


def _managed_org(user, pk, field: str):
    org = _ref(lambda: organization_get_for(user, pk, action=permissions.MANAGE), field)
    if org.status != OrgStatus.ACTIVE:
        raise ReferenceNotFound(field)
    return org


def _resource_args(user, data: dict) -> dict:
    args = dict(data)
    if "region" in args:
        code = args["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ReferenceNotFound("region")
        args["region"] = region
    if args.get("member") is not None:
        from tongchou.members.selectors import member_get_for

        member_id = args["member"]
        args["member"] = _ref(lambda: member_get_for(user, member_id), "member")
    if "allowed_orgs" in args:
        ids = set(args["allowed_orgs"])
        orgs = list(Organization.objects.filter(pk__in=ids, status=OrgStatus.ACTIVE))
        if len(orgs) != len(ids):
            raise ReferenceNotFound("allowed_orgs")
        args["allowed_orgs"] = orgs
    if "opening_hours" in args:
        args["opening_hours"] = [entry or None for entry in args["opening_hours"]]
    return args


FREE = [
    OpenApiParameter(
        "free_from",
        OpenApiTypes.DATETIME,
        description="With free_to: only resources in use with no booking holding any of "
        "[free_from, free_to), open then (opening hours, days off).",
    ),
    OpenApiParameter("free_to", OpenApiTypes.DATETIME, description="End of the free time."),
]


@extend_schema_view(
    list=extend_schema(
        summary="Resources visible to the caller (search: kind, topic, region, capacity, "
        "free time)",
        parameters=FREE,
        responses={200: ResourceSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One resource", responses={200: ResourceSerializer, **READ_ERRORS}
    ),
)
class ResourceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Resource.objects.none()
    serializer_class = ResourceSerializer
    permission_classes = SCOPED
    filterset_class = ResourceFilter

    def _free_time(self):
        params = self.request.query_params
        if not params.get("free_from") and not params.get("free_to"):
            return None
        field = serializers.DateTimeField()
        bounds = []
        for name in ("free_from", "free_to"):
            try:
                bounds.append(field.to_internal_value(params.get(name, "")))
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({name: exc.detail}) from None
        if bounds[1] <= bounds[0]:
            raise serializers.ValidationError({"free_to": ["free_to must be after free_from."]})
        return bounds

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return selectors.resource_list_for(user)
        free = self._free_time()
        if free is None:
            rows = selectors.resource_list_for(user)
        else:
            rows = selectors.search_free(user, start=free[0], end=free[1])
        return (
            rows.select_related("owner", "region", "member")
            .prefetch_related("photos")
            .order_by("name", "id")
        )

    def list(self, request, *args, **kwargs):
        free = self._free_time()
        if free is None:
            return super().list(request, *args, **kwargs)
        rows = self.filter_queryset(self.get_queryset())
        shown = [r for r in rows[:500] if selectors.fits_opening(r, free[0], free[1])]
        page = self.paginate_queryset(shown)
        return self.get_paginated_response(ResourceSerializer(page, many=True).data)

    def get_object(self) -> Resource:
        return selectors.resource_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(ResourceSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a resource (owned by an organization the caller manages)",
        request=ResourceWriteSerializer,
        responses={201: ResourceSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = ResourceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = _resource_args(request.user, data.validated_data)
        args["owner"] = _managed_org(request.user, args["owner"], "owner")
        resource = services.resource_create(actor=request.user, **args)
        return Response(ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a resource (status, sharing, rules…)",
        request=ResourceUpdateSerializer,
        responses={200: ResourceSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        resource = self.get_object()
        data = ResourceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = _resource_args(request.user, data.validated_data)
        resource = services.resource_update(actor=request.user, resource=resource, **args)
        return Response(ResourceSerializer(resource).data)

    @extend_schema(
        summary="A resource's week: free/busy (who booked only for bookings in scope)",
        parameters=[
            OpenApiParameter(
                "day", OpenApiTypes.DATE, description="Any day of the week (default today)."
            )
        ],
        responses={200: WeekSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def week(self, request, pk=None):
        resource = self.get_object()
        try:
            day = dt.date.fromisoformat(request.query_params.get("day", ""))
        except ValueError:
            day = timezone.localdate()
        week = selectors.week_for(request.user, resource, day)
        days = []
        for d in week["days"]:
            opening = d["opening"]
            days.append(
                {
                    "date": d["date"],
                    "opens": opening[0].strftime("%H:%M") if opening else None,
                    "closes": opening[1].strftime("%H:%M") if opening else None,
                    "day_off": bool(d["day_off"]),
                    "busy": [
                        {
                            "start": b["start"],
                            "end": b["end"],
                            "state": b["booking"].state,
                            "booking": b["booking"].pk if b["shown"] else None,
                            "organization_name": b["booking"].organization.name
                            if b["shown"]
                            else None,
                        }
                        for b in d["busy"]
                    ],
                }
            )
        body = {"resource": resource.pk, "start": week["start"], "end": week["end"], "days": days}
        return Response(WeekSerializer(body).data)


@extend_schema_view(
    list=extend_schema(
        summary="Bookings in scope (made by, or on resources owned by, the caller's scope)",
        responses={200: BookingSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One booking", responses={200: BookingSerializer, **READ_ERRORS}
    ),
)
class BookingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Booking.objects.none()
    serializer_class = BookingSerializer
    permission_classes = SCOPED
    filterset_class = BookingFilter

    def get_queryset(self):
        return (
            selectors.booking_list_for(self.request.user)
            .select_related("resource", "organization")
            .order_by("-starts_at", "-id")
        )

    def get_object(self) -> Booking:
        return selectors.booking_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(BookingSerializer(self.get_object()).data)

    def _common(self, request, serializer_class):
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        resource_id = args.pop("resource")
        args["resource"] = _ref(lambda: selectors.resource_get_for(user, resource_id), "resource")
        args["organization"] = _managed_org(user, args["organization"], "organization")
        return args

    @extend_schema(
        summary="Book a resource for an organization the caller manages",
        description="Confirmed at once when the resource confirms automatically, else "
        "requested (holding the slot until decided or expired). 409 slot_taken when another "
        "booking holds any of the time (buffers included).",
        request=BookingWriteSerializer,
        responses={201: BookingSerializer, **BOOK_ERRORS},
    )
    def create(self, request):
        args = self._common(request, BookingWriteSerializer)
        booking = services.booking_request(actor=request.user, **args)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A recurring booking: check, book the free occurrences, or all or none",
        request=SeriesWriteSerializer,
        responses={200: SeriesResultSerializer, 201: SeriesResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], filterset_class=None)
    def series(self, request):
        args = self._common(request, SeriesWriteSerializer)
        slots = services.occurrences(
            args.pop("starts_at"),
            args.pop("ends_at"),
            repeat=args.pop("repeat"),
            count=args.pop("count"),
        )
        mode = args.pop("mode")
        made, skipped = services.booking_series(actor=request.user, slots=slots, mode=mode, **args)
        checking = mode == "check"
        body = {
            "series": "" if checking or not made else made[0].series,
            "booked": [] if checking else made,
            "free": [{"starts_at": b.starts_at, "ends_at": b.ends_at} for b in made],
            "skipped": [
                {"starts_at": s, "ends_at": e, "code": exc.code, "message": str(exc.message)}
                for s, e, exc in skipped
            ],
        }
        code = status.HTTP_200_OK if checking else status.HTTP_201_CREATED
        return Response(SeriesResultSerializer(body).data, status=code)

    def _step(self, request, call):
        booking = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = call(booking, data.validated_data.get("reason", ""))
        return Response(BookingSerializer(booking).data)

    @extend_schema(
        summary="Confirm a request (the resource's keepers)",
        request=None,
        responses={200: BookingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        return self._step(
            request, lambda b, _r: services.booking_confirm(actor=request.user, booking=b)
        )

    @extend_schema(
        summary="Decline a request, with a reason (the resource's keepers)",
        request=ReasonSerializer,
        responses={200: BookingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request, pk=None):
        return self._step(
            request,
            lambda b, r: services.booking_decline(actor=request.user, booking=b, reason=r),
        )

    @extend_schema(
        summary="Cancel a booking (either side)",
        request=ReasonSerializer,
        responses={200: BookingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        return self._step(
            request,
            lambda b, r: services.booking_cancel(actor=request.user, booking=b, reason=r),
        )


class FlowReportView(APIView):
    permission_classes = [IsAuthenticated, *SCOPED[1:]]

    @extend_schema(
        summary="Resource flows both ways for an organization's subtree and a year",
        description="Uses, hours, people and person-days by direction (u2r, r2u, within), per "
        "month and per kind, from confirmed bookings and trainer dispatches (kinds of resource) "
        "and exchanges that took place (kinds of exchange, in the month they started); a flow "
        "counts when its provider or its user is inside the subtree. Without "
        "organization: the caller's whole scope when it is one subtree (else 400).",
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.INT, description="Organization id."),
            OpenApiParameter("year", OpenApiTypes.INT, description="Default: this year."),
        ],
        responses={200: FlowReportSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        user = request.user
        params = request.query_params
        year = params.get("year") or str(timezone.localdate().year)
        if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
            raise serializers.ValidationError({"year": ["A year from 2000 to 2100."]})
        org = None
        if params.get("organization"):
            org = _ref(lambda: organization_get_for(user, params["organization"]), "organization")
            path = org.path
        else:
            scope = scope_for(user, Action.VIEW_ORGS)
            if scope.everything:
                path = ""
            elif len(scope.paths) == 1:
                path = scope.paths[0]
            else:
                raise serializers.ValidationError(
                    {"organization": ["Several scopes: choose an organization."]}
                )
        report = flows.report(flows.year_query(path, int(year)))

        def cells(mapping, key_of):
            return [
                {
                    "key": key_of(k),
                    "direction": d,
                    "uses": c.uses,
                    "hours": c.hours,
                    "people": c.people,
                    "person_days": c.person_days,
                }
                for (k, d), c in sorted(mapping.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))
            ]

        body = {
            "organization": org.pk if org else None,
            "year": int(year),
            "totals": [
                {
                    "key": "",
                    "direction": d,
                    "uses": c.uses,
                    "hours": c.hours,
                    "people": c.people,
                    "person_days": c.person_days,
                }
                for d, _label, c in report.direction_rows()
            ],
            "months": cells(report.by_month, lambda m: m.isoformat()),
            "kinds": cells(report.by_kind, str),
        }
        return Response(FlowReportSerializer(body).data)
