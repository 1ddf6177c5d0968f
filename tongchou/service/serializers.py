"""API shapes of needs (read-only: the writes are the pages' and Open311's)."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.service.models import Need, ProxyService, ProxyStation


class ResidentNeedSerializer(serializers.ModelSerializer):
    state_display = ChoiceLabelField(source="state")
    intake_display = ChoiceLabelField(source="intake")
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "category",
            "category_code",
            "category_name",
            "organization",
            "organization_name",
            "intake",
            "intake_display",
            "state",
            "state_display",
            "summary",
            "description",
            "phone_masked",
            "unit",
            "unit_name",
            "ack_due",
            "resolve_due",
            "on_time",
            "escalation",
            "rating",
            "submitted_at",
            "resolved_at",
        ]
        read_only_fields = fields


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------


class ProxyStationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=ProxyService.choices), read_only=True
    )
    staff = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = ProxyStation
        fields = [
            "id",
            "name",
            "organization",
            "organization_name",
            "region",
            "address",
            "opening_hours",
            "phone",
            "services",
            "staff",
            "active",
        ]
        read_only_fields = fields


class ProxyStationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organization = serializers.IntegerField(
        min_value=1, max_value=2**62, help_text="The village's organization"
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    opening_hours = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=5), allow_empty=True, max_length=2
        ),
        required=False,
        max_length=7,
        default=list,
        help_text='Seven entries, Monday first: ["08:30", "17:30"] or [] (closed).',
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    services = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=20, help_text="ProxyService values"
    )
    staff = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=50,
        help_text="Usernames of accounts the caller manages",
    )
    active = serializers.BooleanField(required=False, default=True)
