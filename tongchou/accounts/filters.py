"""The one FilterSet per list: accounts (page and API) and audit events (page)."""

import django_filters as filters
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.accounts import anchors
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.core.models import AuditAction, AuditEvent
from tongchou.organizations.models import Organization, Role, RoleKind
from tongchou.organizations.permissions import Scope

ACTIVE_CHOICES = [("active", _("正常")), ("inactive", _("已停用"))]


class AccountFilter(FilterSet):
    q = filters.CharFilter(label=_("用户名或姓名"), method="filter_text")
    org = IdFilter(label=_("组织（含下级）"), method="filter_subtree")
    role = ChoiceFilter(label=_("角色"), choices=RoleKind.choices, method="filter_role")
    status = ChoiceFilter(label=_("状态"), choices=ACTIVE_CHOICES, method="filter_status")

    class Meta:
        model = get_user_model()
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(member__name__icontains=value)
        )

    def filter_subtree(self, queryset, name, value):
        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(anchors.users_in(Scope(everything=False, paths=(path,))))

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=_role_holders(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")


def _role_holders(kind: str):
    return Role.objects.filter(kind=kind).values("user_id")


def audited_model_choices() -> list[tuple[str, str]]:
    """The kinds of object audit events are written about: the models of the apps above core
    and the login accounts (not core's own bookkeeping, nor the tables that only join others)."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        ours = model.__module__.startswith("tongchou.") and meta.app_label != "core"
        if (ours or meta.label_lower == "auth.user") and not meta.auto_created:
            found.append((meta.label_lower, str(meta.verbose_name)))
    return sorted(found, key=lambda item: item[0])


class AuditEventFilter(FilterSet):
    action = ChoiceFilter(label=_("操作"), choices=AuditAction.choices)
    object_type = ChoiceFilter(label=_("对象类型"), choices=audited_model_choices)

    class Meta:
        model = AuditEvent
        fields: list[str] = []
