"""One FilterSet per listed model, for the pages and the API. The querysets come from the scoped
selectors, so a filter can only narrow the scope, never widen it."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from tongchou.core.filters import ChoiceFilter, FilterSet, IdFilter
from tongchou.linkage.models import Lot, LotState, Order, OrderState, Shipment, ShipmentState


class LotFilter(FilterSet):
    state = ChoiceFilter(label=_("状态"), choices=LotState.choices)
    product = IdFilter(label=_("农产品编号"), field_name="product_id")
    chain = IdFilter(label=_("产业链党组织编号"), field_name="chain_id")
    harvest_from = filters.DateFilter(
        label=_("采收不早于"), field_name="harvest_on", lookup_expr="gte"
    )
    harvest_to = filters.DateFilter(
        label=_("采收不晚于"), field_name="harvest_on", lookup_expr="lte"
    )

    class Meta:
        model = Lot
        fields: list[str] = []


class OrderFilter(FilterSet):
    state = ChoiceFilter(label=_("状态"), choices=OrderState.choices)
    product = IdFilter(label=_("农产品编号"), field_name="product_id")
    chain = IdFilter(label=_("产业链党组织编号"), field_name="chain_id")
    buyer = IdFilter(label=_("采购单位编号"), field_name="buyer_id")

    class Meta:
        model = Order
        fields: list[str] = []


class ShipmentFilter(FilterSet):
    state = ChoiceFilter(label=_("状态"), choices=ShipmentState.choices)
    plan = IdFilter(label=_("方案编号"), field_name="plan_id")

    class Meta:
        model = Shipment
        fields: list[str] = []
