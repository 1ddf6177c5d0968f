"""Transfers over REST: scoped reads (transfers.selectors), every write one service call."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.organizations.models import Organization
from tongchou.regions.models import Region
from tongchou.transfers import selectors, services
from tongchou.transfers.filters import TransferFilter
from tongchou.transfers.models import Transfer
from tongchou.transfers.serializers import (
    TransferApproveOutSerializer,
    TransferApproveUpperSerializer,
    TransferDetailSerializer,
    TransferNoteSerializer,
    TransferRequestSerializer,
    TransferReturnSerializer,
    TransferSerializer,
)
from tongchou.transfers.views import pdf_response

STEP_ERRORS = errors(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="Transfers in scope (both sides, the upper committee, the member's own)",
        responses={200: TransferSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One transfer with its full history",
        responses={200: TransferDetailSerializer, **errors(401, 403, 404)},
    ),
)
class TransferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Transfer.objects.none()
    serializer_class = TransferSerializer
    permission_classes = SCOPED
    filterset_class = TransferFilter

    def get_object(self) -> Transfer:
        return selectors.transfer_get_for(self.request.user, self.kwargs["pk"])

    def get_queryset(self):
        return selectors.transfer_list_for(self.request.user).select_related("from_org", "to_org")

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    @extend_schema(
        summary="Request a transfer (within, outward) or register an inward one",
        description="Within/outward: `member` (the caller's own record, or one they manage) "
        "and `to_org` or `to_text`. Inward: `to_org`, `from_text`, `letter_number` and "
        "`incoming` (checked with the member rules). Refusals are 400 with `code` and `field`.",
        request=TransferRequestSerializer,
        responses={201: TransferDetailSerializer, **STEP_ERRORS},
    )
    def create(self, request):
        data = TransferRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        user = request.user
        if args.get("member"):
            args["member"] = selectors.member_for_request(user, args["member"])
        if args.get("to_org"):
            args["to_org"] = Organization.objects.filter(pk=args["to_org"]).first()
            if args["to_org"] is None:
                raise ReferenceNotFound("to_org")
        if args.get("to_region"):
            args["to_region"] = Region.objects.filter(code=args["to_region"]).first()
            if args["to_region"] is None:
                raise ReferenceNotFound("to_region")
        else:
            args["to_region"] = None
        if args.get("reverses"):
            try:
                args["reverses"] = selectors.transfer_get_for(user, args["reverses"])
            except Http404:
                raise ReferenceNotFound("reverses") from None
        transfer = services.transfer_request(actor=user, **args)
        return Response(self._detail(transfer), status=status.HTTP_201_CREATED)

    def _detail(self, transfer: Transfer) -> dict:
        """The transfer as it is now, with its history (steps and their actors read once)."""
        transfer = selectors.transfer_get_for(self.request.user, transfer.pk)
        prefetch_related_objects([transfer], Prefetch("steps", queryset=selectors.steps_of()))
        return TransferDetailSerializer(transfer).data

    def _step(self, request, service, serializer_class):
        transfer = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        service(actor=request.user, transfer=transfer, **data.validated_data)
        return Response(self._detail(transfer))

    @extend_schema(
        summary="Outflow side approves, stating the month the dues are paid up to",
        description="Issues the introduction letter (serial, date, validity, `issuer_phone`) "
        "when no upper approval is needed; otherwise the upper committee's approval does. The "
        "person who requested the transfer cannot approve it (400 `requester_cannot_approve`).",
        request=TransferApproveOutSerializer,
        responses={200: TransferDetailSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approve-out", filterset_class=None)
    def approve_out(self, request, pk=None):
        return self._step(request, services.transfer_approve_out, TransferApproveOutSerializer)

    @extend_schema(
        summary="Upper committee approves (transfers crossing counties, all outward ones); "
        "the introduction letter is issued",
        request=TransferApproveUpperSerializer,
        responses={200: TransferDetailSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approve-upper", filterset_class=None)
    def approve_upper(self, request, pk=None):
        return self._step(request, services.transfer_approve_upper, TransferApproveUpperSerializer)

    @extend_schema(
        summary="Receive the member: the transfer completes and the member's record changes",
        description="Within/inward: the receiving side. Outward: the outflow side confirms "
        "the receipt came back; the member is marked transferred out and archived.",
        request=TransferNoteSerializer,
        responses={200: TransferDetailSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        return self._step(request, services.transfer_accept, TransferNoteSerializer)

    @extend_schema(
        summary="Return (refuse) at the step the transfer waits for; a reason is required",
        request=TransferReturnSerializer,
        responses={200: TransferDetailSerializer, **STEP_ERRORS},
    )
    @action(
        detail=True, methods=["post"], url_path="return", url_name="return", filterset_class=None
    )
    def return_(self, request, pk=None):
        return self._step(request, services.transfer_return, TransferReturnSerializer)

    @extend_schema(
        summary="Cancel (the outflow side while open; the member before approval)",
        request=TransferNoteSerializer,
        responses={200: TransferDetailSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        return self._step(request, services.transfer_cancel, TransferNoteSerializer)

    @extend_schema(
        summary="The introduction letter as PDF, in Chinese (404 until one is issued)",
        description="Stub, letter and receipt on one A4 sheet, its font embedded. The ID "
        "number and phone are in full only for callers who may reveal them on either side; "
        "every download is audited.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            **errors(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def letter(self, request, pk=None):
        transfer = self.get_object()
        if not transfer.has_letter:
            raise Http404
        letter = services.transfer_letter_print(actor=request.user, transfer=transfer, medium="pdf")
        response = pdf_response(letter, transfer)
        response["Cache-Control"] = "no-store"
        return response
