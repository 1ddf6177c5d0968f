"""API shapes of stations and spells. Contact numbers leave the server masked; no ID number of
a spell is ever in a response (the inflow side learns a member's name, nothing more)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.mobility.models import (
    ContactChannel,
    MobileMember,
    MobilityContact,
    MobilityReason,
    MobilityStatus,
    ServiceStation,
    StationKind,
    StationService,
)
from tongchou.mobility.selectors import lost_spell_ids
from tongchou.regions.serializers import RegionField


class StationSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    staff = serializers.SerializerMethodField(help_text="Usernames of the station's staff.")

    class Meta:
        model = ServiceStation
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "organization",
            "organization_name",
            "region",
            "region_name",
            "address",
            "phone",
            "services",
            "active",
            "staff",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_staff(self, station) -> list[str]:
        return sorted(u.username for u in station.staff.all())


class StationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=StationKind.choices)
    organization = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of an organization the caller manages."
    )
    region = RegionField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=StationService.choices), required=False
    )
    active = serializers.BooleanField(required=False)
    staff = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        help_text="Usernames; on update the list replaces the staff.",
    )


class SpellSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    external = serializers.SerializerMethodField()
    home_org_name = serializers.CharField(source="home_org.name", read_only=True, default=None)
    destination_region_name = serializers.CharField(
        source="destination_region.name", read_only=True, default=None
    )
    inflow_org_name = serializers.CharField(source="inflow_org.name", read_only=True, default=None)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    reason_display = ChoiceLabelField(source="reason")
    status_display = ChoiceLabelField(source="status")
    contact = serializers.CharField(
        source="contact_masked", read_only=True, help_text="Masked, e.g. 138****5678."
    )
    no_inflow_side = serializers.SerializerMethodField(
        help_text="Open, with neither an inflow organization nor a station (无流入地管理)."
    )
    lost_contact = serializers.SerializerMethodField(
        help_text="Open, and not reached for LOST_CONTACT_MONTHS months: no contact, no "
        "attended organizational life, and gone out before then (失联, tongchou.mobility.rules; "
        "the same as the report's flag)."
    )

    class Meta:
        model = MobileMember
        fields = [
            "id",
            "name",
            "external",
            "member",
            "home_org",
            "home_org_name",
            "home_text",
            "destination_region",
            "destination_region_name",
            "destination_text",
            "since",
            "reason",
            "reason_display",
            "contact",
            "expected_return",
            "inflow_org",
            "inflow_org_name",
            "station",
            "station_name",
            "inflow_registered_on",
            "status",
            "status_display",
            "ended_on",
            "last_contact_on",
            "no_inflow_side",
            "lost_contact",
            "note",
        ]
        read_only_fields = fields

    def get_external(self, spell) -> bool:
        return spell.member_id is None

    def get_no_inflow_side(self, spell) -> bool:
        open_ = spell.status == MobilityStatus.OPEN
        return open_ and not spell.inflow_org_id and not spell.station_id

    def get_lost_contact(self, spell) -> bool:
        if spell.status != MobilityStatus.OPEN:
            return False
        lost = self.context.get("lost_ids")  # a list's page, read in one query (SpellViewSet)
        return spell.pk in (lost if lost is not None else lost_spell_ids([spell.pk]))


class ContactSerializer(serializers.ModelSerializer):
    channel_display = ChoiceLabelField(source="channel")
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = MobilityContact
        fields = ["id", "on", "channel", "channel_display", "note", "by", "created_at"]
        read_only_fields = fields


class SpellDetailSerializer(SpellSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(SpellSerializer.Meta):
        fields = [*SpellSerializer.Meta.fields, "contacts"]
        read_only_fields = fields


class OutflowSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a member the caller manages (or self)."
    )
    destination_region = RegionField(
        required=False,
        allow_null=True,
        help_text="Code of a division in the deployment; or give destination_text.",
    )
    destination_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    since = serializers.DateField()
    reason = serializers.ChoiceField(choices=MobilityReason.choices)
    contact = serializers.CharField(max_length=20, required=False, allow_blank=True)
    expected_return = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class InflowSerializer(serializers.Serializer):
    inflow_org = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    station = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    id_number = serializers.CharField(max_length=32)
    name = serializers.CharField(
        max_length=50,
        help_text="The person's name as on their ID card: required, as on the page, so that an "
        "ID number alone never reveals whose it is.",
    )
    home_text = serializers.CharField(
        max_length=200,
        help_text="The person's home organization as they state it. Asked of everyone: a "
        "refusal only for people from outside the deployment would tell which ID numbers "
        "belong to its members. Kept for a member from outside; a member found by ID number "
        "and name keeps their record's organization.",
    )
    since = serializers.DateField(help_text="Arrival date.")
    reason = serializers.ChoiceField(choices=MobilityReason.choices)
    contact = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Blank: the number already on the spell, or the phone on the member's record.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    on = serializers.DateField()


class EndSerializer(serializers.Serializer):
    on = serializers.DateField()
    note = serializers.CharField(max_length=500)


class ContactWriteSerializer(serializers.Serializer):
    on = serializers.DateField()
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
