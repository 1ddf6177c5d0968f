"""The one FilterSet for transfer lists: the page and the API both use it."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import BooleanFilter, ChoiceFilter, FilterSet, IdFilter
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, scope_for
from tongchou.transfers import selectors
from tongchou.transfers.models import Transfer, TransferKind, TransferState

DIRECTIONS = [("in", _("转入")), ("out", _("转出"))]


class TransferFilter(FilterSet):
    """``direction`` is relative to ``org`` when given (its subtree), else to the caller's
    scope; the scope itself was applied by ``transfer_list_for`` before this runs."""

    q = filters.CharFilter(label=_("姓名"), method="filter_name")
    state = ChoiceFilter(label=_("状态"), choices=TransferState.choices)
    kind = ChoiceFilter(label=_("类型"), choices=TransferKind.choices)
    overdue = BooleanFilter(label=_("已逾期"), method="filter_overdue")
    pending = BooleanFilter(label=_("待我处理"), method="filter_pending")
    org = IdFilter(label=_("党组织（含下级）"), method="filter_org")
    direction = ChoiceFilter(label=_("方向"), choices=DIRECTIONS, method="filter_direction")

    class Meta:
        model = Transfer
        fields: list[str] = []

    def _user(self):
        return getattr(self.request, "user", None)

    def _org(self):
        if not hasattr(self, "_org_cache"):
            org_id = self.form.cleaned_data.get("org")
            self._org_cache = (
                Organization.objects.filter(pk=org_id).only("path").first() if org_id else None
            )
        return self._org_cache

    def _side_q(self, field: str) -> Q:
        org = self._org()
        if org is not None:
            return tree.subtree_q(org.path, field)
        scope = scope_for(self._user(), Action.VIEW_MEMBERS)
        return Q() if scope.everything else scope.q(field)

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(member_name__icontains=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(selectors.overdue_q())
            if value
            else queryset.exclude(selectors.overdue_q())
        )

    def filter_pending(self, queryset, name, value):
        return queryset.filter(selectors.pending_q(self._user())) if value else queryset

    def filter_org(self, queryset, name, value):
        org = self._org()
        if org is None:
            return queryset.none()
        if self.form.cleaned_data.get("direction"):
            return queryset  # filter_direction narrows to the chosen side
        return queryset.filter(
            tree.subtree_q(org.path, "from_path")
            | tree.subtree_q(org.path, "to_path")
            | tree.subtree_q(org.path, "upper_path")
        )

    def filter_direction(self, queryset, name, value):
        if value == "in":
            return queryset.filter(self._side_q("to_path"))
        if value == "out":
            return queryset.filter(self._side_q("from_path"))
        return queryset
