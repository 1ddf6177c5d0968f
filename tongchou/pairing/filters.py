"""The FilterSet of the pair list, for the page and the API. The queryset comes from the scoped
selector, so a filter can only narrow the scope, never widen it."""

import datetime as dt

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from tongchou.core import tree
from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.pairing.models import Pair, PairKind, PairMember, PairState


class PairFilter(FilterSet):
    q = filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    kind = ChoiceFilter(label=_("共建形式"), choices=PairKind.choices)
    state = ChoiceFilter(label=_("状态"), choices=PairState.choices)
    org = IdFilter(label=_("成员党组织（含下级）"), method="filter_member")
    year = filters.NumberFilter(
        label=_("年度"), method="filter_year", min_value=2000, max_value=2100
    )

    class Meta:
        model = Pair
        fields: list[str] = []

    def filter_member(self, queryset, name, value):
        from tongchou.organizations.models import Organization

        org = Organization.objects.filter(pk=value).only("path").first()
        if org is None:
            return queryset.none()
        members = PairMember.objects.filter(tree.subtree_q(org.path, "org_path"))
        return queryset.filter(pk__in=members.values("pair_id"))

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(
            starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1)
        )
