"""Organizational life over REST: sessions (with their attendance), expectations per period,
and the "no one left behind" report. Reads go through the scoped selectors, writes through the
services, so the API checks the same rules as the pages."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import Pagination, ReferenceNotFound, errors
from tongchou.core.errors import ApplicationError
from tongchou.members.models import Member
from tongchou.organizations.api import organization_ref
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.orglife import report as reports
from tongchou.orglife import roster, selectors, services
from tongchou.orglife.filters import SessionFilter
from tongchou.orglife.forms import DateRangeForm, usable_stations
from tongchou.orglife.models import Session
from tongchou.orglife.permissions import can_manage, can_view_somewhere
from tongchou.orglife.serializers import (
    AttendanceSerializer,
    AttendanceWriteSerializer,
    ExpectationSummarySerializer,
    MemberAttendanceRowSerializer,
    MemberAttendanceSerializer,
    PeriodQuerySerializer,
    ReportQuerySerializer,
    ReportRowSerializer,
    ReportSerializer,
    SessionSerializer,
    SessionWriteSerializer,
)

MANAGE_ERRORS = errors(400, 401, 403, 404)


class MayUseOrglife(BasePermission):
    """A role, or work at a member service station (staff hold sessions there)."""

    message = gettext_lazy("您没有任何角色，无权访问。")

    def has_permission(self, request, view) -> bool:
        return can_view_somewhere(request.user)


class HasViewMembers(BasePermission):
    message = gettext_lazy("您没有任何角色，无权访问。")

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.VIEW_MEMBERS)


def _people_refs(args: dict) -> None:
    """Member ids of host, minute-taker and lecturer as members; whether the caller may name
    them is the service's question (one not found and one not visible answer alike)."""
    for field in services.PEOPLE:
        pk = args.get(field)
        if pk is None:
            continue
        member = Member.objects.filter(pk=pk).first()
        if member is None:
            raise ApplicationError(
                "member_not_found", _("党员不存在：%(id)s。") % {"id": pk}, field=field
            )
        args[field] = member


def _partner_refs(args: dict) -> None:
    """Organization ids of a joint session's partners: any active organization (a partner is
    often across the urban–rural line, outside the caller's subtree); an unknown one is a 404
    naming the field."""
    if "partners" not in args:
        return
    ids = list(dict.fromkeys(args["partners"]))
    found = Organization.objects.filter(pk__in=ids, status=OrgStatus.ACTIVE).in_bulk()
    if len(found) != len(ids):
        raise ReferenceNotFound("partners")
    args["partners"] = [found[pk] for pk in ids]


def _station_ref(user, pk):
    if pk is None:
        return None
    station = usable_stations(user).filter(pk=pk).select_related("organization").first()
    if station is None:
        raise ReferenceNotFound("station")
    return station


