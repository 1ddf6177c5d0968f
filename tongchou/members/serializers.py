"""API shapes of members. ID numbers and phones leave the server masked; the unmasked values
are only ever returned by the audited reveal endpoint. Input serializers type-check; the member
rules (members.rules) run inside the services, the same as for pages and imports."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus
from tongchou.members.models import ImportJob, Member
from tongchou.members.rules import HAND_SET_STATUSES
from tongchou.regions.serializers import RegionField


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        source="id_number_masked", read_only=True, help_text="Masked, e.g. 640202********1234."
    )
    phone = serializers.CharField(
        source="phone_masked", read_only=True, help_text="Masked, e.g. 138****5678."
    )
    gender_display = ChoiceLabelField(source="gender")
    ethnicity_display = ChoiceLabelField(source="ethnicity")
    education_display = ChoiceLabelField(source="education")
    category_display = ChoiceLabelField(source="category")
    status_display = ChoiceLabelField(source="status")
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "gender_display",
            "ethnicity",
            "ethnicity_display",
            "birth_date",
            "id_number",
            "phone",
            "education",
            "education_display",
            "occupation",
            "category",
            "category_display",
            "admission_date",
            "full_member_date",
            "organization",
            "organization_name",
            "status",
            "status_display",
            "home_region",
            "archived",
            "archived_at",
        ]
        read_only_fields = fields


class MemberWriteSerializer(serializers.Serializer):
    """Typed input for create (all required fields) and PATCH (any subset)."""

    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        help_text="Read off the ID number when left out; when given it must agree with it.",
    )
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    birth_date = serializers.DateField(
        required=False,
        help_text="Read off the ID number when left out; when given it must agree with it.",
    )
    id_number = serializers.CharField(
        max_length=32,
        min_length=15,
        trim_whitespace=True,
        help_text="18 characters; full-width digits, spaces or dashes inside are accepted.",
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    admission_date = serializers.DateField()
    full_member_date = serializers.DateField(required=False, allow_null=True)
    organization = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of an organization the caller manages members of.",
    )
    status = serializers.ChoiceField(
        choices=[(v, label) for v, label in MemberStatus.choices if v in HAND_SET_STATUSES],
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(input)s”不能手工设置：可设置“正常”或“已去世”；“流动”随流动党员登记变化，"
                "“已转出”随组织关系转接变化。"
            )
        },
        help_text="Only the statuses a person sets by hand (members.rules.HAND_SET_STATUSES): "
        "mobile follows the mobility spells, transferred_out follows transfers.",
    )
    home_region = RegionField(required=False, allow_null=True)


class ArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=".xlsx, .xls, .et (WPS) or .csv (UTF-8 with or without BOM, or GBK); the "
        "header row is found under any title rows, unknown columns are ignored (see notices)"
    )
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Default organization for rows that name no organization (by code or name).",
    )
    background = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Queue the import as a job (202) instead of answering when it is done; for "
        "large files. Follow it at /api/members/imports/{id}/.",
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True, allow_null=True)
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    total = serializers.IntegerField()
    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was skipped or ignored: title rows above the header, unknown columns.",
    )


class ImportFailedSerializer(serializers.Serializer):
    """The error shape, plus every problem found (the first 1,000) by row and column."""

    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    error_count = serializers.IntegerField(required=False)
    errors = RowErrorSerializer(many=True, required=False)
    notices = serializers.ListField(child=serializers.CharField(), required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    """A queued or finished import. ``errors`` lists the first 1,000 problems found."""

    status_display = ChoiceLabelField(source="status")
    percent = serializers.IntegerField(read_only=True)
    finished = serializers.BooleanField(read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "status",
            "status_display",
            "finished",
            "percent",
            "total",
            "done",
            "created_count",
            "error_count",
            "errors",
            "message",
            "notices",
            "default_org",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, job) -> list[dict]:
        return [
            {"row": row, "column": column, "message": message}
            for row, column, message in (job.errors or [])[:1000]
        ]
