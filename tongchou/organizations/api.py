"""Organizations over REST: every read through the scoped selectors, every write through one
service. An organization (or a referenced parent, lead or unit) outside the caller's scope
answers 404, like a missing one; one the caller may see but not manage answers 403."""

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core import tree
from tongchou.core.api import SCOPED, ReferenceNotFound, errors
from tongchou.organizations import selectors, services
from tongchou.organizations.filters import OrganizationFilter
from tongchou.organizations.models import Organization, OrgStatus, Role, Unit
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.serializers import (
    ChildSerializer,
    DissolveSerializer,
    MeSerializer,
    MoveSerializer,
    OrganizationCreateSerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
)


def organization_ref(user, pk, *, field: str, action: str = Action.VIEW_ORGS) -> Organization:
    """An organization named by id in a request body, fetched through the caller's scope."""
    try:
        return selectors.organization_get_for(user, pk, action=action)
    except Http404:
        raise ReferenceNotFound(field) from None


def unit_refs(user, ids: list[int]) -> list[Unit]:
    """Units named by id: those attached to an organization in scope, or to none yet."""
    ids = list(dict.fromkeys(ids))
    in_scope = selectors.organization_list_for(user)
    units = list(
        Unit.objects.filter(
            Q(organizations__in=in_scope) | Q(organizations__isnull=True), pk__in=ids
        ).distinct()
    )
    if len(units) != len(ids):
        raise ReferenceNotFound("units")
    return units


def _write_arguments(user, data: dict) -> dict:
    args = dict(data)
    if args.get("lead") is not None:
        args["lead"] = organization_ref(user, args["lead"], field="lead")
    if "units" in args:
        args["units"] = unit_refs(user, args["units"])
    return args


MANAGE_ERRORS = errors(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="Organizations in scope",
        responses={200: OrganizationSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One organization, with its units and lead",
        responses={200: OrganizationDetailSerializer, **errors(401, 403, 404)},
    ),
)
class OrganizationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Organization.objects.none()  # the real one is per caller: get_queryset
    serializer_class = OrganizationSerializer
    permission_classes = SCOPED
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return (
            selectors.organization_list_for(self.request.user)
            .select_related("region")
            .order_by("path")
        )

    def get_object(self) -> Organization:
        return selectors.organization_get_for(self.request.user, self.kwargs["pk"])

    def _managed(self) -> Organization:
        """The organization, visible (else 404) and manageable by the caller (else 403)."""
        org = self.get_object()
        if not can(self.request.user, Action.MANAGE_ORGS, org.path):
            raise PermissionDenied
        return org

    def _detail(self, org: Organization, code: int = status.HTTP_200_OK) -> Response:
        org = (
            Organization.objects.select_related("region", "parent", "lead")
            .prefetch_related("units")
            .get(pk=org.pk)
        )
        related = [pk for pk in (org.parent_id, org.lead_id) if pk is not None]
        visible = set(
            selectors.organization_list_for(self.request.user)
            .filter(pk__in=related)
            .values_list("pk", flat=True)
        )
        data = OrganizationDetailSerializer(org, context={"visible": visible}).data
        return Response(data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Create an organization",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationDetailSerializer, **MANAGE_ERRORS},
    )
    def create(self, request):
        data = OrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = _write_arguments(request.user, data.validated_data)
        if args["parent"] is not None:
            args["parent"] = organization_ref(
                request.user, args["parent"], field="parent", action=Action.MANAGE_ORGS
            )
        org = services.organization_create(actor=request.user, **args)
        return self._detail(org, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename or change attributes",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationDetailSerializer, **MANAGE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        org = self._managed()
        data = OrganizationUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        args = _write_arguments(request.user, data.validated_data)
        org = services.organization_update(actor=request.user, org=org, **args)
        return self._detail(org)

    @extend_schema(
        summary="Move under another parent (the whole subtree follows)",
        request=MoveSerializer,
        responses={200: OrganizationDetailSerializer, **MANAGE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def move(self, request, pk=None):
        org = self._managed()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = organization_ref(
            request.user, data.validated_data["parent"], field="parent", action=Action.MANAGE_ORGS
        )
        org = services.organization_move(actor=request.user, org=org, new_parent=parent)
        return self._detail(org)

    @extend_schema(
        summary="Dissolve (refused while it has members or children)",
        request=DissolveSerializer,
        responses={200: OrganizationDetailSerializer, **MANAGE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def dissolve(self, request, pk=None):
        org = self._managed()
        data = DissolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_dissolve(
            actor=request.user,
            org=org,
            on=data.validated_data.get("on"),
            note=data.validated_data.get("note", ""),
        )
        return self._detail(org)

    @extend_schema(
        summary="Visible children with subtree counts",
        filters=False,
        responses={200: ChildSerializer(many=True), **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def children(self, request, pk=None):
        org = self.get_object()
        rows = [
            {
                "org": row.org,
                "member_count": row.member_count,
                "org_count": row.org_count,
                "has_children": row.has_children,
            }
            for row in selectors.children_with_counts(request.user, org)
        ]
        return Response(ChildSerializer(rows, many=True).data)

    @extend_schema(
        summary="The subtree (itself included), ordered by path",
        filters=False,
        responses={200: OrganizationSerializer(many=True), **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def subtree(self, request, pk=None):
        org = self.get_object()
        queryset = self.get_queryset().filter(tree.subtree_q(org.path, "path"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OrganizationSerializer(page, many=True).data)


class MeView(APIView):
    """Who I am: my roles, the organization (id and path) each is bound to, and the actions it
    grants there. Any signed-in user may ask, with or without a role."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The caller and their roles", responses={200: MeSerializer, **errors(401)}
    )
    def get(self, request):
        user = request.user
        roles = (
            Role.objects.filter(user=user, organization__status=OrgStatus.ACTIVE)
            .select_related("organization")
            .order_by("id")
        )
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "is_superuser": user.is_superuser,
            "roles": roles,
        }
        return Response(MeSerializer(data).data)
