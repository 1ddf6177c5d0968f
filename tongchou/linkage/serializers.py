"""API shapes of supply–sales linkage. Input serializers check types; the rules run in the
services, as for the pages."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.linkage.models import (
    Buyer,
    BuyerKind,
    Lot,
    Order,
    Outlet,
    OutletSale,
    Plan,
    Producer,
    ProducerKind,
    Product,
    Reservation,
    Shipment,
)
from tongchou.linkage.planner import REASONS

ID = {"min_value": 1, "max_value": MAX_ID}
KG = {"min_value": 1, "max_value": 100_000_000}
LAT = {"min_value": -90, "max_value": 90}
LON = {"min_value": -180, "max_value": 180}


class ProductSerializer(serializers.ModelSerializer):
    grades = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "unit", "shelf_days", "grades"]
        read_only_fields = fields


class ProducerSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    village_name = serializers.CharField(source="village.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)

    class Meta:
        model = Producer
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "village",
            "village_name",
            "chain",
            "chain_name",
            "lat",
            "lon",
        ]
        read_only_fields = fields


class ProducerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ProducerKind.choices)
    village = serializers.IntegerField(help_text="Id of the village organization.", **ID)
    chain = serializers.IntegerField(help_text="Id of the industry-chain organization.", **ID)
    lat = serializers.FloatField(**LAT)
    lon = serializers.FloatField(**LON)


class LotSerializer(serializers.ModelSerializer):
    state_display = ChoiceLabelField(source="state")
    product_name = serializers.CharField(source="product.name", read_only=True)
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    last_day = serializers.DateField(read_only=True)

    class Meta:
        model = Lot
        fields = [
            "id",
            "producer",
            "producer_name",
            "product",
            "product_name",
            "grade",
            "kg",
            "harvest_on",
            "shelf_days",
            "last_day",
            "lat",
            "lon",
            "price",
            "state",
            "state_display",
            "sold_kg",
            "spoiled_kg",
            "chain",
        ]
        read_only_fields = fields


class LotWriteSerializer(serializers.Serializer):
    producer = serializers.IntegerField(**ID)
    product = serializers.IntegerField(**ID)
    kg = serializers.IntegerField(**KG)
    harvest_on = serializers.DateField()
    shelf_days = serializers.IntegerField(min_value=1, max_value=3660, required=False)
    price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    grade = serializers.CharField(max_length=20, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, **LAT)
    lon = serializers.FloatField(required=False, **LON)


class BuyerSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Buyer
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "organization",
            "organization_name",
            "lat",
            "lon",
            "max_km",
        ]
        read_only_fields = fields


class BuyerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=BuyerKind.choices)
    organization = serializers.IntegerField(**ID)
    lat = serializers.FloatField(**LAT)
    lon = serializers.FloatField(**LON)
    max_km = serializers.IntegerField(min_value=1, max_value=20_000)


class OrderSerializer(serializers.ModelSerializer):
    state_display = ChoiceLabelField(source="state")
    product_name = serializers.CharField(source="product.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "buyer",
            "buyer_name",
            "chain",
            "product",
            "product_name",
            "kg",
            "deliver_on",
            "max_price",
            "lat",
            "lon",
            "state",
            "state_display",
        ]
        read_only_fields = fields


class OrderWriteSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(**ID)
    chain = serializers.IntegerField(help_text="Id of the industry-chain organization.", **ID)
    product = serializers.IntegerField(**ID)
    kg = serializers.IntegerField(**KG)
    deliver_on = serializers.DateField()
    max_price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    lat = serializers.FloatField(required=False, **LAT)
    lon = serializers.FloatField(required=False, **LON)


class UnshippedSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    kg = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=list(REASONS))


class PlanSerializer(serializers.ModelSerializer):
    unshipped = UnshippedSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "chain",
            "start",
            "days",
            "cost_per_kg_km",
            "local_km",
            "lot_kg",
            "shipped_kg",
            "loss",
            "baseline_loss",
            "transport_cost",
            "unshipped",
            "created_at",
        ]
        read_only_fields = fields


class PlanWriteSerializer(serializers.Serializer):
    chain = serializers.IntegerField(**ID)
    start = serializers.DateField()
    days = serializers.IntegerField(min_value=1, max_value=366)
    cost_per_kg_km = serializers.DecimalField(
        max_digits=8, decimal_places=4, min_value=0, required=False
    )
    local_km = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, required=False)


class ShipmentSerializer(serializers.ModelSerializer):
    state_display = ChoiceLabelField(source="state")

    class Meta:
        model = Shipment
        fields = [
            "id",
            "plan",
            "lot",
            "order",
            "kg",
            "km",
            "delivered_price",
            "ship_on",
            "state",
            "state_display",
            "producer_confirmed_at",
            "buyer_confirmed_at",
            "delivered_kg",
            "sold_kg",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=["producer", "buyer"])


class OutcomeSerializer(serializers.Serializer):
    delivered_kg = serializers.IntegerField(min_value=0, max_value=100_000_000)
    sold_kg = serializers.IntegerField(min_value=0, max_value=100_000_000)


class ReservationSerializer(serializers.ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    bought = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Reservation
        fields = ["id", "buyer", "buyer_name", "year", "food_budget", "reserved", "bought"]
        read_only_fields = fields


class ReservationWriteSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(**ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    food_budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    reserved = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ChainRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AtRiskSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    product = serializers.CharField()
    producer = serializers.CharField()
    last_day = serializers.DateField()
    kg = serializers.IntegerField()
    unplanned_kg = serializers.IntegerField()


class OutletRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    kg = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=16, decimal_places=2)
    outlets = serializers.IntegerField(help_text="How many outlets sold it")


class OutletCellSerializer(serializers.Serializer):
    kg = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=16, decimal_places=2)


class OutletBoardProductSerializer(OutletRowSerializer):
    cells = OutletCellSerializer(many=True, help_text="Each month's sales (same order as months)")


class OutletBoardSerializer(serializers.Serializer):
    months = serializers.ListField(
        child=serializers.CharField(), help_text='Months with sales, "2026-05", in order'
    )
    products = OutletBoardProductSerializer(many=True, help_text="Per product, with its total")
    month_totals = OutletRowSerializer(many=True)
    total = OutletRowSerializer()


class SeasonBoardSerializer(serializers.Serializer):
    chain = ChainRefSerializer()
    year = serializers.IntegerField()
    today = serializers.DateField()
    days = serializers.ListField(child=serializers.DateField())
    supply = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="kg harvested per day (same order as days), by product name",
    )
    demand = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="kg ordered per delivery day, by product name",
    )
    planned = serializers.ListField(child=serializers.IntegerField())
    at_risk = AtRiskSerializer(many=True)
    outlet_sales = OutletBoardSerializer(
        help_text="Sales at rural produce outlets (乡村特产展销点) of the chain's producers in "
        "the season, month by month and by product (the season report's figures)"
    )


class LossRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    lot_kg = serializers.IntegerField()
    sold_kg = serializers.IntegerField()
    loss = serializers.FloatField(allow_null=True)
    baseline_loss = serializers.FloatField(allow_null=True)
    previous_loss = serializers.FloatField(allow_null=True)


class SeasonReportSerializer(serializers.Serializer):
    chain = ChainRefSerializer()
    year = serializers.IntegerField()
    total = LossRowSerializer()
    products = LossRowSerializer(many=True)
    villages = LossRowSerializer(many=True)
    outlet_total = OutletRowSerializer(
        help_text="Sales at rural produce outlets (乡村特产展销点) of the chain's producers, "
        "as the outlets recorded them month by month (beside the lots, not in their loss)"
    )
    outlet_products = OutletRowSerializer(many=True)
    outlet_months = OutletRowSerializer(many=True)


# --- rural produce outlets (乡村特产展销点) -------------------------------------------------------


class OutletSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        source="buyer_id", read_only=True, help_text="The buyer unit's id"
    )
    name = serializers.CharField(source="buyer.name", read_only=True)
    organization = serializers.IntegerField(source="buyer.organization_id", read_only=True)
    organization_name = serializers.CharField(source="buyer.organization.name", read_only=True)
    lat = serializers.FloatField(source="buyer.lat", read_only=True)
    lon = serializers.FloatField(source="buyer.lon", read_only=True)
    max_km = serializers.IntegerField(source="buyer.max_km", read_only=True)
    producers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    products = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "name",
            "organization",
            "organization_name",
            "lat",
            "lon",
            "max_km",
            "address",
            "opening_hours",
            "producers",
            "products",
        ]
        read_only_fields = fields


class OutletWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organization = serializers.IntegerField(**ID, help_text="A city community's organization")
    lat = serializers.FloatField(**LAT)
    lon = serializers.FloatField(**LON)
    max_km = serializers.IntegerField(min_value=1, max_value=20_000, default=40)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    opening_hours = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=5), allow_empty=True, max_length=2
        ),
        required=False,
        max_length=7,
        default=list,
        help_text='Seven entries, Monday first: ["08:30", "17:30"] or [] (closed); '
        "an empty list: no hours given.",
    )
    producers = serializers.ListField(
        child=serializers.IntegerField(**ID), required=False, max_length=500, default=list
    )
    products = serializers.ListField(
        child=serializers.IntegerField(**ID), required=False, max_length=500, default=list
    )


class OutletSaleSerializer(serializers.ModelSerializer):
    outlet_name = serializers.CharField(source="outlet.buyer.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    producer_name = serializers.CharField(
        source="producer.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = OutletSale
        fields = [
            "id",
            "outlet",
            "outlet_name",
            "month",
            "product",
            "product_name",
            "producer",
            "producer_name",
            "kg",
            "yuan",
        ]
        read_only_fields = fields


class OutletSaleWriteSerializer(serializers.Serializer):
    outlet = serializers.IntegerField(**ID)
    month = serializers.CharField(max_length=10, help_text='The month: "2026-05"')
    product = serializers.IntegerField(**ID)
    producer = serializers.IntegerField(**ID, required=False, allow_null=True, default=None)
    kg = serializers.IntegerField(max_value=10**9)
    yuan = serializers.DecimalField(max_digits=14, decimal_places=2)


class OutletSalesImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=".xlsx, .xls (also an HTML page saved as .xls), .et (WPS) or .csv (UTF-8 "
        "with or without BOM, or GBK), at most 5 MB and 2,000 rows. Columns 月份 (month), "
        "合作社 (cooperative: name or id, one the outlet carries; may be blank), 农产品 "
        "(product), 数量 (quantity), 单位 (unit: 公斤, 斤 or 吨; blank is kg), 金额 (amount, "
        "yuan); the header row is found under any title rows"
    )
    dry_run = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Check the file and say what importing it would do (200), writing nothing",
    )


class OutletSalesImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file (the header's is above)")
    month = serializers.CharField(help_text='"2026-05"')
    producer = serializers.IntegerField(allow_null=True)
    producer_name = serializers.CharField(allow_null=True)
    product = serializers.IntegerField()
    product_name = serializers.CharField()
    kg = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=16, decimal_places=2)
    action = serializers.ChoiceField(
        choices=["create", "update", "same"],
        help_text="create: a new row; update: the recorded figures for this month, cooperative "
        "and product are replaced by the file's (never added to); same: already recorded so",
    )
    previous_kg = serializers.IntegerField(allow_null=True)
    previous_yuan = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class OutletSalesImportResultSerializer(serializers.Serializer):
    written = serializers.BooleanField(help_text="False for a dry run")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = OutletSalesImportRowSerializer(many=True)
    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was skipped or ignored: title rows above the header, unknown columns.",
    )


class SalesImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class OutletSalesImportFailedSerializer(serializers.Serializer):
    """The error shape, plus every problem found (the first 200) by row and column."""

    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    error_count = serializers.IntegerField(required=False)
    errors = SalesImportErrorSerializer(many=True, required=False)
    notices = serializers.ListField(child=serializers.CharField(), required=False)
