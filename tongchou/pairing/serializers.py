"""API shapes of the pairing app. Input serializers check types; the rules run in the services,
as for the pages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.pairing.models import (
    Giving,
    ItemKind,
    ItemUnit,
    Pair,
    PairItem,
    PairKind,
    PairMember,
    PairState,
)
from tongchou.regions.flows import FlowDirection

ID = {"min_value": 1, "max_value": MAX_ID}


class PairMemberSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    side_display = ChoiceLabelField(source="side")

    class Meta:
        model = PairMember
        fields = ["id", "organization", "organization_name", "side", "side_display"]
        read_only_fields = fields


class PairItemSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    direction_display = ChoiceLabelField(source="direction")
    unit_display = ChoiceLabelField(source="unit")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = PairItem
        fields = [
            "id",
            "year",
            "kind",
            "kind_display",
            "direction",
            "direction_display",
            "description",
            "quantity",
            "unit",
            "unit_display",
        ]
        read_only_fields = fields


class PairSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    members = PairMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Pair
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "starts_on",
            "ends_on",
            "state",
            "state_display",
            "notes",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PairDetailSerializer(PairSerializer):
    items = PairItemSerializer(many=True, read_only=True)

    class Meta(PairSerializer.Meta):
        fields = [*PairSerializer.Meta.fields, "items"]
        read_only_fields = fields


class PairWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PairKind.choices, default=PairKind.PAIRING)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    organizations = serializers.ListField(
        child=serializers.IntegerField(**ID),
        min_length=1,
        max_length=20,
        help_text="Organization ids: at least one urban-side and one rural-side; the caller "
        "manages at least one of them (the others may be any active organization).",
    )


class PairUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=PairKind.choices, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    state = serializers.ChoiceField(choices=PairState.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PairMemberWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="Any active organization's id.", **ID)


class PairMemberRemoveSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="The pair member's id (not the org's).", **ID)


class PairItemWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    direction = serializers.ChoiceField(choices=Giving.choices, help_text="Which side gives.")
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="≥ 0, in `unit`."
    )
    unit = serializers.ChoiceField(choices=ItemUnit.choices)


class PairItemRemoveSerializer(serializers.Serializer):
    item = serializers.IntegerField(**ID)


class MeasureSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=FlowDirection.choices)
    uses = serializers.IntegerField()
    hours = serializers.FloatField()
    people = serializers.IntegerField()
    person_days = serializers.IntegerField()


class PromiseSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    direction = serializers.ChoiceField(source="item.direction", choices=Giving.choices)
    description = serializers.CharField(source="item.description")
    quantity = serializers.DecimalField(
        source="item.quantity", max_digits=14, decimal_places=2, coerce_to_string=True
    )
    unit = serializers.ChoiceField(source="item.unit", choices=ItemUnit.choices)
    flowed = serializers.FloatField(
        allow_null=True, help_text="What flowed that way in the item's unit; null for money."
    )


class SummaryRowSerializer(serializers.Serializer):
    source = serializers.CharField(
        source="flow.source", help_text="session, booking, training or assignment"
    )
    record = serializers.IntegerField(source="flow.record_id")
    day = serializers.DateField(source="flow.day")
    until = serializers.DateField(source="flow.until", allow_null=True)
    direction = serializers.ChoiceField(source="flow.direction", choices=FlowDirection.choices)
    provider = serializers.CharField(source="flow.provider")
    user = serializers.CharField(source="flow.user")
    what = serializers.CharField()
    people = serializers.IntegerField(source="flow.people")
    hours = serializers.FloatField(source="flow.hours")
    person_days = serializers.IntegerField(source="flow.person_days")
    url = serializers.CharField(
        help_text="The record's page, when the caller may open it; else empty."
    )


class KindSummarySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    label = serializers.CharField()
    has_records = serializers.BooleanField(
        help_text="False for money: there are no fund records yet."
    )
    flowed = serializers.SerializerMethodField()
    promises = PromiseSerializer(many=True)
    rows = SummaryRowSerializer(many=True)

    @extend_schema_field(MeasureSerializer(many=True))
    def get_flowed(self, obj) -> list[dict]:
        return MeasureSerializer(
            [{"direction": d, **m.__dict__} for d, _label, m in obj.cells],
            many=True,
        ).data


class SummarySerializer(serializers.Serializer):
    pair = serializers.IntegerField(source="pair.pk")
    year = serializers.IntegerField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    kinds = KindSummarySerializer(many=True)
