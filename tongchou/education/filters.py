"""One FilterSet per listed model, for the pages and the API. The querysets come from the
scoped selectors, so a filter can only narrow the scope, never widen it."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.education.models import Course, CourseMode, StudyRecord, Training

YEARS = (1950, 2100)


class _SubtreeMixin:
    """``org`` narrows to one organization's subtree (on the row's ``org_path``)."""

    def filter_subtree(self, queryset, name, value):
        from tongchou.organizations.models import Organization

        org = Organization.objects.filter(pk=value).only("path").first()
        if org is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(org.path, "org_path"))


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        super().__init__(*args, **kwargs)


class CourseFilter(_SubtreeMixin, FilterSet):
    q = filters.CharFilter(label=_("课程名称或提供方"), method="filter_text")
    mode = ChoiceFilter(label=_("形式"), choices=CourseMode.choices)
    org = IdFilter(label=_("开设党组织（含下级）"), method="filter_subtree")

    class Meta:
        model = Course
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(provider__icontains=value))


class StudyRecordFilter(_SubtreeMixin, FilterSet):
    org = IdFilter(label=_("党组织（含下级）"), method="filter_subtree")
    year = YearFilter(label=_("年度"), field_name="studied_on", lookup_expr="year")
    q = filters.CharFilter(label=_("党员姓名"), method="filter_member_name")
    member = IdFilter(label=_("党员编号"), field_name="member_id")
    course = IdFilter(label=_("课程编号"), field_name="course_id")
    training = IdFilter(label=_("培训编号"), field_name="training_id")

    class Meta:
        model = StudyRecord
        fields: list[str] = []

    def filter_member_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(member__name__icontains=value) if value else queryset


class TrainingFilter(_SubtreeMixin, FilterSet):
    q = filters.CharFilter(label=_("培训名称或技能方向"), method="filter_text")
    org = IdFilter(label=_("党组织（含下级）"), method="filter_subtree")
    station = IdFilter(label=_("服务站编号"), field_name="station_id")
    year = YearFilter(label=_("年度"), field_name="held_on", lookup_expr="year")

    class Meta:
        model = Training
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(skill__icontains=value))
