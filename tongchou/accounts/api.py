"""Accounts over REST (``/api/accounts/…``): the same selectors, rules and services as the
pages. An account, organization, member record or station outside the caller's scope answers
404 like a missing one; an account one sees but may not act on (someone not below one, or
oneself) answers 403. Responses carrying a handed-out password are ``Cache-Control: no-store``.
"""

from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongchou.accounts import selectors, services
from tongchou.accounts.filters import AccountFilter
from tongchou.accounts.permissions import may_manage_accounts
from tongchou.accounts.serializers import (
    AccountCreateSerializer,
    AccountSerializer,
    BulkCreateSerializer,
    DeactivateSerializer,
    IssuedListSerializer,
    IssuedSerializer,
    LinkMemberSerializer,
    RoleInputSerializer,
)
from tongchou.core.api import ReferenceNotFound, errors
from tongchou.organizations.models import Role

ERRORS = errors(400, 401, 403, 404)


class ManagesAccounts(BasePermission):
    """An admin or secretary role somewhere (or superuser); else 403, lists included."""

    message = gettext_lazy("只有管理员和书记可以管理账号。")

    def has_permission(self, request, view) -> bool:
        return may_manage_accounts(request.user)


def _ref(fetch, user, pk, field: str):
    try:
        return fetch(user, pk)
    except Http404:
        raise ReferenceNotFound(field) from None


def _private(response: Response) -> Response:
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


def _issued(issued) -> dict:
    row = selectors.account_row(issued.user)
    return {
        "account": AccountSerializer(row).data,
        "password": issued.password,
        "expires": issued.expires,
    }


@extend_schema_view(
    list=extend_schema(
        summary="Accounts in scope (anchored by a role, a member record or a station)",
        responses={200: AccountSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One account: member record, roles, stations",
        responses={200: AccountSerializer, **errors(401, 403, 404)},
    ),
)
class AccountViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = selectors.User.objects.none()  # the real one is per caller: get_queryset
    serializer_class = AccountSerializer
    permission_classes = [IsAuthenticated, ManagesAccounts]
    filterset_class = AccountFilter

    def get_queryset(self):
        return selectors.account_list_for(self.request.user).order_by("username")

    def get_object(self):
        return selectors.account_get_for(self.request.user, self.kwargs["pk"])

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = selectors.account_rows(list(page))
        return self.get_paginated_response(AccountSerializer(rows, many=True).data)

    def _detail(self, user, code: int = status.HTTP_200_OK) -> Response:
        user.refresh_from_db()  # the service changed its own copy
        return Response(AccountSerializer(selectors.account_row(user)).data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Create an account (initial password returned once)",
        request=AccountCreateSerializer,
        responses={201: IssuedSerializer, **ERRORS},
    )
    def create(self, request):
        data = AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = data.validated_data
        user = request.user
        member = args.get("member")
        role = args.get("role")
        station = args.get("station")
        issued = services.account_create(
            actor=user,
            username=args["username"],
            name=args["name"],
            member=_ref(selectors.member_for_account_get, user, member, "member")
            if member
            else None,
            role_kind=role["kind"] if role else "",
            role_organization=_ref(
                selectors.managed_organization_get, user, role["organization"], "role.organization"
            )
            if role
            else None,
            station=_ref(selectors.station_for_staff_get, user, station, "station")
            if station
            else None,
        )
        return _private(Response(_issued(issued), status=status.HTTP_201_CREATED))

    @extend_schema(
        summary="Accounts for every member of an organization's subtree who has none "
        "(passwords returned once)",
        request=BulkCreateSerializer,
        responses={201: IssuedListSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def bulk(self, request):
        data = BulkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = _ref(
            selectors.managed_organization_get,
            request.user,
            data.validated_data["organization"],
            "organization",
        )
        issued = services.accounts_bulk_create(actor=request.user, organization=organization)
        body = {"accounts": [_issued(i) for i in issued]}
        return _private(Response(body, status=status.HTTP_201_CREATED))

    @extend_schema(
        summary="Give a role (in your scope, no higher than your own there)",
        request=RoleInputSerializer,
        responses={201: AccountSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def roles(self, request, pk=None):
        account = self.get_object()
        data = RoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = _ref(
            selectors.managed_organization_get,
            request.user,
            data.validated_data["organization"],
            "organization",
        )
        services.role_grant(
            actor=request.user,
            user=account,
            organization=organization,
            kind=data.validated_data["kind"],
        )
        return self._detail(account, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a role away (only from above it)",
        request=None,
        parameters=[OpenApiParameter("role_pk", int, OpenApiParameter.PATH)],
        responses={200: AccountSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"roles/(?P<role_pk>[0-9]+)/revoke",
        url_name="role-revoke",
        filterset_class=None,
    )
    def revoke_role(self, request, pk=None, role_pk=None):
        account = self.get_object()
        role = selectors.role_of(selectors.account_row(account), role_pk)
        services.role_revoke(actor=request.user, role=Role.objects.get(pk=role.pk))
        return self._detail(account)

    @extend_schema(
        summary="Deactivate (sessions and API tokens end at once)",
        request=DeactivateSerializer,
        responses={200: AccountSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def deactivate(self, request, pk=None):
        account = self.get_object()
        data = DeactivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_deactivate(
            actor=request.user, user=account, note=data.validated_data.get("note", "")
        )
        return self._detail(account)

    @extend_schema(summary="Reactivate", request=None, responses={200: AccountSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def reactivate(self, request, pk=None):
        account = self.get_object()
        services.account_reactivate(actor=request.user, user=account)
        return self._detail(account)

    @extend_schema(
        summary="Reset the password (a new one returned once; must be changed at next sign-in)",
        request=None,
        responses={200: IssuedSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="reset-password", filterset_class=None)
    def reset_password(self, request, pk=None):
        account = self.get_object()
        issued = services.password_reset(actor=request.user, user=account)
        return _private(Response(_issued(issued)))

    @extend_schema(
        summary="Link a member record (one record per account, one account per record)",
        request=LinkMemberSerializer,
        responses={200: AccountSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="member", filterset_class=None)
    def link_member(self, request, pk=None):
        account = self.get_object()
        data = LinkMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = _ref(
            selectors.member_for_account_get, request.user, data.validated_data["member"], "member"
        )
        services.account_link_member(actor=request.user, user=account, member=member)
        return self._detail(account)

    @extend_schema(
        summary="Unlink the member record",
        request=None,
        responses={200: AccountSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="member/unlink", filterset_class=None)
    def unlink_member(self, request, pk=None):
        account = self.get_object()
        services.account_unlink_member(actor=request.user, user=account)
        return self._detail(account)
