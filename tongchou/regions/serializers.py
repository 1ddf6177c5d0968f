from rest_framework import serializers

from tongchou.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    urban_rural_display = serializers.CharField(source="get_urban_rural_display", read_only=True)

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
