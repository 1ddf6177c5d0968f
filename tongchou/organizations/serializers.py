"""API shapes of organizations. Input serializers only type-check; every rule is the services'."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.organizations.models import (
    ChainLink,
    Formation,
    Organization,
    OrgKind,
    OrgType,
    Role,
    Sector,
    Unit,
)
from tongchou.regions.models import UrbanRural
from tongchou.regions.serializers import RegionField


class UnitSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")

    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "kind_display", "region"]
        read_only_fields = fields


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name"]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    org_type_display = ChoiceLabelField(source="org_type")
    urban_rural_display = ChoiceLabelField(source="urban_rural")
    status_display = ChoiceLabelField(source="status")
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "org_type",
            "org_type_display",
            "sector",
            "chain_links",
            "formation",
            "region",
            "region_name",
            "urban_rural",
            "urban_rural_display",
            "parent",
            "lead",
            "path",
            "depth",
            "founded_on",
            "secretary_name",
            "status",
            "status_display",
            "dissolved_on",
        ]
        read_only_fields = fields


@extend_schema_field(OrganizationRefSerializer(allow_null=True))
class VisibleRefField(serializers.Field):
    """A related organization as ``{id, code, name}`` when it is in the caller's scope
    (``context["visible"]``, a set of ids), else null: what an out-of-scope organization is
    called is not the caller's to read (the pages hide it the same way)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)

    def to_representation(self, value):
        if value is None or value.pk not in self.context.get("visible", ()):
            return None
        return OrganizationRefSerializer(value).data


class OrganizationDetailSerializer(OrganizationSerializer):
    """One organization with its units and, for a joint organization, its lead."""

    parent = VisibleRefField(help_text="Null at the top, or when outside the caller's scope.")
    lead = VisibleRefField(help_text="Null unless joint; null when outside the caller's scope.")
    units = UnitSerializer(many=True, read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "units"]
        read_only_fields = fields


class OrganizationWriteSerializer(serializers.Serializer):
    """Attributes shared by create and update. Ids of other organizations and units are plain
    integers here; the view fetches them through the caller's scope (404 when out of scope)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    org_type = serializers.ChoiceField(choices=OrgType.choices, required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    chain_links = serializers.ListField(
        child=serializers.ChoiceField(choices=ChainLink.choices), required=False
    )
    formation = serializers.ChoiceField(choices=Formation.choices, required=False)
    region = RegionField()
    urban_rural = serializers.ChoiceField(
        choices=UrbanRural.choices, required=False, allow_blank=True
    )
    founded_on = serializers.DateField(required=False, allow_null=True)
    secretary_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    lead = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
    )


class OrganizationCreateSerializer(OrganizationWriteSerializer):
    parent = serializers.IntegerField(allow_null=True, min_value=1, max_value=MAX_ID)


class OrganizationUpdateSerializer(OrganizationWriteSerializer):
    """PATCH: any subset of the attributes (moving and dissolving have their own endpoints)."""


class MoveSerializer(serializers.Serializer):
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class DissolveSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class ChildSerializer(serializers.Serializer):
    """A child organization with counts over its whole subtree."""

    id = serializers.IntegerField(source="org.id")
    code = serializers.CharField(source="org.code")
    name = serializers.CharField(source="org.name")
    kind = serializers.CharField(source="org.kind")
    org_type = serializers.CharField(source="org.org_type")
    urban_rural = serializers.CharField(source="org.urban_rural")
    status = serializers.CharField(source="org.status")
    member_count = serializers.IntegerField(help_text="Members in the child's subtree.")
    org_count = serializers.IntegerField(
        help_text="Organizations in the child's subtree, the child itself included."
    )
    has_children = serializers.BooleanField()


class RoleSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    organization = OrganizationRefSerializer(read_only=True)
    organization_path = serializers.CharField(source="organization.path", read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Role
        fields = ["id", "kind", "kind_display", "organization", "organization_path", "actions"]
        read_only_fields = fields

    def get_actions(self, role) -> list[str]:
        from tongchou.organizations.permissions import ROLE_ACTIONS

        return sorted(ROLE_ACTIONS[role.kind])


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_superuser = serializers.BooleanField()
    roles = RoleSerializer(many=True)
