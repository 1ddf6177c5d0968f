"""The one FilterSet for session lists: the page and the API both use it."""

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.orglife.models import Session, SessionFormat, SessionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionFilter(FilterSet):
    """``org`` narrows to one organization's subtree; the scope was applied before this runs
    (the queryset comes from ``session_list_for``), so ``org`` cannot widen it."""

    q = filters.CharFilter(label=_("主题"), method="filter_topic")
    kind = ChoiceFilter(label=_("类型"), choices=SessionKind.choices)
    format = ChoiceFilter(label=_("形式"), choices=SessionFormat.choices)
    org = IdFilter(label=_("党组织（含下级）"), method="filter_subtree")
    station = IdFilter(label=_("党员服务站"), field_name="station_id")
    start = filters.DateFilter(
        label=_("开始日期"), field_name="held_on", lookup_expr="gte", widget=DATE
    )
    end = filters.DateFilter(
        label=_("结束日期"), field_name="held_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Session
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(topic__icontains=value) if value else queryset

    def filter_subtree(self, queryset, name, value):
        from tongchou.organizations.models import Organization

        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(path, "org_path"))
