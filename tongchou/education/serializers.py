"""API shapes of member education. Input serializers check types; the rules run in the
services, as for the pages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.education.models import Course, CourseMode, StudyRecord, Training

ID = {"min_value": 1, "max_value": MAX_ID}


class CourseSerializer(serializers.ModelSerializer):
    mode_display = ChoiceLabelField(source="mode")
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "provider",
            "hours",
            "mode",
            "mode_display",
            "organization",
            "organization_name",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CourseWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        help_text="Id of the offering organization (the caller manages its members).", **ID
    )
    title = serializers.CharField(max_length=200)
    provider = serializers.CharField(max_length=100)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    mode = serializers.ChoiceField(choices=CourseMode.choices)
    description = serializers.CharField(required=False, allow_blank=True)


class CourseUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    provider = serializers.CharField(max_length=100, required=False)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)
    mode = serializers.ChoiceField(choices=CourseMode.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class StudyRecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = StudyRecord
        fields = [
            "id",
            "member",
            "member_name",
            "course",
            "training",
            "title",
            "hours",
            "studied_on",
            "created_at",
        ]
        read_only_fields = fields


class StudyRecordWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="Id of a member the caller manages.", **ID)
    course = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of a course offered to the member (title and hours default from it).",
        **ID,
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="More than 0, at most 24; the course's hours when omitted.",
    )
    studied_on = serializers.DateField(help_text="Not in the future.")


class TrainingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    station_name = serializers.CharField(
        source="station.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "skill",
            "organization",
            "organization_name",
            "station",
            "station_name",
            "held_on",
            "hours",
            "trainer",
            "place",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.name")
    organization_name = serializers.CharField(source="member.organization.name")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)


class TrainingDetailSerializer(TrainingSerializer):
    participants = serializers.SerializerMethodField()

    class Meta(TrainingSerializer.Meta):
        fields = [*TrainingSerializer.Meta.fields, "participants"]
        read_only_fields = fields

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, training) -> list[dict]:
        records = training.records.select_related("member__organization").order_by(
            "member__name", "member_id"
        )
        return ParticipantSerializer(records, many=True).data


class TrainingWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of the holding organization; omit when a station holds it.",
        **ID,
    )
    station = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of the member service station where it is held (its organization holds "
        "it; the station's staff may create it).",
        **ID,
    )
    title = serializers.CharField(max_length=200)
    skill = serializers.CharField(max_length=100, required=False, allow_blank=True)
    held_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    trainer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TrainingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    skill = serializers.CharField(max_length=100, required=False, allow_blank=True)
    held_on = serializers.DateField(required=False)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)
    trainer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ParticipantsSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(**ID),
        allow_empty=True,
        max_length=5000,
        help_text="Ids of every participant (replaces the list).",
    )
