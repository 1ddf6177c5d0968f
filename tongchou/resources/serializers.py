"""API shapes of shared resources and bookings. Input serializers check types; the rules run
in the services, as for the pages."""

from django.urls import reverse
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.regions.flows import FlowDirection
from tongchou.resources.models import (
    Bookers,
    Booking,
    Resource,
    ResourceKind,
    ResourcePhoto,
    ResourceStatus,
    Visibility,
)

ID = {"min_value": 1, "max_value": MAX_ID}


class ResourcePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ResourcePhoto
        fields = ["id", "caption", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return reverse("resources:photo", args=[photo.resource_id, photo.pk])


class ResourceSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    status_display = ChoiceLabelField(source="status")
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    trainer = serializers.CharField(source="trainer_label", read_only=True)
    photos = ResourcePhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "owner",
            "owner_name",
            "region",
            "region_name",
            "address",
            "latitude",
            "longitude",
            "status",
            "status_display",
            "capacity",
            "topics",
            "member",
            "trainer",
            "description",
            "visibility",
            "bookers",
            "auto_confirm",
            "opening_hours",
            "closed_on_days_off",
            "lead_hours",
            "max_minutes",
            "monthly_quota",
            "buffer_before",
            "buffer_after",
            "hold_hours",
            "photos",
        ]
        read_only_fields = fields


class ResourceUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    region = serializers.CharField(max_length=12, required=False, help_text="Region code.")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-90, max_value=90
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        min_value=-180,
        max_value=180,
    )
    status = serializers.ChoiceField(choices=ResourceStatus.choices, required=False)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    topics = serializers.CharField(max_length=300, required=False, allow_blank=True)
    member = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of the member who is the trainer.", **ID
    )
    person_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    bookers = serializers.ChoiceField(choices=Bookers.choices, required=False)
    allowed_orgs = serializers.ListField(
        child=serializers.IntegerField(**ID), required=False, max_length=500
    )
    auto_confirm = serializers.BooleanField(required=False)
    opening_hours = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=5), allow_empty=True, max_length=2
        ),
        required=False,
        max_length=7,
        help_text='Seven entries, Monday first: ["08:30", "17:30"] or [] (closed); '
        "an empty list: open at every hour.",
    )
    closed_on_days_off = serializers.BooleanField(required=False)
    lead_hours = serializers.IntegerField(required=False, min_value=0, max_value=24 * 365)
    max_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    monthly_quota = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    buffer_before = serializers.IntegerField(required=False, min_value=0, max_value=24 * 60)
    buffer_after = serializers.IntegerField(required=False, min_value=0, max_value=24 * 60)
    hold_hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 30)


class ResourceWriteSerializer(ResourceUpdateSerializer):
    owner = serializers.IntegerField(
        help_text="Id of the owning organization (the caller manages it).", **ID
    )
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    name = serializers.CharField(max_length=200)


class BookingSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    direction_display = ChoiceLabelField(source="direction")
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "resource",
            "resource_name",
            "kind",
            "kind_display",
            "organization",
            "organization_name",
            "starts_at",
            "ends_at",
            "purpose",
            "people",
            "state",
            "state_display",
            "expires_at",
            "reason",
            "direction",
            "direction_display",
            "series",
            "session",
            "training",
            "created_at",
        ]
        read_only_fields = fields


class BookingWriteSerializer(serializers.Serializer):
    resource = serializers.IntegerField(help_text="Id of a resource visible to the caller.", **ID)
    organization = serializers.IntegerField(
        help_text="Id of the booking organization (the caller manages it).", **ID
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    purpose = serializers.CharField(max_length=200)
    people = serializers.IntegerField(min_value=0, max_value=100000)


class SeriesWriteSerializer(BookingWriteSerializer):
    repeat = serializers.ChoiceField(choices=[("weekly", "weekly"), ("monthly", "monthly")])
    count = serializers.IntegerField(min_value=1, max_value=52)
    mode = serializers.ChoiceField(
        choices=["check", "free", "all"],
        help_text="check: book nothing, say which occurrences conflict; free: book the free "
        "ones; all: all or none.",
    )


class SkippedSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    code = serializers.CharField()
    message = serializers.CharField()


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SeriesResultSerializer(serializers.Serializer):
    series = serializers.CharField(help_text="Empty for mode=check.")
    booked = BookingSerializer(many=True, help_text="Booked now (none for mode=check).")
    free = SlotSerializer(many=True, help_text="Occurrences that are (or were) free.")
    skipped = SkippedSerializer(many=True, help_text="Occurrences not booked, and why.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BusySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    state = serializers.CharField()
    booking = serializers.IntegerField(allow_null=True, help_text="Only for bookings in scope.")
    organization_name = serializers.CharField(allow_null=True)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    opens = serializers.CharField(allow_null=True)
    closes = serializers.CharField(allow_null=True)
    day_off = serializers.BooleanField()
    busy = BusySerializer(many=True)


class WeekSerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    days = DaySerializer(many=True)


class FlowCellSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Month (YYYY-MM-01) or kind; empty for totals.")
    direction = serializers.ChoiceField(choices=FlowDirection.choices)
    uses = serializers.IntegerField()
    hours = serializers.FloatField()
    people = serializers.IntegerField()
    person_days = serializers.IntegerField(help_text="Exchanges' days served; 0 for bookings.")


class FlowReportSerializer(serializers.Serializer):
    organization = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField()
    totals = FlowCellSerializer(many=True)
    months = FlowCellSerializer(many=True)
    kinds = FlowCellSerializer(many=True)
