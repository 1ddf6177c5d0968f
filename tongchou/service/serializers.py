"""API shapes of needs: the need as read, and the bodies of intake and of each step."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.service.models import DESCRIPTION_MAX, SUMMARY_MAX, Need, ProxyService, ProxyStation


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


class NeedCreateSerializer(serializers.Serializer):
    """Staff intake, or a need raised on a household visit (``visit``: the place and address
    are the household's)."""

    category = serializers.SlugField(
        max_length=40, help_text="The category's code (the Open311 service_code)."
    )
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The village/community organization (required unless visit is given).",
    )
    visit = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A household visit the caller recorded or manages: the need is raised on it.",
    )
    summary = serializers.CharField(max_length=SUMMARY_MAX, help_text="Shown publicly.")
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True, help_text="Not public."
    )
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Not public."
    )
    resident_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Stored encrypted."
    )
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
        allow_null=True,
    )  # fmt: skip
    long = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False,
        allow_null=True,
    )  # fmt: skip


class NeedResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        max_length=DESCRIPTION_MAX, help_text="What was done (shown to the resident)."
    )


class NeedReassignSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="An active alliance unit.")
    reason = serializers.CharField(max_length=200)


class NeedMergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The need that stays (readable by the caller).")


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
