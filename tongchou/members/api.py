"""Members over REST: scoped reads (members.selectors), writes through members.services, so the
API checks the same rules as the pages and the importer. Personal numbers are masked in every
response except the audited reveal endpoint."""

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from tongchou.core.api import SCOPED, error_body, errors
from tongchou.members import importing, selectors, services
from tongchou.members.filters import MemberFilter
from tongchou.members.id_numbers import spend_lookup
from tongchou.members.models import ImportJob, Member
from tongchou.members.serializers import (
    ArchiveSerializer,
    ImportFailedSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    LookupSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    RevealSerializer,
)
from tongchou.organizations.api import organization_ref
from tongchou.organizations.permissions import Action, can

MANAGE_ERRORS = errors(400, 401, 403, 404)
LIST_COLUMNS = [
    "id", "name", "gender", "ethnicity", "birth_date", "id_number_enc", "phone_enc", "education",
    "occupation", "category", "admission_date", "full_member_date", "organization",
    "organization__name", "status", "home_region", "archived", "archived_at",
]  # fmt: skip
MAX_ERRORS_SHOWN = 1000
SYNC_MAX_SECONDS = 25  # gunicorn kills a worker after 30 s


@extend_schema_view(
    list=extend_schema(
        summary="Members in scope (ID numbers and phones masked)",
        responses={200: MemberSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One member (masked)", responses={200: MemberSerializer, **errors(401, 403, 404)}
    ),
)
class MemberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Member.objects.none()  # the real one is per caller: get_queryset
    serializer_class = MemberSerializer
    permission_classes = SCOPED
    filterset_class = MemberFilter

    def get_queryset(self):
        # Only the columns the list serializes: 50 rows of the member and its organization's
        # every column cost as much to build as to serialize.
        return (
            selectors.member_list_for(self.request.user)
            .select_related("organization")
            .only(*LIST_COLUMNS)
        )

    def get_object(self) -> Member:
        return selectors.member_get_for(self.request.user, self.kwargs["pk"])

    def known_total(self) -> int | None:
        # filter_queryset ran before the pagination asks: its FilterSet is on the view.
        filterset = getattr(self, "filterset", None)
        if filterset is None:
            return None
        return selectors.list_total_from_counters(self.request.user, filterset)

    def _managed(self) -> Member:
        """The member, visible (else 404) and manageable by the caller (else 403)."""
        member = self.get_object()
        if not can(self.request.user, Action.MANAGE_MEMBERS, member.org_path):
            raise PermissionDenied
        return member

    def _organization(self, data: dict) -> None:
        if "organization" in data:
            data["organization"] = organization_ref(
                self.request.user,
                data["organization"],
                field="organization",
                action=Action.MANAGE_MEMBERS,
            )

    def retrieve(self, request, pk=None):
        return Response(MemberSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a member",
        request=MemberWriteSerializer,
        responses={201: MemberSerializer, **MANAGE_ERRORS},
    )
    def create(self, request):
        data = MemberWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        self._organization(args)
        member = services.member_create(actor=request.user, **args)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member",
        request=MemberWriteSerializer(partial=True),
        responses={200: MemberSerializer, **MANAGE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        member = self._managed()
        data = MemberWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        self._organization(args)
        member = services.member_update(actor=request.user, member=member, **args)
        return Response(MemberSerializer(member).data)

    @extend_schema(
        summary="Archive (members are never deleted)",
        request=ArchiveSerializer,
        responses={200: MemberSerializer, **MANAGE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def archive(self, request, pk=None):
        member = self._managed()
        data = ArchiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_archive(
            actor=request.user, member=member, reason=data.validated_data.get("reason", "")
        )
        return Response(MemberSerializer(member).data)

    @extend_schema(
        summary="Unmasked ID number and phone (audited)",
        request=None,
        responses={200: RevealSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def reveal(self, request, pk=None):
        member = selectors.member_get_for(request.user, pk, action=Action.REVEAL)
        return Response(services.member_reveal(actor=request.user, member=member))

    @extend_schema(
        summary="Find a member by exact ID number",
        description="POST so the ID number never appears in URLs or access logs. Only members "
        "in the caller's scope are found; otherwise 404, whoever the number belongs to. Each "
        "lookup spends one of ID_LOOKUP_LIMIT_PER_HOUR per caller (429 `too_many_lookups` "
        "past it).",
        request=LookupSerializer,
        responses={200: MemberSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=False, methods=["post"], filterset_class=None)
    def lookup(self, request):
        data = LookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spend_lookup(request.user)  # 429 past the hour's budget (members.id_numbers)
        member = selectors.member_find_by_id_number(request.user, data.validated_data["id_number"])
        if member is None:
            raise Http404
        return Response(MemberSerializer(member).data)

    @extend_schema(
        summary="Import members from .xlsx, .xls, .et or .csv (all or nothing)",
        description="Every row is validated with the same rules as a single create; if any row "
        "is wrong nothing is written and the answer lists every problem by row and column "
        "(row 1 is the header). Rows without an organization code go to `organization`.",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            201: ImportResultSerializer,
            202: ImportJobSerializer,
            400: ImportFailedSerializer,
            **errors(401, 403, 404),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        filterset_class=None,
        parser_classes=[MultiPartParser],
    )
    def import_file(self, request):
        if not can(request.user, Action.MANAGE_MEMBERS):
            raise PermissionDenied
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        default_org = None
        if data.validated_data.get("organization"):
            default_org = organization_ref(
                request.user,
                data.validated_data["organization"],
                field="organization",
                action=Action.MANAGE_MEMBERS,
            )
        upload = data.validated_data["file"]
        if data.validated_data["background"]:
            job = importing.import_job_create(
                actor=request.user, upload=upload, default_org=default_org
            )
            return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        # Answered in the request: a time cap under the server's worker timeout, so a file too
        # big for that is a clear 400 (use background=true), not a killed worker.
        budget = importing.Budget(max_seconds=min(SYNC_MAX_SECONDS, settings.IMPORT_MAX_SECONDS))
        rows = importing.read_rows(upload, importing.check_upload(upload), budget=budget)
        result = importing.members_import(actor=request.user, rows=rows, default_org=default_org)
        if result.errors:
            shown = result.errors[:MAX_ERRORS_SHOWN]
            body = error_body(
                "import_failed",
                _("文件中有%(n)s处错误，未导入任何数据。") % {"n": len(result.errors)},
                "file",
            )
            body["error_count"] = len(result.errors)
            body["errors"] = [
                {"row": e.row, "column": e.column, "message": e.message} for e in shown
            ]
            body["notices"] = result.notices
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"created": result.created, "total": result.total, "notices": result.notices},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="A member import job: status, progress, errors by row and column",
        description="Visible to the person who uploaded it (and the superuser); otherwise 404.",
        responses={200: ImportJobSerializer, **errors(401, 403, 404)},
    )
)
class ImportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportJob.objects.none()
    serializer_class = ImportJobSerializer
    permission_classes = SCOPED

    def get_object(self) -> ImportJob:
        return selectors.import_job_get_for(self.request.user, self.kwargs["pk"])
