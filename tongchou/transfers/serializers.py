"""API shapes of transfers. Inward transfers carry the incoming member's details: their ID
number and phone leave the server masked, like every member's."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.validators import MAX_ID
from tongchou.members.choices import Category, Education, Ethnicity, Gender
from tongchou.transfers.models import Transfer, TransferKind, TransferStep


class StepSerializer(serializers.ModelSerializer):
    action_display = ChoiceLabelField(source="action")
    actor = serializers.CharField(source="actor.get_username", read_only=True, default=None)

    class Meta:
        model = TransferStep
        fields = ["action", "action_display", "state_after", "actor", "at", "note"]
        read_only_fields = fields


class IncomingSerializer(serializers.Serializer):
    """The incoming member's details as stored (ID number and phone masked)."""

    name = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.CharField(allow_null=True)
    id_number = serializers.CharField(source="id_number_masked")
    phone = serializers.CharField(source="phone_masked", allow_blank=True)
    category = serializers.CharField()
    admission_date = serializers.CharField(allow_null=True)


class TransferSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    from_label = serializers.CharField(read_only=True)
    to_label = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    incoming = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "member",
            "member_name",
            "from_org",
            "from_text",
            "from_label",
            "to_org",
            "to_text",
            "to_region",
            "to_label",
            "reason",
            "needs_upper_approval",
            "upper_org",
            "letter_number",
            "letter_issued_on",
            "letter_valid_until",
            "dues_paid_to",
            "issuer_phone",
            "is_overdue",
            "version",
            "reverses",
            "incoming",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(IncomingSerializer(allow_null=True))
    def get_incoming(self, transfer) -> dict | None:
        if transfer.kind != TransferKind.INWARD or not transfer.incoming:
            return None
        return IncomingSerializer(transfer.incoming).data


class TransferDetailSerializer(TransferSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class IncomingWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    birth_date = serializers.DateField()
    id_number = serializers.CharField(max_length=32, min_length=15)  # any spelling: normalized
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    admission_date = serializers.DateField()
    full_member_date = serializers.DateField(required=False, allow_null=True)


class TransferRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TransferKind.choices)
    member = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="The member (within/outward): the caller's own record or one they manage.",
    )
    to_org = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Receiving organization (within/inward): any active organization that "
        "holds members.",
    )
    to_text = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Outward: the receiving organization's name.",
    )
    to_region = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="Outward: region code."
    )
    reason = serializers.CharField(max_length=200)
    from_text = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Inward: the sending organization outside.",
    )
    letter_number = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Inward: the number on the letter received (1–40 characters, with a digit).",
    )
    incoming = IncomingWriteSerializer(required=False, help_text="Inward: the member's details.")
    reverses = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="A completed within transfer this one reverses (going back).",
    )


class TransferStepSerializer(serializers.Serializer):
    """Every step names the ``version`` of the transfer the caller last read: if the transfer
    moved since (another person acted), the step is refused (400, code ``stale_state``)."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The transfer's `version` as the caller last read it.",
    )


class TransferNoteSerializer(TransferStepSerializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TransferApproveOutSerializer(TransferNoteSerializer):
    dues_paid_to = serializers.CharField(
        max_length=20,
        help_text="The month the member's Party dues are paid up to: `YYYY-MM`, not before the "
        "member joined, at most 12 months ahead.",
    )
    issuer_phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="When this approval issues the letter (no upper approval needed): the issuing "
        "organization's phone; default, the one on its last letter.",
    )


class TransferApproveUpperSerializer(TransferNoteSerializer):
    issuer_phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="The committee's phone printed on the letter; default, the one on its last "
        "letter.",
    )


class TransferReturnSerializer(TransferStepSerializer):
    reason = serializers.CharField(max_length=500)
