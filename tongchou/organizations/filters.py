"""The one FilterSet for organization lists (page search and API)."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.organizations.models import Organization, OrgKind, OrgStatus, OrgType
from tongchou.regions.models import UrbanRural


class OrganizationFilter(FilterSet):
    q = filters.CharFilter(label=_("名称或代码"), method="filter_text")
    within = IdFilter(label=_("上级组织（含下级）"), method="filter_subtree")
    parent = IdFilter(label=_("直接上级"), field_name="parent_id")
    kind = ChoiceFilter(label=_("层级类别"), choices=OrgKind.choices)
    org_type = ChoiceFilter(label=_("组织类型"), choices=OrgType.choices)
    status = ChoiceFilter(label=_("状态"), choices=OrgStatus.choices)
    urban_rural = ChoiceFilter(label=_("城乡"), choices=UrbanRural.choices)

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__istartswith=value))

    def filter_subtree(self, queryset, name, value):
        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(tree.subtree_q(path, "path"))
