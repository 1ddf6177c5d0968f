"""The member's own record over REST (``/api/me/…``): a summary, and the member's own
requests. Any signed-in user may call them (no role needed); the record is the one linked to the
login, never another. A login without a record reads ``linked: false`` and its requests answer
400 ``no_member``."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core.api import errors
from tongchou.core.api.fields import ChoiceLabelField
from tongchou.core.errors import ApplicationError
from tongchou.mobility.models import MobilityReason
from tongchou.portal import selectors
from tongchou.portal.forms import ArrivedForm, GoingOutForm, TransferRequestForm
from tongchou.transfers.models import TransferState

ERRORS = errors(400, 401, 403)


class _TransferSummary(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    state_display = ChoiceLabelField(source="state", choices=TransferState.choices)
    to = serializers.SerializerMethodField()

    def get_to(self, transfer) -> str:
        return transfer.to_org.name if transfer.to_org_id else transfer.to_text


class _SpellSummary(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    since = serializers.DateField()
    destination = serializers.SerializerMethodField()
    inflow = serializers.SerializerMethodField()

    def get_destination(self, spell) -> str:
        return (
            spell.destination_region.name if spell.destination_region_id else spell.destination_text
        )

    def get_inflow(self, spell) -> str:
        if spell.station_id:
            return spell.station.name
        return spell.inflow_org.name if spell.inflow_org_id else ""


class _StudySummary(serializers.Serializer):
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    standard = serializers.IntegerField()
    text = serializers.CharField(help_text='A fact, e.g. "18 / 32" (hours / yearly standard).')


class _Member(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked", help_text="Masked.")
    phone = serializers.CharField(source="phone_masked", help_text="Masked.")
    category = serializers.CharField()
    status = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")


class OwnSummarySerializer(serializers.Serializer):
    linked = serializers.BooleanField(help_text="Whether a member record is linked to the login.")
    member = _Member(allow_null=True)
    open_transfer = _TransferSummary(allow_null=True)
    open_spell = _SpellSummary(allow_null=True)
    study = _StudySummary(allow_null=True)


class OwnTransferRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="`within` (an organization in this deployment, by code) or `outward` (one "
        "outside it, by name and region)."
    )
    to_org = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the receiving organization (within)."
    )
    to_text = serializers.CharField(
        required=False, allow_blank=True, help_text="Name of the receiving organization (outward)."
    )
    to_region = serializers.CharField(required=False, allow_blank=True, help_text="Region code.")
    reason = serializers.CharField()


class OwnGoingOutSerializer(serializers.Serializer):
    destination_region = serializers.CharField(required=False, allow_blank=True)
    destination_text = serializers.CharField(required=False, allow_blank=True)
    since = serializers.DateField()
    reason = serializers.ChoiceField(choices=MobilityReason.choices)
    contact = serializers.CharField(required=False, allow_blank=True)
    expected_return = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class OwnArrivedSerializer(serializers.Serializer):
    station = serializers.IntegerField(required=False, allow_null=True, help_text="Station id.")
    inflow_org = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the inflow organization."
    )
    since = serializers.DateField()
    reason = serializers.ChoiceField(choices=MobilityReason.choices)
    contact = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


def _summary(user) -> dict:
    member = selectors.own_member(user)
    if member is None:
        return {"linked": False, "member": None, "open_transfer": None, "open_spell": None,
                "study": None}  # fmt: skip
    facts = selectors.summary_for(member, today=timezone.localdate())
    study = facts["study"]
    return {
        "linked": True,
        "member": _Member(member).data,
        "open_transfer": _TransferSummary(facts["open_transfer"]).data
        if facts["open_transfer"]
        else None,
        "open_spell": _SpellSummary(facts["open_spell"]).data if facts["open_spell"] else None,
        "study": {
            "year": study.year,
            "hours": str(study.hours),
            "standard": study.standard,
            "text": study.text,
        },
    }


def _own(user):
    member = selectors.own_member(user)
    if member is None:
        raise ApplicationError("no_member", _("您的登录账号没有关联党员记录。"))
    return member


def _form_data(form_class, data: dict, **kwargs):
    """The page's form checks the codes (organization, region, station) the same way."""
    form = form_class({k: ("" if v is None else v) for k, v in data.items()}, **kwargs)
    if not form.is_valid():
        fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
        field, messages = next(iter(fields.items()))
        raise ApplicationError(
            "invalid",
            messages[0],
            field=None if field == "__all__" else field,
            extra={"fields": fields},
        )
    return form


class OwnSummaryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My member record: summary (masked), open transfer, spell away, study hours",
        responses={200: OwnSummarySerializer, **errors(401)},
    )
    def get(self, request):
        return Response(_summary(request.user))


class OwnTransferView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Request a transfer of my own organizational relation",
        request=OwnTransferRequestSerializer,
        responses={201: OwnSummarySerializer, **ERRORS},
    )
    def post(self, request):
        from tongchou.transfers.services import transfer_request

        member = _own(request.user)
        data = OwnTransferRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = _form_data(TransferRequestForm, data.validated_data)
        transfer_request(actor=request.user, member=member, **form.service_kwargs())
        selectors.forget_own_member(request.user)
        return Response(_summary(request.user), status=status.HTTP_201_CREATED)


class OwnGoingOutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Register myself going out (work, study …)",
        request=OwnGoingOutSerializer,
        responses={201: OwnSummarySerializer, **ERRORS},
    )
    def post(self, request):
        from tongchou.mobility.services import outflow_register

        member = _own(request.user)
        data = OwnGoingOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = _form_data(GoingOutForm, data.validated_data)
        outflow_register(actor=request.user, member=member, **form.cleaned_data)
        selectors.forget_own_member(request.user)
        return Response(_summary(request.user), status=status.HTTP_201_CREATED)


class OwnArrivedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Register myself arrived at an inflow organization or member service station",
        request=OwnArrivedSerializer,
        responses={201: OwnSummarySerializer, **ERRORS},
    )
    def post(self, request):
        from tongchou.mobility.services import inflow_register

        member = _own(request.user)
        data = OwnArrivedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = _form_data(ArrivedForm, data.validated_data)
        inflow_register(
            actor=request.user,
            id_number=member.id_number,
            name=member.name,
            **form.cleaned_data,
        )
        selectors.forget_own_member(request.user)
        return Response(_summary(request.user), status=status.HTTP_201_CREATED)
