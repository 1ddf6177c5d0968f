"""The talent pool, needs, exchanges, the ledger and matching rounds over REST. Reads through
the scoped selectors, writes through the services (the same rules as the pages). A referenced id
out of scope answers 404 naming the field; a visible object the caller may not change, 403."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.core.errors import ApplicationError
from tongchou.organizations.models import OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_get_for
from tongchou.talent import flows, rounds, selectors, services
from tongchou.talent.filters import AssignmentFilter, NeedFilter, TalentFilter
from tongchou.talent.models import Assignment, MatchRound, Need, Talent
from tongchou.talent.serializers import (
    AssignmentDetailSerializer,
    AssignmentSerializer,
    AssignmentWriteSerializer,
    LedgerSerializer,
    LogEntrySerializer,
    LogWriteSerializer,
    NeedSerializer,
    NeedUpdateSerializer,
    NeedWriteSerializer,
    RoundDetailSerializer,
    RoundSerializer,
    RoundWriteSerializer,
    SkillSerializer,
    StepSerializer,
    TalentSerializer,
    TalentUpdateSerializer,
    TalentWriteSerializer,
)

WRITE_ERRORS = errors(400, 401, 403, 404)
READ_ERRORS = errors(401, 403, 404)


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


def _org(user, pk, field: str, action: str = Action.MANAGE_MEMBERS):
    org = _ref(lambda: organization_get_for(user, pk, action=action), field)
    if org.status != OrgStatus.ACTIVE:
        raise ReferenceNotFound(field)
    return org


def _periods(rows) -> list[tuple]:
    return [(r["first_day"], r["last_day"]) for r in rows]


@extend_schema_view(
    list=extend_schema(
        summary="The skill taxonomy (codes used by profiles and needs)",
        responses={200: SkillSerializer(many=True), **errors(401, 403)},
    ),
)
class SkillViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SkillSerializer
    permission_classes = SCOPED
    pagination_class = None

    def get_queryset(self):
        return selectors.skill_list()


@extend_schema_view(
    list=extend_schema(
        summary="Talent profiles in scope (members and outside experts; phones masked)",
        responses={200: TalentSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(summary="One profile", responses={200: TalentSerializer, **READ_ERRORS}),
)
class TalentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Talent.objects.none()
    serializer_class = TalentSerializer
    permission_classes = SCOPED
    filterset_class = TalentFilter

    def get_queryset(self):
        return (
            selectors.talent_list_for(self.request.user)
            .select_related("member", "organization")
            .prefetch_related("skills", "regions", "availability")
            .order_by("org_path", "id")
        )

    def retrieve(self, request, pk=None):
        return Response(TalentSerializer(selectors.talent_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Add a profile: a member (member) or an outside expert (organization, name)",
        description="Skills are codes of the taxonomy; an unknown one is a 400 naming it.",
        request=TalentWriteSerializer,
        responses={201: TalentSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        from tongchou.members.selectors import member_get_for

        user = request.user
        data = TalentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        if "availability" in args:
            args["availability"] = _periods(args["availability"])
        member_id = args.pop("member", None)
        org_id = args.pop("organization", None)
        if member_id is not None:
            args.pop("name", None), args.pop("phone", None)
            member = _ref(
                lambda: member_get_for(user, member_id, action=Action.MANAGE_MEMBERS), "member"
            )
            talent = services.talent_create_for_member(actor=user, member=member, **args)
        elif org_id is not None:
            if not args.get("name"):
                raise ApplicationError("required", "name is required for an expert", field="name")
            talent = services.talent_create_expert(
                actor=user, organization=_org(user, org_id, "organization"), **args
            )
        else:
            raise ApplicationError(
                "required", "give member (a member) or organization (an expert)", field="member"
            )
        return Response(TalentSerializer(talent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a profile (the member themself, or a curator in scope)",
        request=TalentUpdateSerializer,
        responses={200: TalentSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        talent = selectors.talent_get_for(request.user, pk)
        data = TalentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        if "availability" in args:
            args["availability"] = _periods(args["availability"])
        talent = services.talent_update(actor=request.user, talent=talent, **args)
        return Response(TalentSerializer(selectors.talent_get_for(request.user, talent.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Needs for talent posted in scope",
        responses={200: NeedSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(summary="One need", responses={200: NeedSerializer, **READ_ERRORS}),
)
class NeedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Need.objects.none()
    serializer_class = NeedSerializer
    permission_classes = SCOPED
    filterset_class = NeedFilter

    def get_queryset(self):
        return (
            selectors.need_list_for(self.request.user)
            .select_related("organization", "skill")
            .order_by("-first_day", "-id")
        )

    def retrieve(self, request, pk=None):
        return Response(NeedSerializer(selectors.need_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Post a need (slots ≥ 1, the period not ending before it starts)",
        request=NeedWriteSerializer,
        responses={201: NeedSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = NeedWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["organization"] = _org(request.user, args["organization"], "organization")
        need = services.need_create(actor=request.user, **args)
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a need, or close it",
        request=NeedUpdateSerializer,
        responses={200: NeedSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        need = selectors.need_get_for(request.user, pk)
        data = NeedUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = services.need_update(actor=request.user, need=need, **data.validated_data)
        return Response(NeedSerializer(need).data)


@extend_schema_view(
    list=extend_schema(
        summary="Exchanges with either organization in scope",
        responses={200: AssignmentSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One exchange with its work log",
        responses={200: AssignmentDetailSerializer, **READ_ERRORS},
    ),
)
class AssignmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Assignment.objects.none()
    serializer_class = AssignmentSerializer
    permission_classes = SCOPED
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return (
            selectors.assignment_list_for(self.request.user)
            .select_related("talent__member", "from_org", "to_org")
            .order_by("-first_day", "-id")
        )

    def get_object(self) -> Assignment:
        return selectors.assignment_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(AssignmentDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Write an exchange (the caller manages either organization)",
        request=AssignmentWriteSerializer,
        responses={201: AssignmentSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        from tongchou.organizations.models import Organization

        user = request.user
        data = AssignmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["talent"] = _ref(lambda: selectors.talent_get_for(user, args["talent"]), "talent")
        for field in ("from_org", "to_org"):
            org = Organization.objects.filter(pk=args[field], status=OrgStatus.ACTIVE).first()
            if org is None:
                raise ReferenceNotFound(field)
            args[field] = org
        assignment = services.assignment_create(actor=user, **args)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    def _step(self, request, call):
        assignment = self.get_object()
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = call(assignment, data.validated_data)
        return Response(AssignmentDetailSerializer(assignment).data)

    @extend_schema(
        summary="planned → active",
        request=None,
        responses={200: AssignmentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def start(self, request, pk=None):
        return self._step(
            request, lambda a, d: services.assignment_start(actor=request.user, assignment=a)
        )

    @extend_schema(
        summary="active → completed, with the closing summary",
        request=StepSerializer,
        responses={200: AssignmentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.assignment_complete(
                actor=request.user, assignment=a, summary=d.get("summary", "")
            ),
        )

    @extend_schema(
        summary="planned or active → ended early (the day it ended, a summary)",
        request=StepSerializer,
        responses={200: AssignmentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="end-early", filterset_class=None)
    def end_early(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.assignment_end_early(
                actor=request.user,
                assignment=a,
                ended_on=d.get("ended_on") or timezone.localdate(),
                summary=d.get("summary", ""),
            ),
        )

    @extend_schema(
        summary="Add a work log entry (a fact of the work done)",
        request=LogWriteSerializer,
        responses={201: LogEntrySerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def log(self, request, pk=None):
        assignment = self.get_object()
        data = LogWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.log_add(actor=request.user, assignment=assignment, **data.validated_data)
        return Response(LogEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Matching rounds in scope",
        responses={200: RoundSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One round: the proposed pairs and the unfilled slots with their reasons",
        responses={200: RoundDetailSerializer, **READ_ERRORS},
    ),
)
class MatchRoundViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = MatchRound.objects.none()
    serializer_class = RoundSerializer
    permission_classes = SCOPED
    filterset_class = None

    def get_queryset(self):
        return selectors.round_list_for(self.request.user).select_related("organization")

    def get_object(self) -> MatchRound:
        return selectors.round_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(RoundDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Run a round over a committee's or working committee's subtree (exact optimum)",
        request=RoundWriteSerializer,
        responses={201: RoundDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = RoundWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = _org(
            request.user, data.validated_data["organization"], "organization", Action.MANAGE_ORGS
        )
        match = rounds.round_run(actor=request.user, organization=org)
        return Response(RoundDetailSerializer(match).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm the round: every pair becomes a planned exchange",
        request=None,
        responses={200: RoundDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        match = self.get_object()
        rounds.round_confirm(actor=request.user, match=match)
        return Response(RoundDetailSerializer(self.get_object()).data)


class LedgerView(APIView):
    permission_classes = SCOPED

    @extend_schema(
        summary="Exchanges both ways for a year (and a subtree): totals and rows",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="default: this year"),
            OpenApiParameter("org", OpenApiTypes.INT, description="either side in its subtree"),
        ],
        responses={200: LedgerSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        user = request.user
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 1950 <= int(raw) <= 2100:
            raise ApplicationError("invalid", "year: a year from 1950 to 2100", field="year")
        year = int(raw)
        org = None
        if request.query_params.get("org"):
            org = _ref(
                lambda: organization_get_for(
                    user, request.query_params["org"], action=Action.VIEW_MEMBERS
                ),
                "org",
            )
        rows = flows.assignment_flows(
            selectors.assignment_list_for(user), year=year, under_path=org.path if org else None
        )
        totals = flows.ledger(rows)["by_direction"]
        body = {
            "year": year,
            "organization": org.pk if org else None,
            "totals": [
                {"direction": d, "people": t.people, "person_days": t.person_days}
                for d, t in totals.items()
            ],
            "rows": rows,
        }
        return Response(LedgerSerializer(body).data)
