"""Pairs over REST: list, read, create, change; members and items added and removed; the
yearly summary. Reads through the scoped selectors, writes through the services (the same rules
as the pages). A pair out of scope answers 404; a visible pair the caller may not change, 403."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.core.errors import ApplicationError
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.pairing import permissions, selectors, services
from tongchou.pairing.filters import PairFilter
from tongchou.pairing.models import Pair
from tongchou.pairing.serializers import (
    PairDetailSerializer,
    PairItemRemoveSerializer,
    PairItemSerializer,
    PairItemWriteSerializer,
    PairMemberRemoveSerializer,
    PairMemberSerializer,
    PairMemberWriteSerializer,
    PairSerializer,
    PairUpdateSerializer,
    PairWriteSerializer,
    SummarySerializer,
)

WRITE_ERRORS = errors(400, 401, 403, 404)
READ_ERRORS = errors(401, 403, 404)


def _organizations(ids: list[int], field: str) -> list[Organization]:
    ids = list(ids)
    found = (
        Organization.objects.filter(pk__in=set(ids), status=OrgStatus.ACTIVE)
        .select_related("region")
        .in_bulk()
    )
    if any(pk not in found for pk in ids):
        raise ReferenceNotFound(field)
    return [found[pk] for pk in ids]


@extend_schema_view(
    list=extend_schema(
        summary="Pairs with any member in scope (both sides and their upper committees)",
        responses={200: PairSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One pair with its members and agreed items",
        responses={200: PairDetailSerializer, **READ_ERRORS},
    ),
)
class PairViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Pair.objects.none()
    serializer_class = PairSerializer
    permission_classes = SCOPED
    filterset_class = PairFilter

    def get_queryset(self):
        return selectors.with_members(selectors.pair_list_for(self.request.user)).order_by(
            "-starts_on", "-id"
        )

    def get_object(self) -> Pair:
        return selectors.pair_get_for(self.request.user, self.kwargs["pk"])

    def _managed(self) -> Pair:
        pair = self.get_object()
        if not permissions.can_manage_pair(self.request.user, pair):
            raise PermissionDenied
        return pair

    def _detail(self, pair: Pair, code: int = 200) -> Response:
        pair = selectors.pair_get_for(self.request.user, pair.pk)
        return Response(PairDetailSerializer(pair).data, status=code)

    def retrieve(self, request, pk=None):
        return Response(PairDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Register a pair (at least one urban-side and one rural-side organization)",
        request=PairWriteSerializer,
        responses={201: PairDetailSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        if not permissions.can_keep_pairs(request.user):
            raise PermissionDenied
        data = PairWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["organizations"] = _organizations(args["organizations"], "organizations")
        pair = services.pair_create(actor=request.user, **args)
        return self._detail(pair, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a pair's name, kind, period, state or notes",
        request=PairUpdateSerializer,
        responses={200: PairDetailSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        pair = self._managed()
        data = PairUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.pair_update(actor=request.user, pair=pair, **data.validated_data)
        return self._detail(pair)

    @extend_schema(
        summary="Add an organization to the pair (its side derived from its region)",
        request=PairMemberWriteSerializer,
        responses={201: PairMemberSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="members", filterset_class=None)
    def add_member(self, request, pk=None):
        pair = self._managed()
        data = PairMemberWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (org,) = _organizations([data.validated_data["organization"]], "organization")
        member = services.pair_member_add(actor=request.user, pair=pair, organization=org)
        return Response(PairMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a member (the rest must still span the urban–rural line)",
        request=PairMemberRemoveSerializer,
        responses={200: PairDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="remove-member", filterset_class=None)
    def remove_member(self, request, pk=None):
        pair = self._managed()
        data = PairMemberRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = pair.members.filter(pk=data.validated_data["member"]).first()
        if member is None:
            raise ReferenceNotFound("member")
        services.pair_member_remove(actor=request.user, pair=pair, member=member)
        return self._detail(pair)

    @extend_schema(
        summary="Add an agreed item for a year of the pair's period",
        request=PairItemWriteSerializer,
        responses={201: PairItemSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="items", filterset_class=None)
    def add_item(self, request, pk=None):
        pair = self._managed()
        data = PairItemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.pair_item_add(actor=request.user, pair=pair, **data.validated_data)
        return Response(PairItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove an agreed item",
        request=PairItemRemoveSerializer,
        responses={200: PairDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="remove-item", filterset_class=None)
    def remove_item(self, request, pk=None):
        pair = self._managed()
        data = PairItemRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = pair.items.filter(pk=data.validated_data["item"]).first()
        if item is None:
            raise ReferenceNotFound("item")
        services.pair_item_remove(actor=request.user, pair=pair, item=item)
        return self._detail(pair)

    @extend_schema(
        summary="A year of the pair: promised beside flowed, by kind and direction, with rows",
        description="Figures come from the records between the members (joint sessions, "
        "bookings, trainings, exchanges). Money has no records yet: `has_records` is false "
        "and promised money is listed with `flowed` null.",
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                description="a year of the pair's period (default: this year, within the period)",
            )
        ],
        responses={200: SummarySerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def summary(self, request, pk=None):
        pair = self.get_object()
        raw = request.query_params.get("year")
        if raw:
            if not raw.isdigit() or int(raw) not in selectors.years_of(pair):
                raise ApplicationError("invalid", "year: a year of the pair's period", field="year")
            year = int(raw)
        else:
            year = selectors.default_year(pair)
        summary = selectors.pair_summary(pair, year, viewer=request.user)
        return Response(SummarySerializer(summary).data)
