"""The jobs platform over REST: openings, seekers, applications, suggestions and figures.
Reads through the scoped selectors, writes through the services (the same rules as the
pages). A referenced id out of scope answers 404 naming the field; a visible object the caller
may not change, 403."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.core.errors import ApplicationError
from tongchou.jobs import permissions, selectors, services
from tongchou.jobs.filters import ApplicationFilter, OpeningFilter, SeekerFilter
from tongchou.jobs.models import Application, JobSeeker, Opening
from tongchou.jobs.permissions import can_use_jobs
from tongchou.jobs.serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    CountyFigureSerializer,
    OpeningSerializer,
    OpeningSuggestionSerializer,
    OpeningUpdateSerializer,
    OpeningWriteSerializer,
    SeekerSerializer,
    SeekerSuggestionSerializer,
    SeekerUpdateSerializer,
    SeekerWriteSerializer,
    StepWriteSerializer,
)
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can

WRITE_ERRORS = errors(400, 401, 403, 404)
READ_ERRORS = errors(401, 403, 404)


class UsesJobs(BasePermission):
    """A role that sees members, or staff of an alliance unit."""

    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        return can_use_jobs(request.user)


PERMISSIONS = [IsAuthenticated, UsesJobs]


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


@extend_schema_view(
    list=extend_schema(
        summary="Openings the caller posts or manages (board=1: every open opening)",
        parameters=[OpenApiParameter("board", OpenApiTypes.BOOL, description="Open posts only")],
        responses={200: OpeningSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One opening", responses={200: OpeningSerializer, **READ_ERRORS}
    ),
)
class OpeningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Opening.objects.none()
    serializer_class = OpeningSerializer
    permission_classes = PERMISSIONS
    filterset_class = OpeningFilter

    def get_queryset(self):
        user = self.request.user
        board = self.request.query_params.get("board") in ("1", "true")
        rows = selectors.opening_board(user) if board else selectors.opening_list_for(user)
        return (
            rows.select_related("unit", "employer", "region")
            .prefetch_related("skills")
            .order_by("-created_at", "-id")
        )

    def retrieve(self, request, pk=None):
        return Response(OpeningSerializer(selectors.opening_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Post an opening for an alliance unit (unit) or an enterprise's organization "
        "(employer)",
        description="pay_min ≤ pay_max (yuan a month), positions ≥ 1, the period not ending "
        "before it starts, skills from the taxonomy: each broken rule is a 400 naming the field.",
        request=OpeningWriteSerializer,
        responses={201: OpeningSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        from tongchou.service.models import AllianceUnit

        user = request.user
        data = OpeningWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        unit_id, employer_id = args.pop("unit", None), args.pop("employer", None)
        unit = employer = None
        if unit_id is not None:
            unit = AllianceUnit.objects.filter(pk=unit_id, active=True).first()
            if unit is None or not permissions.can_post_for_unit(user, unit):
                raise ReferenceNotFound("unit")
        if employer_id is not None:
            employer = Organization.objects.filter(pk=employer_id).first()
            if employer is None or not can(user, Action.MANAGE_MEMBERS, employer.path):
                raise ReferenceNotFound("employer")
        opening = services.opening_create(actor=user, unit=unit, employer=employer, **args)
        return Response(OpeningSerializer(opening).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an opening, or open/close it",
        request=OpeningUpdateSerializer,
        responses={200: OpeningSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        opening = selectors.opening_get_for(request.user, pk)
        data = OpeningUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        opening = services.opening_update(
            actor=request.user, opening=opening, **data.validated_data
        )
        return Response(OpeningSerializer(opening).data)

    @extend_schema(
        summary="Seekers in the caller's scope suggested for the opening (shared skills, "
        "distance; no score)",
        responses={200: SeekerSuggestionSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def suggestions(self, request, pk=None):
        opening = selectors.opening_get_for(request.user, pk)
        rows = selectors.suggestions_for_opening(request.user, opening)
        return Response(SeekerSuggestionSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Job seekers of villages in scope (phones masked)",
        responses={200: SeekerSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(summary="One seeker", responses={200: SeekerSerializer, **READ_ERRORS}),
)
class SeekerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = JobSeeker.objects.none()
    serializer_class = SeekerSerializer
    permission_classes = PERMISSIONS
    filterset_class = SeekerFilter

    def get_queryset(self):
        return (
            selectors.seeker_list_for(self.request.user)
            .select_related("member", "organization")
            .prefetch_related("skills", "regions")
            .order_by("org_path", "id")
        )

    def retrieve(self, request, pk=None):
        seeker = selectors.seeker_get_for(request.user, pk)
        whole = permissions.sees_whole_seeker(request.user, seeker)
        return Response(SeekerSerializer(seeker, context={"whole": whole}).data)

    @extend_schema(
        summary="Register a seeker (a member, or a resident of a village) with their consent",
        description="consent_on is required; skills from the taxonomy; max_km (with lat/lon) "
        "and/or regions say where they will work.",
        request=SeekerWriteSerializer,
        responses={201: SeekerSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        from tongchou.members.selectors import member_get_for
        from tongchou.organizations.selectors import organization_get_for

        user = request.user
        data = SeekerWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        member_id, org_id = args.pop("member", None), args.pop("organization", None)
        if member_id is not None:
            args["member"] = _ref(
                lambda: member_get_for(user, member_id, action=Action.MANAGE_MEMBERS), "member"
            )
        elif org_id is not None:
            args["organization"] = _ref(
                lambda: organization_get_for(user, org_id, action=Action.MANAGE_MEMBERS),
                "organization",
            )
        else:
            raise ApplicationError(
                "required", "give member (a member) or organization (a resident)", field="member"
            )
        seeker = services.seeker_register(actor=user, **args)
        return Response(SeekerSerializer(seeker).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a seeker",
        request=SeekerUpdateSerializer,
        responses={200: SeekerSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        seeker = selectors.seeker_get_for(request.user, pk)
        data = SeekerUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        seeker = services.seeker_update(actor=request.user, seeker=seeker, **data.validated_data)
        return Response(SeekerSerializer(seeker).data)

    @extend_schema(
        summary="Record that the person withdrew consent (deactivated, out of suggestions)",
        request=None,
        responses={200: SeekerSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        seeker = selectors.seeker_get_for(request.user, pk)
        seeker = services.seeker_withdraw_consent(actor=request.user, seeker=seeker)
        return Response(SeekerSerializer(seeker).data)

    @extend_schema(
        summary="Open openings suggested for the seeker (shared skills, distance; no score)",
        responses={200: OpeningSuggestionSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def suggestions(self, request, pk=None):
        seeker = selectors.seeker_get_for(request.user, pk)
        rows = selectors.suggestions_for_seeker(request.user, seeker)
        return Response(OpeningSuggestionSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Applications seen from either side (the opening's or the seeker's)",
        responses={200: ApplicationSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One application with its steps",
        responses={200: ApplicationDetailSerializer, **READ_ERRORS},
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer
    permission_classes = PERMISSIONS
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return (
            selectors.application_list_for(self.request.user)
            .select_related("seeker", "seeker__member", "opening")
            .order_by("-applied_on", "-id")
        )

    def retrieve(self, request, pk=None):
        application = selectors.application_get_for(request.user, pk)
        return Response(ApplicationDetailSerializer(application).data)

    @extend_schema(
        summary="Apply for a seeker the caller manages to an open opening (once)",
        request=ApplicationWriteSerializer,
        responses={201: ApplicationDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        user = request.user
        data = ApplicationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        seeker = _ref(lambda: selectors.seeker_get_for(user, args.pop("seeker")), "seeker")
        opening = _ref(lambda: selectors.opening_board_get(user, args.pop("opening")), "opening")
        application = services.application_create(
            actor=user, seeker=seeker, opening=opening, **args
        )
        return Response(
            ApplicationDetailSerializer(application).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Move an application one step: interviewing, hired, not_hired (the opening's "
        "side) or withdrawn (the seeker's side)",
        request=StepWriteSerializer,
        responses={200: ApplicationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        application = selectors.application_get_for(request.user, pk)
        data = StepWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_step(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(ApplicationDetailSerializer(application).data)


class FiguresView(APIView):
    permission_classes = SCOPED

    @extend_schema(
        summary="Per county: openings, positions, seekers, applications and hires in a year, "
        "by month (generated from the records)",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="Default: this year")],
        responses={200: CountyFigureSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        if not can(request.user, Action.VIEW_MEMBERS):
            raise DRFPermissionDenied
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise ApplicationError("invalid", "year: a year from 2000 to 2100", field="year")
        rows = selectors.county_figures(request.user, year=int(raw))
        for row in rows:
            row["month_rows"] = [{"month": m, **v} for m, v in sorted(row["months"].items())]
        return Response(CountyFigureSerializer(rows, many=True).data)
