"""Stations and spells over REST: scoped reads (mobility.selectors), writes through
mobility.services, so the API checks the same rules as the pages."""

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import ReferenceNotFound, errors
from tongchou.members import selectors as member_selectors
from tongchou.members.models import Member
from tongchou.mobility import selectors, services
from tongchou.mobility.filters import MobileMemberFilter, StationFilter
from tongchou.mobility.models import MobileMember, ServiceStation
from tongchou.mobility.permissions import may_use_mobility
from tongchou.mobility.serializers import (
    ContactSerializer,
    ContactWriteSerializer,
    EndSerializer,
    InflowSerializer,
    OutflowSerializer,
    ReturnSerializer,
    SpellDetailSerializer,
    SpellSerializer,
    StationSerializer,
    StationWriteSerializer,
)
from tongchou.organizations.api import organization_ref
from tongchou.organizations.permissions import Action

WRITE_ERRORS = errors(400, 401, 403, 404)


class MobilityAccess(BasePermission):
    """A role, or work at a station (station staff may hold no role)."""

    message = gettext_lazy("您没有任何角色，也不是服务站工作人员，无权访问。")

    def has_permission(self, request, view) -> bool:
        return may_use_mobility(request.user)


PERMISSIONS = [IsAuthenticated, MobilityAccess]


def _station_ref(user, pk, *, field: str = "station") -> ServiceStation:
    try:
        return selectors.station_get_for(user, pk)
    except Http404:
        raise ReferenceNotFound(field) from None


@extend_schema_view(
    list=extend_schema(
        summary="Member service stations in scope (and those the caller staffs)",
        responses={200: StationSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One station", responses={200: StationSerializer, **errors(401, 403, 404)}
    ),
)
class StationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ServiceStation.objects.none()
    serializer_class = StationSerializer
    permission_classes = PERMISSIONS
    filterset_class = StationFilter

    def get_queryset(self):
        return (
            selectors.station_list_for(self.request.user)
            .select_related("organization", "region")
            .prefetch_related("staff")
        )

    def get_object(self) -> ServiceStation:
        return selectors.station_get_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(StationSerializer(self.get_object()).data)

    def _arguments(self, data: dict, station=None) -> dict:
        args = dict(data)
        if "organization" in args:
            args["organization"] = organization_ref(
                self.request.user, args["organization"], field="organization",
                action=Action.MANAGE_ORGS,
            )  # fmt: skip
        if "staff" in args:
            args["staff"] = services.users_by_username(
                args["staff"], actor=self.request.user, station=station
            )
        return args

    @extend_schema(
        summary="Set up a station (MANAGE_ORGS on its organization)",
        request=StationWriteSerializer,
        responses={201: StationSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = StationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = self._arguments(data.validated_data)
        station = services.station_create(actor=request.user, **args)
        return Response(StationSerializer(station).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a station; `staff` replaces the staff list",
        request=StationWriteSerializer(partial=True),
        responses={200: StationSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        station = self.get_object()
        data = StationWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        station = services.station_update(
            actor=request.user, station=station, **self._arguments(data.validated_data, station)
        )
        return Response(StationSerializer(station).data)


@extend_schema_view(
    list=extend_schema(
        summary="Mobile members' spells: home side or inflow side in scope, or at the "
        "caller's station",
        responses={200: SpellSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One spell, both sides and its contacts",
        responses={200: SpellDetailSerializer, **errors(401, 403, 404)},
    ),
)
class SpellViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = MobileMember.objects.none()
    serializer_class = SpellSerializer
    permission_classes = PERMISSIONS
    filterset_class = MobileMemberFilter

    def get_queryset(self):
        return selectors.mobile_list_for(self.request.user).select_related(*selectors.SPELL_RELATED)

    def get_object(self) -> MobileMember:
        return selectors.mobile_get_for(self.request.user, self.kwargs["pk"])

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:  # a list's page: its lost-contact flags in one query
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["lost_ids"] = selectors.lost_spell_ids(spell.pk for spell in args[0])
        return super().get_serializer(*args, **kwargs)

    def retrieve(self, request, pk=None):
        spell = self.get_object()
        return Response(SpellDetailSerializer(spell).data)

    def _member(self, pk) -> Member:
        user = self.request.user
        own = Member.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
        if own is not None:
            return own
        try:
            return member_selectors.member_get_for(user, pk, action=Action.MANAGE_MEMBERS)
        except Http404:
            raise ReferenceNotFound("member") from None

    def _answer(self, spell, code=status.HTTP_200_OK):
        """The spell as the caller may now see it (a member registering themself sees their
        own spell in the portal, not here: the answer is the bare spell then)."""
        visible = selectors.mobile_list_for(self.request.user).filter(pk=spell.pk).exists()
        spell = selectors.mobile_get_for(self.request.user, spell.pk) if visible else spell
        return Response(SpellSerializer(spell).data, status=code)

    @extend_schema(
        summary="Register a member going out (home side, or the member themself)",
        request=OutflowSerializer,
        responses={201: SpellSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = OutflowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["member"] = self._member(args["member"])
        spell = services.outflow_register(actor=request.user, **args)
        return self._answer(spell, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Register someone arriving, at an inflow organization or a station",
        description="The person is found by ID number across the deployment: a member with an "
        "open spell has its inflow side filled in (the same spell), a member without one gets a "
        "spell from their own organization, and someone not in the deployment is registered as "
        "an external member (name and home_text required). Only the name is ever compared.",
        request=InflowSerializer,
        responses={201: SpellSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], filterset_class=None)
    def inflow(self, request):
        data = InflowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        if args.get("inflow_org") is not None:
            args["inflow_org"] = organization_ref(
                user, args["inflow_org"], field="inflow_org", action=Action.MANAGE_MEMBERS
            )
        if args.get("station") is not None:
            args["station"] = _station_ref(user, args["station"])
        spell = services.inflow_register(actor=user, **args)
        return self._answer(spell, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Register the member's return home",
        request=ReturnSerializer,
        responses={200: SpellSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return",
            filterset_class=None)  # fmt: skip
    def return_(self, request, pk=None):
        spell = self.get_object()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spell = services.spell_return(actor=request.user, spell=spell, **data.validated_data)
        return self._answer(spell)

    @extend_schema(
        summary="End a spell for another reason (with a note)",
        request=EndSerializer,
        responses={200: SpellSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def end(self, request, pk=None):
        spell = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spell = services.spell_end(actor=request.user, spell=spell, **data.validated_data)
        return self._answer(spell)

    @extend_schema(
        summary="Record a contact with the member",
        request=ContactWriteSerializer,
        responses={201: ContactSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def contacts(self, request, pk=None):
        spell = self.get_object()
        data = ContactWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_record(actor=request.user, spell=spell, **data.validated_data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
