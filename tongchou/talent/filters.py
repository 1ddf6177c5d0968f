"""One FilterSet per listed model, for the pages and the API. The querysets come from the
scoped selectors, so a filter can only narrow the scope, never widen it."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import BooleanFilter, ChoiceFilter, FilterSet, IdFilter
from tongchou.talent.models import (
    Assignment,
    AssignmentState,
    ExchangeKind,
    Need,
    NeedStatus,
    Priority,
    Talent,
    TalentKind,
)


def _org_path(value) -> str | None:
    from tongchou.organizations.models import Organization

    org = Organization.objects.filter(pk=value).only("path").first()
    return org.path if org else None


class _SubtreeMixin:
    def filter_subtree(self, queryset, name, value):
        path = _org_path(value)
        if path is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(path, "org_path"))


class TalentFilter(_SubtreeMixin, FilterSet):
    q = filters.CharFilter(label=_("姓名或职务"), method="filter_text")
    kind = ChoiceFilter(label=_("类别"), choices=TalentKind.choices)
    # A code; the page offers the taxonomy in a select (views), the API takes the code.
    skill = filters.CharFilter(label=_("技能"), field_name="skills__code", distinct=True)
    returning = BooleanFilter(label=_("返乡创业"))
    org = IdFilter(label=_("所属党组织（含下级）"), method="filter_subtree")

    class Meta:
        model = Talent
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(member__name__icontains=value)
            | Q(expert_name__icontains=value)
            | Q(current_post__icontains=value)
        )


class NeedFilter(_SubtreeMixin, FilterSet):
    q = filters.CharFilter(label=_("需求名称"), field_name="title", lookup_expr="icontains")
    skill = filters.CharFilter(label=_("技能"), field_name="skill__code")
    status = ChoiceFilter(label=_("状态"), choices=NeedStatus.choices)
    priority = ChoiceFilter(label=_("紧急程度"), choices=Priority.choices)
    org = IdFilter(label=_("需求党组织（含下级）"), method="filter_subtree")

    class Meta:
        model = Need
        fields: list[str] = []


class AssignmentFilter(FilterSet):
    kind = ChoiceFilter(label=_("类型"), choices=ExchangeKind.choices)
    state = ChoiceFilter(label=_("状态"), choices=AssignmentState.choices)
    org = IdFilter(label=_("派出或接收党组织（含下级）"), method="filter_either")
    year = filters.NumberFilter(
        label=_("年度"), method="filter_year", min_value=1950, max_value=2100
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def filter_either(self, queryset, name, value):
        path = _org_path(value)
        if path is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(path, "from_path") | tree.subtree_q(path, "to_path"))

    def filter_year(self, queryset, name, value):
        import datetime as dt

        year = int(value)
        return queryset.filter(
            first_day__lte=dt.date(year, 12, 31), last_day__gte=dt.date(year, 1, 1)
        )
