"""One FilterSet per listed model, for the pages and the API. The querysets come from the
scoped selectors, so a filter can only narrow the scope, never widen it."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core.filters import BooleanFilter, ChoiceFilter, FilterSet, IdFilter
from tongchou.jobs.models import (
    Application,
    ApplicationState,
    JobSeeker,
    Opening,
    OpeningState,
    SeekerKind,
)


class OpeningFilter(FilterSet):
    q = filters.CharFilter(label=_("岗位名称"), field_name="title", lookup_expr="icontains")
    skill = filters.CharFilter(label=_("技能"), field_name="skills__code", distinct=True)
    state = ChoiceFilter(label=_("状态"), choices=OpeningState.choices)
    region = filters.CharFilter(label=_("工作地点（区划代码）"), method="filter_region")

    class Meta:
        model = Opening
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(region_id__startswith=value) if value else queryset


class SeekerFilter(FilterSet):
    q = filters.CharFilter(label=_("姓名"), method="filter_name")
    skill = filters.CharFilter(label=_("技能"), field_name="skills__code", distinct=True)
    kind = ChoiceFilter(label=_("人员类别"), choices=SeekerKind.choices, method="filter_kind")
    active = BooleanFilter(label=_("求职中"))

    class Meta:
        model = JobSeeker
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(resident_name__icontains=value) | Q(member__name__icontains=value))

    def filter_kind(self, queryset, name, value):
        # kinds is a short JSON list of codes; a text match on the quoted code works on both
        # SQLite and PostgreSQL.
        return queryset.filter(kinds__icontains=f'"{value}"') if value else queryset


class ApplicationFilter(FilterSet):
    state = ChoiceFilter(label=_("状态"), choices=ApplicationState.choices)
    opening = IdFilter(label=_("岗位编号"), field_name="opening_id")
    seeker = IdFilter(label=_("求职者编号"), field_name="seeker_id")

    class Meta:
        model = Application
        fields: list[str] = []
