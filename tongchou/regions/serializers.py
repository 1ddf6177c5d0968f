from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.regions.models import Region


class RegionField(serializers.PrimaryKeyRelatedField):
    """A division by its code; a code with a NUL is simply not one (PostgreSQL refuses a NUL
    in a query: the lookup crashed instead of answering "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Region.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", pk_value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class RegionSerializer(serializers.ModelSerializer):
    level_display = ChoiceLabelField(source="level")
    kind_display = ChoiceLabelField(source="kind")
    urban_rural_display = ChoiceLabelField(source="urban_rural")

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "kind",
            "kind_display",
            "urban_rural",
            "urban_rural_display",
        ]
        read_only_fields = fields
