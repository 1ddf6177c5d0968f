"""API shapes of needs (read-only: the writes are the pages' and Open311's)."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.service.models import Need


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
