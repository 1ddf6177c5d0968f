"""The one FilterSet per listed model (spells, stations): pages and API both use them."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import BooleanFilter, ChoiceFilter, FilterSet, IdFilter
from tongchou.mobility.models import (
    MobileMember,
    MobilityReason,
    MobilityStatus,
    ServiceStation,
    StationKind,
)
from tongchou.mobility.rules import lost_contact_q, no_inflow_side_q
from tongchou.organizations.models import Organization

YES_NO = [("yes", _("是")), ("no", _("否"))]


class _SubtreeMixin:
    def _org(self, key: str):
        cache = self.__dict__.setdefault("_orgs", {})
        if key not in cache:
            org_id = self.form.cleaned_data.get(key)
            cache[key] = (
                Organization.objects.filter(pk=org_id).only("path").first() if org_id else None
            )
        return cache[key]


class MobileMemberFilter(_SubtreeMixin, FilterSet):
    """Filters narrow the scoped queryset (``mobile_list_for``); none can widen it."""

    q = filters.CharFilter(label=_("姓名"), method="filter_name")
    status = ChoiceFilter(label=_("状态"), choices=MobilityStatus.choices)
    reason = ChoiceFilter(label=_("外出原因"), choices=MobilityReason.choices)
    has_inflow = ChoiceFilter(
        label=_("已有流入地党组织或服务站"), choices=YES_NO, method="filter_has_inflow"
    )
    lost_contact = ChoiceFilter(
        label=_("失联（长期未联系且未参加组织生活）"),
        choices=YES_NO,
        method="filter_lost_contact",
    )
    home_org = IdFilter(label=_("流出党组织（含下级）"), method="filter_home")
    inflow_org = IdFilter(label=_("流入党组织（含下级，含服务站）"), method="filter_inflow")
    station = IdFilter(label=_("党员服务站"), field_name="station_id")

    class Meta:
        model = MobileMember
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(member__name__icontains=value) | Q(external_name__icontains=value))

    def filter_has_inflow(self, queryset, name, value):
        no_inflow = no_inflow_side_q()
        return queryset.filter(no_inflow) if value == "no" else queryset.exclude(no_inflow)

    def filter_lost_contact(self, queryset, name, value):
        q = lost_contact_q()  # mobility.rules: the one meaning of 失联
        return queryset.filter(q) if value == "yes" else queryset.exclude(q)

    def filter_home(self, queryset, name, value):
        org = self._org("home_org")
        if org is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(org.path, "home_path"))

    def filter_inflow(self, queryset, name, value):
        org = self._org("inflow_org")
        if org is None:
            return queryset.none()
        return queryset.filter(
            tree.subtree_q(org.path, "inflow_path") | tree.subtree_q(org.path, "station_path")
        )


class StationFilter(_SubtreeMixin, FilterSet):
    q = filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    kind = ChoiceFilter(label=_("类型"), choices=StationKind.choices)
    org = IdFilter(label=_("党组织（含下级）"), method="filter_subtree")
    active = BooleanFilter(label=_("运行中"))

    class Meta:
        model = ServiceStation
        fields: list[str] = []

    def filter_subtree(self, queryset, name, value):
        org = self._org("org")
        if org is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(org.path, "org_path"))
