"""Supply–sales linkage over REST: the catalogue, producers and lots, buyers and orders, plans,
shipments (confirm, outcome), 消费帮扶 reservations, rural produce outlets and their monthly
sales (one row, or a spreadsheet: ``outlets/{id}/sales-import/``), and per chain the season
board and the season report. Reads through the scoped selectors, writes through the services
(the same rules as the pages). A referenced id out of scope answers 404 naming the field; a
visible object the caller may not change answers 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.core.api import SCOPED, ReferenceNotFound, error_body, errors
from tongchou.linkage import importing, selectors, services
from tongchou.linkage.filters import LotFilter, OrderFilter, ShipmentFilter
from tongchou.linkage.models import (
    Buyer,
    Lot,
    Order,
    Outlet,
    OutletSale,
    Plan,
    Producer,
    Product,
    Reservation,
    Shipment,
)
from tongchou.linkage.serializers import (
    BuyerSerializer,
    BuyerWriteSerializer,
    ChainRefSerializer,
    ConfirmSerializer,
    LotSerializer,
    LotWriteSerializer,
    OrderSerializer,
    OrderWriteSerializer,
    OutcomeSerializer,
    OutletSaleSerializer,
    OutletSalesImportFailedSerializer,
    OutletSalesImportRequestSerializer,
    OutletSalesImportResultSerializer,
    OutletSaleWriteSerializer,
    OutletSerializer,
    OutletWriteSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    ProducerSerializer,
    ProducerWriteSerializer,
    ProductSerializer,
    ReservationSerializer,
    ReservationWriteSerializer,
    SeasonBoardSerializer,
    SeasonReportSerializer,
    ShipmentSerializer,
)
from tongchou.organizations.models import Organization, OrgStatus, OrgType
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_get_for

WRITE_ERRORS = errors(400, 401, 403, 404)
READ_ERRORS = errors(401, 403, 404)
LIST_ERRORS = errors(401, 403)
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The season (default this year)")


class UsesLinkage(BasePermission):
    """A role that sees members somewhere."""

    message = SCOPED[1].message

    def has_permission(self, request, view) -> bool:
        return selectors.can_use_linkage(request.user)


PERMISSIONS = [IsAuthenticated, UsesLinkage]


def _ref(fetch, field: str):
    try:
        return fetch()
    except Http404:
        raise ReferenceNotFound(field) from None


def _managed_org(user, pk, field: str) -> Organization:
    org = _ref(lambda: organization_get_for(user, pk, action=Action.MANAGE_MEMBERS), field)
    if org.status != OrgStatus.ACTIVE:
        raise ReferenceNotFound(field)
    return org


def _chain(pk, field: str = "chain") -> Organization:
    """Any active industry chain (an order may go to a chain outside the buyer's scope, a
    producer may join one outside the village's)."""
    org = Organization.objects.filter(
        pk=pk, org_type=OrgType.INDUSTRY_CHAIN, status=OrgStatus.ACTIVE
    ).first()
    if org is None:
        raise ReferenceNotFound(field)
    return org


def _product(pk) -> Product:
    return _ref(lambda: selectors.product_get(pk), "product")


def _year(request) -> int:
    try:
        year = int(request.query_params.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@extend_schema_view(
    list=extend_schema(
        summary="The product catalogue",
        responses={200: ProductSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One product", responses={200: ProductSerializer, **READ_ERRORS}
    ),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.product_list()

    def get_object(self) -> Product:
        return selectors.product_get(self.kwargs["pk"])


@extend_schema_view(
    list=extend_schema(
        summary="Producers in scope (of their village or their chain)",
        responses={200: ProducerSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One producer", responses={200: ProducerSerializer, **READ_ERRORS}
    ),
)
class ProducerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Producer.objects.none()
    serializer_class = ProducerSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.producer_list_for(self.request.user).select_related("village", "chain")

    def retrieve(self, request, pk=None):
        return Response(ProducerSerializer(selectors.producer_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Add a cooperative, family farm or village collective",
        request=ProducerWriteSerializer,
        responses={201: ProducerSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = ProducerWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        args["village"] = _ref(lambda: organization_get_for(user, args["village"]), "village")
        # Any active chain, as for orders: a village's cooperative joins a chain that
        # usually sits above the village's view (under the county).
        args["chain"] = _chain(args["chain"])
        producer = services.producer_create(actor=user, **args)
        return Response(ProducerSerializer(producer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Supply lots in scope (filters: state, product, chain, harvest days)",
        responses={200: LotSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One lot", responses={200: LotSerializer, **READ_ERRORS}),
)
class LotViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Lot.objects.none()
    serializer_class = LotSerializer
    permission_classes = PERMISSIONS
    filterset_class = LotFilter

    def get_queryset(self):
        return (
            selectors.lot_list_for(self.request.user)
            .select_related("product", "producer")
            .order_by("-harvest_on", "-id")
        )

    def retrieve(self, request, pk=None):
        return Response(LotSerializer(selectors.lot_get_for(request.user, pk)).data)

    @extend_schema(
        summary="List a lot (shelf days default to the product's)",
        request=LotWriteSerializer,
        responses={201: LotSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = LotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        args["producer"] = _ref(
            lambda: selectors.producer_get_for(user, args["producer"]), "producer"
        )
        args["product"] = _product(args["product"])
        lot = services.lot_create(actor=user, **args)
        return Response(LotSerializer(lot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close a lot after its shelf life: what was not sold is spoiled",
        request=None,
        responses={200: LotSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        lot = selectors.lot_get_for(request.user, pk)
        lot = services.lot_close(actor=request.user, lot=lot)
        return Response(LotSerializer(lot).data)


@extend_schema_view(
    list=extend_schema(
        summary="Buyer units in scope (canteens, schools, hospitals, outlets, supermarkets…)",
        responses={200: BuyerSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One buyer unit", responses={200: BuyerSerializer, **READ_ERRORS}
    ),
)
class BuyerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Buyer.objects.none()
    serializer_class = BuyerSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.buyer_list_for(self.request.user).select_related("organization")

    def retrieve(self, request, pk=None):
        return Response(BuyerSerializer(selectors.buyer_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Add a buyer unit, looked after by an organization the caller manages",
        request=BuyerWriteSerializer,
        responses={201: BuyerSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = BuyerWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args["organization"] = _managed_org(request.user, args["organization"], "organization")
        buyer = services.buyer_create(actor=request.user, **args)
        return Response(BuyerSerializer(buyer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Orders in scope (of the buyer or of the chain)",
        responses={200: OrderSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One order", responses={200: OrderSerializer, **READ_ERRORS}),
)
class OrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.none()
    serializer_class = OrderSerializer
    permission_classes = PERMISSIONS
    filterset_class = OrderFilter

    def get_queryset(self):
        return (
            selectors.order_list_for(self.request.user)
            .select_related("product", "buyer")
            .order_by("-deliver_on", "-id")
        )

    def retrieve(self, request, pk=None):
        return Response(OrderSerializer(selectors.order_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Post an order to an industry chain (delivered to the buyer, or to a point)",
        request=OrderWriteSerializer,
        responses={201: OrderSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = OrderWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        args["buyer"] = _ref(lambda: selectors.buyer_get_for(user, args["buyer"]), "buyer")
        args["chain"] = _chain(args["chain"])
        args["product"] = _product(args["product"])
        order = services.order_create(actor=user, **args)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Plans of the chains in scope",
        responses={200: PlanSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One plan", responses={200: PlanSerializer, **READ_ERRORS}),
)
class PlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Plan.objects.none()
    serializer_class = PlanSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.plan_list_for(self.request.user)

    def retrieve(self, request, pk=None):
        return Response(PlanSerializer(selectors.plan_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Plan a horizon of a chain: the exact plan over its listed lots and open orders",
        request=PlanWriteSerializer,
        responses={201: PlanSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = PlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        args["chain"] = _ref(lambda: selectors.chain_get_for(user, args["chain"]), "chain")
        plan = services.plan_create(actor=user, **args)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Shipments in scope (the chain's, the lot's village's or the buyer's)",
        responses={200: ShipmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One shipment", responses={200: ShipmentSerializer, **READ_ERRORS}
    ),
)
class ShipmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Shipment.objects.none()
    serializer_class = ShipmentSerializer
    permission_classes = PERMISSIONS
    filterset_class = ShipmentFilter

    def get_queryset(self):
        return selectors.shipment_list_for(self.request.user).order_by("-ship_on", "-id")

    def retrieve(self, request, pk=None):
        return Response(ShipmentSerializer(selectors.shipment_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Confirm a proposed shipment for one side (once per side)",
        request=ConfirmSerializer,
        responses={200: ShipmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        shipment = selectors.shipment_get_for(request.user, pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.shipment_confirm(
            actor=request.user, shipment=shipment, side=data.validated_data["side"]
        )
        return Response(ShipmentSerializer(shipment).data)

    @extend_schema(
        summary="Record what was delivered and sold (once; never more than shipped)",
        request=OutcomeSerializer,
        responses={200: ShipmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def outcome(self, request, pk=None):
        shipment = selectors.shipment_get_for(request.user, pk)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.shipment_record_outcome(
            actor=request.user, shipment=shipment, **data.validated_data
        )
        return Response(ShipmentSerializer(shipment).data)


@extend_schema_view(
    list=extend_schema(
        summary="消费帮扶 reservations in scope: reserved vs bought (delivered and accepted)",
        responses={200: ReservationSerializer(many=True), **LIST_ERRORS},
    ),
)
class ReservationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Reservation.objects.none()
    serializer_class = ReservationSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.reservation_list_for(self.request.user).select_related("buyer")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        for facts in selectors.reservation_facts(page):
            facts.reservation.bought = facts.bought
        return self.get_paginated_response(ReservationSerializer(page, many=True).data)

    @extend_schema(
        summary="Reserve part of a buyer's food budget for a year (set or change)",
        request=ReservationWriteSerializer,
        responses={201: ReservationSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = ReservationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        args["buyer"] = _ref(lambda: selectors.buyer_get_for(user, args["buyer"]), "buyer")
        row = services.reservation_set(actor=user, **args)
        (facts,) = selectors.reservation_facts([row])
        row.bought = facts.bought
        return Response(ReservationSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Industry-chain organizations in scope",
        responses={200: ChainRefSerializer(many=True), **LIST_ERRORS},
    ),
)
class ChainViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Organization.objects.none()
    serializer_class = ChainRefSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.chain_list_for(self.request.user)

    @extend_schema(
        summary="The season board: lots by harvest day, orders by delivery day, the plans, "
        "what is at risk of spoiling this week",
        parameters=[YEAR],
        responses={200: SeasonBoardSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def board(self, request, pk=None):
        data = selectors.season_board_for(
            request.user, pk, year=_year(request), today=timezone.localdate()
        )
        return Response(SeasonBoardSerializer(data).data)

    @extend_schema(
        summary="The season's unsold loss beside the uncoordinated baseline and the previous "
        "season, per product, village and for the chain",
        parameters=[YEAR],
        responses={200: SeasonReportSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def report(self, request, pk=None):
        report = selectors.season_report_for(request.user, pk, year=_year(request))
        return Response(
            SeasonReportSerializer(
                {
                    "chain": {"id": report.chain.pk, "name": report.chain.name},
                    "year": report.year,
                    "total": report.total.as_dict(),
                    "products": [r.as_dict() for r in report.products],
                    "villages": [r.as_dict() for r in report.villages],
                    "outlet_total": report.outlet_total.as_dict(),
                    "outlet_products": [r.as_dict() for r in report.outlet_products],
                    "outlet_months": [r.as_dict() for r in report.outlet_months],
                }
            ).data
        )


# --- rural produce outlets (乡村特产展销点) -------------------------------------------------------


def _producers(ids, field: str = "producers") -> list[Producer]:
    """Producers an outlet carries: any producer (cooperatives are public businesses; what
    they hold stays in their scope). An unknown id answers 404 naming the field."""
    found = {p.pk: p for p in Producer.objects.filter(pk__in=list(ids))}
    if len(found) != len(set(ids)):
        raise ReferenceNotFound(field)
    return [found[pk] for pk in dict.fromkeys(ids)]


def _products(ids) -> list[Product]:
    found = {p.pk: p for p in selectors.product_list().filter(pk__in=list(ids))}
    if len(found) != len(set(ids)):
        raise ReferenceNotFound("products")
    return [found[pk] for pk in dict.fromkeys(ids)]


def _outlet_args(user, data) -> dict:
    args = dict(data.validated_data)
    args["organization"] = _managed_org(user, args["organization"], "organization")
    args["producers"] = _producers(args["producers"])
    args["products"] = _products(args["products"])
    args["opening_hours"] = [entry or None for entry in args["opening_hours"]]
    return args


@extend_schema_view(
    list=extend_schema(
        summary="Rural produce outlets (乡村特产展销点) in scope, or carrying a producer in scope",
        responses={200: OutletSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One outlet", responses={200: OutletSerializer, **READ_ERRORS}),
)
class OutletViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """An outlet is a buyer unit of kind ``outlet`` (its id is the buyer's) with what it
    carries and its opening hours."""

    queryset = Outlet.objects.none()
    serializer_class = OutletSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return (
            selectors.outlet_list_for(self.request.user)
            .select_related("buyer", "buyer__organization")
            .prefetch_related("producers", "products")
            .order_by("buyer__name", "buyer_id")
        )

    def retrieve(self, request, pk=None):
        return Response(OutletSerializer(selectors.outlet_get_for(request.user, pk)).data)

    @extend_schema(
        summary="Add an outlet in a city community the caller manages",
        request=OutletWriteSerializer,
        responses={201: OutletSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = OutletWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outlet = services.outlet_create(actor=request.user, **_outlet_args(request.user, data))
        return Response(OutletSerializer(outlet).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an outlet (every field given, as on its page)",
        request=OutletWriteSerializer,
        responses={200: OutletSerializer, **WRITE_ERRORS},
    )
    def update(self, request, pk=None):
        outlet = selectors.outlet_get_for(request.user, pk)
        data = OutletWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outlet = services.outlet_update(
            actor=request.user, outlet=outlet, **_outlet_args(request.user, data)
        )
        return Response(OutletSerializer(outlet).data)

    @extend_schema(
        summary="Import an outlet's monthly sales from a spreadsheet (all or nothing)",
        description="Every row is checked with the rules of a single sale; if any row is wrong "
        "nothing is written and the answer lists every problem by row and column. A row for a "
        "month, cooperative and product already recorded replaces the recorded figures (never "
        "added to them); two rows of one file for the same are an error. By whoever may record "
        "the outlet's sales (its organization).",
        request={"multipart/form-data": OutletSalesImportRequestSerializer},
        responses={
            200: OutletSalesImportResultSerializer,
            201: OutletSalesImportResultSerializer,
            400: OutletSalesImportFailedSerializer,
            **errors(401, 403, 404),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="sales-import",
        url_name="sales-import",
        parser_classes=[MultiPartParser],
    )
    def sales_import(self, request, pk=None):
        user = request.user
        outlet = selectors.outlet_get_for(user, pk)
        if not services.can_buy(user, outlet.buyer.org_path):
            raise PermissionDenied
        data = OutletSalesImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filename, rows, notices = importing.read_sales_file(data.validated_data["file"])
        dry_run = data.validated_data["dry_run"]
        result = services.outlet_sales_import(
            actor=user, outlet=outlet, rows=rows, filename=filename, commit=not dry_run
        )
        if result.errors:
            body = error_body(
                "import_failed",
                _("文件中有%(n)s处错误，未导入任何数据。") % {"n": len(result.errors)},
                "file",
            )
            body["error_count"] = len(result.errors)
            body["errors"] = [
                {"row": e.row, "column": e.column, "message": e.message}
                for e in result.shown_errors
            ]
            body["notices"] = notices
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "written": result.written,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rows": [row.as_dict() for row in result.rows],
            "notices": notices,
        }
        answer = OutletSalesImportResultSerializer(body).data
        return Response(answer, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Monthly outlet sales in scope (of the outlet's organization or the producer)",
        responses={200: OutletSaleSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One month's sales row", responses={200: OutletSaleSerializer, **READ_ERRORS}
    ),
)
class OutletSaleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = OutletSale.objects.none()
    serializer_class = OutletSaleSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return (
            selectors.outlet_sale_list_for(self.request.user)
            .select_related("outlet__buyer", "product", "producer")
            .order_by("-month", "outlet_id", "product_id", "id")
        )

    def retrieve(self, request, pk=None):
        return Response(OutletSaleSerializer(selectors.outlet_sale_get_for(request.user, pk)).data)

    def _args(self, request, data) -> dict:
        args = dict(data.validated_data)
        user = request.user
        args["outlet"] = _ref(lambda: selectors.outlet_get_for(user, args["outlet"]), "outlet")
        args["product"] = _product(args["product"])
        if args.get("producer") is not None:
            args["producer"] = _producers([args["producer"]], "producer")[0]
        return args

    @extend_schema(
        summary="Record a month's sales of a product at an outlet (once per outlet, month, "
        "product and producer)",
        request=OutletSaleWriteSerializer,
        responses={201: OutletSaleSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = OutletSaleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sale = services.outlet_sale_record(actor=request.user, **self._args(request, data))
        return Response(OutletSaleSerializer(sale).data, status=status.HTTP_201_CREATED)
