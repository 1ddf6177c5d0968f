"""API shapes of the jobs platform. Input serializers check types; the rules run in the
services, as for the pages. Phones are masked; a member's personal data is read from the
member. Suggestions carry the shared skills and the distance, never a score."""

from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.jobs.models import (
    PAY_MAX,
    TEXT_MAX,
    Application,
    ApplicationEvent,
    ApplicationState,
    JobSeeker,
    Opening,
    OpeningState,
    SeekerKind,
)

ID = {"min_value": 1, "max_value": MAX_ID}
SKILLS_HELP = "Skill codes of the one taxonomy (GET /api/talent/skills/)."


class OpeningSerializer(serializers.ModelSerializer):
    poster_name = serializers.CharField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    skills = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    state_display = ChoiceLabelField(source="state")

    class Meta:
        model = Opening
        fields = [
            "id", "unit", "employer", "poster_name", "title", "region", "region_name", "address",
            "lat", "lon", "pay_min", "pay_max", "skills", "positions", "first_day", "last_day",
            "state", "state_display", "description", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class OpeningFieldsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=12, help_text="Division code of the workplace.")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    pay_min = serializers.IntegerField(min_value=0, max_value=PAY_MAX, help_text="Yuan a month.")
    pay_max = serializers.IntegerField(
        min_value=0, max_value=PAY_MAX, help_text="Yuan a month; not below pay_min."
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=32), help_text=SKILLS_HELP
    )
    positions = serializers.IntegerField(help_text="At least 1.")
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text="Not before first_day.")
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class OpeningWriteSerializer(OpeningFieldsSerializer):
    unit = serializers.IntegerField(
        required=False, help_text="An alliance unit the caller posts for.", **ID
    )
    employer = serializers.IntegerField(
        required=False, help_text="Or an enterprise's Party organization in scope.", **ID
    )


class OpeningUpdateSerializer(OpeningFieldsSerializer):
    title = serializers.CharField(max_length=100, required=False)
    region = serializers.CharField(max_length=12, required=False)
    pay_min = serializers.IntegerField(min_value=0, max_value=PAY_MAX, required=False)
    pay_max = serializers.IntegerField(min_value=0, max_value=PAY_MAX, required=False)
    skills = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    positions = serializers.IntegerField(required=False)
    first_day = serializers.DateField(required=False)
    last_day = serializers.DateField(required=False)
    state = serializers.ChoiceField(
        choices=[OpeningState.OPEN, OpeningState.CLOSED],
        required=False,
        help_text="Open or close; filled follows the hires.",
    )


# What an opening's side does not see of a seeker who applied (``permissions.sees_whole_seeker``).
PRIVATE_SEEKER_FIELDS = {"member": None, "lat": None, "lon": None, "max_km": None, "regions": []}


class SeekerSerializer(serializers.ModelSerializer):
    """The seeker; with ``context={"whole": False}`` (an opening's side) the home point, the
    member link and where they will work are left out (null / empty)."""

    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=SeekerKind.choices))
    skills = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    consenting = serializers.BooleanField(read_only=True)

    class Meta:
        model = JobSeeker
        fields = [
            "id", "member", "name", "phone", "organization", "organization_name", "kinds",
            "skills", "max_km", "regions", "lat", "lon", "available_from", "active",
            "consent_on", "consent_withdrawn_on", "consenting", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("whole", True) is False:
            data.update(PRIVATE_SEEKER_FIELDS)
        return data


class SeekerFieldsSerializer(serializers.Serializer):
    kinds = serializers.ListField(child=serializers.CharField(max_length=30))
    skills = serializers.ListField(
        child=serializers.CharField(max_length=32), help_text=SKILLS_HELP
    )
    max_km = serializers.IntegerField(min_value=0, max_value=20000, required=False, allow_null=True)
    regions = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="Division codes where they will work (with or instead of max_km).",
    )
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    available_from = serializers.DateField()
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class SeekerWriteSerializer(SeekerFieldsSerializer):
    consent_on = serializers.DateField(
        allow_null=True, help_text="The day the person agreed; without it nothing is saved."
    )
    member = serializers.IntegerField(required=False, help_text="A member in scope.", **ID)
    organization = serializers.IntegerField(
        required=False, help_text="The village (for a resident).", **ID
    )
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class SeekerUpdateSerializer(SeekerFieldsSerializer):
    kinds = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    skills = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    available_from = serializers.DateField(required=False)
    active = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ApplicationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["at", "from_state", "to_state", "note"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    seeker_name = serializers.CharField(source="seeker.name", read_only=True)
    opening_title = serializers.CharField(source="opening.title", read_only=True)
    state_display = ChoiceLabelField(source="state")

    class Meta:
        model = Application
        fields = [
            "id", "seeker", "seeker_name", "opening", "opening_title", "state", "state_display",
            "applied_on", "decided_on", "outcome", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    events = ApplicationEventSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ApplicationWriteSerializer(serializers.Serializer):
    seeker = serializers.IntegerField(help_text="A seeker the caller manages.", **ID)
    opening = serializers.IntegerField(help_text="An open opening.", **ID)
    applied_on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class StepWriteSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=ApplicationState.choices)
    outcome = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    on = serializers.DateField(required=False, allow_null=True)


class SeekerSuggestionSerializer(serializers.Serializer):
    """A seeker suggested for an opening: the shared skills and the distance, no score."""

    seeker = serializers.IntegerField(source="seeker.pk")
    name = serializers.CharField(source="seeker.name")
    organization_name = serializers.CharField(source="seeker.organization.name")
    shared_skills = serializers.ListField(child=serializers.CharField(), source="shared")
    km = serializers.FloatField(allow_null=True)


class OpeningSuggestionSerializer(serializers.Serializer):
    opening = OpeningSerializer()
    shared_skills = serializers.ListField(child=serializers.CharField(), source="shared")
    km = serializers.FloatField(allow_null=True)


class FigureSerializer(serializers.Serializer):
    openings = serializers.IntegerField()
    positions = serializers.IntegerField()
    seekers = serializers.IntegerField()
    applications = serializers.IntegerField()
    hires = serializers.IntegerField()


class MonthFigureSerializer(FigureSerializer):
    month = serializers.IntegerField()


class CountyFigureSerializer(FigureSerializer):
    organization = serializers.IntegerField(source="organization.pk")
    name = serializers.CharField(source="organization.name")
    months = MonthFigureSerializer(many=True, source="month_rows")
