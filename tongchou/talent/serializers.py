"""API shapes of the talent app. Input serializers check types; the rules run in the services,
as for the pages. Phones are masked; a member's personal data is read from the member."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.regions.flows import FlowDirection
from tongchou.talent.models import (
    Assignment,
    ExchangeKind,
    MatchRound,
    Need,
    NeedStatus,
    Priority,
    Proposal,
    Skill,
    Talent,
    WorkLogEntry,
)

ID = {"min_value": 1, "max_value": MAX_ID}
UNFILLED_REASONS = ["no_skill", "too_far", "unavailable", "taken"]


class SkillSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "code", "name", "name_en", "label"]
        read_only_fields = fields


class AvailabilityPeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class TalentSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    skills = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    availability = AvailabilityPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Talent
        fields = [
            "id",
            "kind",
            "kind_display",
            "member",
            "name",
            "phone",
            "organization",
            "organization_name",
            "skills",
            "current_post",
            "returning",
            "max_km",
            "regions",
            "home_lat",
            "home_lon",
            "capacity",
            "availability",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProfileWriteSerializer(serializers.Serializer):
    skills = serializers.ListField(
        child=serializers.CharField(max_length=32),
        help_text="Skill codes (GET /api/talent/skills/).",
    )
    current_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    returning = serializers.BooleanField(required=False)
    max_km = serializers.IntegerField(min_value=0, max_value=20000, required=False, allow_null=True)
    home_lat = serializers.FloatField(required=False, allow_null=True)
    home_lon = serializers.FloatField(required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=0, max_value=20, required=False)
    availability = AvailabilityPeriodSerializer(many=True, required=False)
    regions = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="Division codes served (empty: by distance only).",
    )


class TalentWriteSerializer(ProfileWriteSerializer):
    member = serializers.IntegerField(
        required=False, help_text="A member in the caller's scope (a member's profile).", **ID
    )
    organization = serializers.IntegerField(
        required=False, help_text="For an outside expert: the registering organization.", **ID
    )
    name = serializers.CharField(max_length=50, required=False, help_text="Expert's name.")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class TalentUpdateSerializer(ProfileWriteSerializer):
    skills = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    active = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class NeedSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    skill = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = ChoiceLabelField(source="kind")
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = Need
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "skill",
            "kind",
            "kind_display",
            "first_day",
            "last_day",
            "place",
            "lat",
            "lon",
            "slots",
            "priority",
            "description",
            "status",
            "status_display",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class NeedWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=200)
    skill = serializers.CharField(max_length=32, help_text="A skill code.")
    kind = serializers.ChoiceField(choices=ExchangeKind.choices, required=False)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    slots = serializers.IntegerField(help_text="At least 1.")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class NeedUpdateSerializer(NeedWriteSerializer):
    organization = None
    status = serializers.ChoiceField(choices=NeedStatus.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class LogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkLogEntry
        fields = ["id", "day", "text", "created_at"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    talent_name = serializers.CharField(source="talent.name", read_only=True)
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "talent",
            "talent_name",
            "kind",
            "kind_display",
            "from_org",
            "from_org_name",
            "to_org",
            "to_org_name",
            "first_day",
            "last_day",
            "ended_on",
            "goals",
            "state",
            "state_display",
            "summary",
            "need",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssignmentDetailSerializer(AssignmentSerializer):
    log = LogEntrySerializer(many=True, read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "log"]
        read_only_fields = fields


class AssignmentWriteSerializer(serializers.Serializer):
    talent = serializers.IntegerField(**ID)
    kind = serializers.ChoiceField(choices=ExchangeKind.choices)
    from_org = serializers.IntegerField(**ID)
    to_org = serializers.IntegerField(**ID)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    goals = serializers.CharField(required=False, allow_blank=True)


class StepSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True)
    ended_on = serializers.DateField(required=False)


class LogWriteSerializer(serializers.Serializer):
    day = serializers.DateField()
    text = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer):
    talent_name = serializers.CharField(source="talent.name", read_only=True)
    need_title = serializers.CharField(source="need.title", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "talent", "talent_name", "need", "need_title", "km", "adjusted"]
        read_only_fields = fields


class UnfilledSerializer(serializers.Serializer):
    need = serializers.IntegerField()
    slots = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=UNFILLED_REASONS)
    taken_by = serializers.ListField(child=serializers.IntegerField())


class RoundSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state_display = ChoiceLabelField(source="state")

    class Meta:
        model = MatchRound
        fields = [
            "id",
            "organization",
            "organization_name",
            "state",
            "state_display",
            "priority",
            "km",
            "talents",
            "needs",
            "created_at",
        ]
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)
    unfilled = UnfilledSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "proposals", "unfilled"]
        read_only_fields = fields


class RoundWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        help_text="A committee or working committee the caller administers.", **ID
    )


class DirectionTotalsSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=FlowDirection.choices)
    people = serializers.IntegerField()
    person_days = serializers.IntegerField()


class FlowRowSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment_id")
    kind = serializers.ChoiceField(choices=ExchangeKind.choices)
    from_org = serializers.IntegerField(source="from_org_id")
    from_org_name = serializers.CharField(source="from_org")
    to_org = serializers.IntegerField(source="to_org_id")
    to_org_name = serializers.CharField(source="to_org")
    direction = serializers.ChoiceField(choices=FlowDirection.choices)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    people = serializers.IntegerField()
    person_days = serializers.IntegerField()


class LedgerSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    organization = serializers.IntegerField(allow_null=True)
    totals = DirectionTotalsSerializer(many=True)
    rows = FlowRowSerializer(many=True)
