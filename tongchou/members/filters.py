"""The one FilterSet for member lists: the page, the API and the export all use it."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.members.choices import Category, Ethnicity, Gender
from tongchou.members.models import Member
from tongchou.members.rules import ROSTER_STATUSES, add_years
from tongchou.regions.models import UrbanRural

ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "birth_date": ("birth_date", "id"),
    "-birth_date": ("-birth_date", "-id"),
    "admission_date": ("admission_date", "id"),
    "-admission_date": ("-admission_date", "-id"),
    "organization": ("org_path", "name", "id"),
    "-organization": ("-org_path", "-name", "-id"),
}


MAX_AGE = 150
ADMISSION_YEARS = (1900, 2100)


class AgeFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_AGE, **kwargs)


class MemberFilter(FilterSet):
    """``org`` narrows to one organization's subtree; the scope was applied before this runs
    (the queryset comes from ``member_list_for``), so ``org`` cannot widen it."""

    q = filters.CharFilter(label=_("姓名"), method="filter_name")
    org = IdFilter(label=_("党组织（含下级）"), method="filter_subtree")
    category = ChoiceFilter(label=_("党员类别"), choices=Category.choices)
    # 失联 is not a status records hold (members.rules): the report and the mobility list say
    # which mobile members are out of contact.
    status = ChoiceFilter(label=_("状态"), choices=[(s.value, s.label) for s in ROSTER_STATUSES])
    gender = ChoiceFilter(label=_("性别"), choices=Gender.choices)
    ethnicity = ChoiceFilter(label=_("民族"), choices=Ethnicity.choices)
    # Bounded so that no number can reach an impossible date (a 500 instead of a form error).
    age_min = AgeFilter(label=_("最小年龄"), method="filter_age_min")
    age_max = AgeFilter(label=_("最大年龄"), method="filter_age_max")
    admission_year = filters.NumberFilter(
        label=_("入党年份"),
        field_name="admission_date",
        lookup_expr="year",
        min_value=ADMISSION_YEARS[0],
        max_value=ADMISSION_YEARS[1],
    )
    urban_rural = ChoiceFilter(
        label=_("城乡"), choices=UrbanRural.choices, field_name="organization__urban_rural"
    )
    ordering = ChoiceFilter(
        label=_("排序"),
        method="filter_ordering",
        choices=[(k, k) for k in ORDERINGS],
        empty_label=None,
    )

    class Meta:
        model = Member
        fields: list[str] = []

    def narrows_only_by_subtree(self) -> bool:
        """True when the valid filters select a whole subtree (no other condition), so the
        total can come from the organizations' member counters (selectors.member_total_for)."""
        data = self.form.cleaned_data
        return not any(v not in (None, "") for k, v in data.items() if k not in ("org", "ordering"))

    def subtree_organization(self):
        """The organization named by ``org`` (looked up once), or None."""
        from tongchou.organizations.models import Organization

        if not hasattr(self, "_subtree_org"):
            org_id = self.form.cleaned_data.get("org")
            self._subtree_org = (
                Organization.objects.filter(pk=org_id).only("path").first() if org_id else None
            )
        return self._subtree_org

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value)) if value else queryset

    def filter_queryset(self, queryset):
        # The subtree first: on a list read under a scope (selectors.member_list_for) it
        # replaces the scope's ranges by their intersection with the subtree, which needs the
        # list as the selector made it.
        data = self.form.cleaned_data
        if data.get("org") not in (None, ""):
            queryset = self.filters["org"].filter(queryset, data["org"])
        for name, value in data.items():
            if name != "org":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_subtree(self, queryset, name, value):
        org = self.subtree_organization()
        if org is None:
            return queryset.none()
        if hasattr(queryset, "within"):
            return queryset.within(org.path)
        return queryset.filter(tree.subtree_q(org.path, "org_path"))

    def filter_age_min(self, queryset, name, value):
        # At least N years old: born on or before today minus N years.
        return queryset.filter(birth_date__lte=add_years(dt.date.today(), -int(value)))

    def filter_age_max(self, queryset, name, value):
        # At most N years old: born after today minus N+1 years.
        return queryset.filter(birth_date__gt=add_years(dt.date.today(), -int(value) - 1))

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["organization"]))