@extend_schema_view(
    list=extend_schema(
        summary="Sessions of organizational life in scope",
        responses={200: SessionSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One session", responses={200: SessionSerializer, **errors(401, 403, 404)}
    ),
)
class SessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Session.objects.none()
    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated, MayUseOrglife]
    filterset_class = SessionFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            selectors.session_list_for(self.request.user)
            .select_related("organization", "station", "host", "minute_taker", "lecturer")
            .prefetch_related(Prefetch("partners", queryset=Organization.objects.only("name")))
        )

    def list(self, request):
        """The page of sessions with their 应到/实到, read for the whole page at once."""
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = SessionSerializer(rows, many=True, context={"turnouts": roster.turnout_for(rows)})
        return self.get_paginated_response(data.data)

    def get_object(self) -> Session:
        return selectors.session_get_for(self.request.user, self.kwargs["pk"])

    def _managed(self) -> Session:
        session = self.get_object()
        if not can_manage(self.request.user, session):
            raise PermissionDenied
        return session

    def retrieve(self, request, pk=None):
        return Response(SessionSerializer(self.get_object()).data)

    @extend_schema(
        summary="Record a session",
        description="`organization` (MANAGE_MEMBERS on it), or `station` alone for a station's "
        "staff (the session then belongs to the station's organization). A session may be "
        "planned in the future; its attendance is recorded once it has begun.",
        request=SessionWriteSerializer,
        responses={201: SessionSerializer, **MANAGE_ERRORS},
    )
    def create(self, request):
        data = SessionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        station = _station_ref(user, args.get("station"))
        args["station"] = station
        org_id = args.get("organization")
        if org_id is not None:
            if station is not None and station.organization_id == org_id:
                args["organization"] = station.organization  # the service checks the staff
            else:
                args["organization"] = organization_ref(
                    user, org_id, field="organization", action=Action.MANAGE_MEMBERS
                )
        _people_refs(args)
        _partner_refs(args)
        session = services.session_create(actor=user, **args)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a session (its organization stays)",
        request=SessionWriteSerializer(partial=True),
        responses={200: SessionSerializer, **MANAGE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        session = self._managed()
        data = SessionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        if "organization" in args:
            raise ApplicationError(
                "not_editable", _("组织生活的党组织不能修改。"), field="organization"
            )
        if "station" in args:
            args["station"] = _station_ref(request.user, args["station"])
        if "attachment" in args and args["attachment"] is None:
            args["attachment"] = False
        _people_refs(args)
        _partner_refs(args)
        session = services.session_update(actor=request.user, session=session, **args)
        return Response(SessionSerializer(session).data)

    @extend_schema(
        summary="Delete a session entered by mistake (with its attendance; audited)",
        responses={204: None, **errors(401, 403, 404)},
    )
    def destroy(self, request, pk=None):
        session = self._managed()
        services.session_delete(actor=request.user, session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        summary="The session's attendance",
        responses={200: AttendanceSerializer(many=True), **errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Replace the session's attendance (all or nothing)",
        description="Each member must belong to the session's organization (a group's: its "
        "branch) or be a mobile member whose open spell's inflow side is that organization or "
        "the session's station. Online and offline presence are one record per member.",
        request=AttendanceWriteSerializer,
        responses={200: AttendanceSerializer(many=True), **MANAGE_ERRORS},
    )
    @action(detail=True, methods=["get", "put"], filterset_class=None, pagination_class=None)
    def attendance(self, request, pk=None):
        if request.method == "PUT":
            session = self._managed()
            data = AttendanceWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entries = [(e["member"], e["status"]) for e in data.validated_data["entries"]]
            session = services.attendance_record(
                actor=request.user,
                session=session,
                entries=entries,
                everyone=data.validated_data.get("everyone") or None,
            )
        else:
            session = self.get_object()
        rows = selectors.attendance_of(session)
        return Response(AttendanceSerializer(rows, many=True).data)


def _within(user, pk):
    if pk is None:
        return None
    from tongchou.organizations.selectors import organization_get_for

    try:
        return organization_get_for(user, pk, action=Action.VIEW_MEMBERS)
    except Http404:
        raise ReferenceNotFound("within") from None


@extend_schema_view(
    list=extend_schema(
        summary="Organizational life held vs usually expected, per organization and kind",
        description="Facts, not scores: for each organization in `within`'s subtree that holds "
        "organizational life, the sessions of each kind held in the period beside the number "
        "usually held in the part of the period that has begun (general meeting and lecture "
        "quarterly; committee meeting, group meeting and theme day monthly).",
        parameters=[PeriodQuerySerializer],
        responses={200: ExpectationSummarySerializer, **errors(400, 401, 403, 404)},
    )
)
class ExpectationViewSet(viewsets.GenericViewSet):
    queryset = Session.objects.none()
    permission_classes = [IsAuthenticated, HasViewMembers]
    serializer_class = ExpectationSummarySerializer
    pagination_class = None

    def list(self, request):
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        within = _within(request.user, data.get("within"))
        if within is None:
            within = selectors.default_within_for(request.user)
            if within is None:
                raise Http404
        summary = selectors.expectation_summary_for(
            request.user,
            within=within,
            year=data.get("year") or timezone.localdate().year,
            quarter=data.get("quarter"),
            month=data.get("month"),
        )
        return Response(ExpectationSummarySerializer(summary).data)


@extend_schema_view(
    list=extend_schema(
        summary='The "no one left behind" report (教育管理无遗漏)',
        description="Every open mobile-member spell touching `within`'s subtree (either side) in "
        "the caller's scope, with flags `no_inflow_side` and `lost_contact` (no contact or "
        "attended session for `months` months, default the deployment's setting) and with "
        "whom to act. `flag` keeps only rows with that flag; `counts` are over all rows.",
        parameters=[
            ReportQuerySerializer,
            OpenApiParameter("page", int, required=False),
        ],
        responses={200: ReportSerializer, **errors(400, 401, 403, 404)},
    )
)
class ReportViewSet(viewsets.GenericViewSet):
    queryset = Session.objects.none()
    permission_classes = [IsAuthenticated, HasViewMembers]
    serializer_class = ReportSerializer
    pagination_class = None

    def list(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        within = _within(request.user, data.get("within"))
        report = reports.left_behind_for(request.user, within=within, months=data.get("months"))
        rows = report.rows_with(data.get("flag"))
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return Response(
            {
                "months": report.months,
                "cutoff": report.cutoff,
                "counts": report.counts,
                "count": len(rows),
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": ReportRowSerializer(page, many=True).data,
            }
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="A member's attendance over a period (default: the last 12 months)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=False),
            OpenApiParameter("end", OpenApiTypes.DATE, required=False),
        ],
        responses={200: MemberAttendanceSerializer, **errors(400, 401, 404)},
    )
)
class MemberAttendanceViewSet(viewsets.GenericViewSet):
    """Every session a member attended or missed in the period, wherever it was held (at home,
    at an inflow organization or a station), with counts by status: facts, never a score. Seen
    by the member themself, by those who see the member, and by either side of their spell."""

    queryset = Session.objects.none()
    permission_classes = [IsAuthenticated]
    serializer_class = MemberAttendanceSerializer
    pagination_class = None

    def retrieve(self, request, pk=None):
        member = selectors.member_for_attendance(request.user, pk)
        form = DateRangeForm(DateRangeForm.data_from(request.query_params))
        if not form.is_valid():
            field, messages = next(iter(form.errors.items()))
            raise ApplicationError(
                "invalid", str(messages[0]), field=field if field != "__all__" else None
            )
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        facts = selectors.attendance_facts_for(request.user, member, start=start, end=end)
        rows = selectors.attendance_for_member(request.user, member, start=start, end=end)
        return Response(
            {
                "member": member.pk,
                "start": start,
                "end": end,
                "total": facts.total,
                "counts": facts.counts,
                "away": facts.away,
                "results": MemberAttendanceRowSerializer(rows, many=True).data,
            }
        )
