"""Forms of the linkage pages. Choices come from the scoped selectors; the rules run in the
services (a form only checks types)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import OpeningHoursField
from tongchou.linkage import selectors
from tongchou.linkage.models import Buyer, BuyerKind, Producer, ProducerKind, Product
from tongchou.organizations.models import Organization, OrgStatus, OrgType
from tongchou.organizations.permissions import Action, scope_for
from tongchou.organizations.selectors import organization_list_for


def manageable_producers(user):
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    return Producer.objects.filter(scope.q("village_path") | scope.q("chain_path"))


def manageable_buyers(user):
    return Buyer.objects.filter(scope_for(user, Action.MANAGE_MEMBERS).q("org_path"))


def open_chains():
    """Industry chains a buyer may post an order to, or a producer join: every active one
    (their names are public facts; what they hold stays in their scope)."""
    return Organization.objects.filter(org_type=OrgType.INDUSTRY_CHAIN, status=OrgStatus.ACTIVE)


def visible_active_orgs(user):
    """Organizations a producer may name as its village: active ones in the user's view of
    organizations, as for the API (the service then asks for the right to manage the village
    or the chain)."""
    return organization_list_for(user).filter(status=OrgStatus.ACTIVE)


class DateInput(forms.DateInput):
    input_type = "date"


class LotForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("生产主体"), queryset=Producer.objects.none())
    product = forms.ModelChoiceField(label=_("农产品"), queryset=Product.objects.none())
    grade = forms.CharField(label=_("等级"), max_length=20, required=False)
    kg = forms.IntegerField(label=_("数量（公斤）"), min_value=1)
    harvest_on = forms.DateField(label=_("采收日期"), widget=DateInput)
    shelf_days = forms.IntegerField(
        label=_("保鲜天数"),
        min_value=1,
        max_value=3660,
        required=False,
        help_text=_("不填则按农产品目录的默认天数。"),
    )
    price = forms.DecimalField(
        label=_("地头价（元/公斤）"), min_value=0, max_digits=9, decimal_places=2
    )
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = manageable_producers(user).order_by("name", "id")
        self.fields["product"].queryset = selectors.product_list()


class OrderForm(forms.Form):
    buyer = forms.ModelChoiceField(label=_("采购单位"), queryset=Buyer.objects.none())
    chain = forms.ModelChoiceField(label=_("产业链党组织"), queryset=Organization.objects.none())
    product = forms.ModelChoiceField(label=_("农产品"), queryset=Product.objects.none())
    kg = forms.IntegerField(label=_("数量（公斤）"), min_value=1)
    deliver_on = forms.DateField(label=_("送达日期"), widget=DateInput)
    max_price = forms.DecimalField(
        label=_("最高到货价（元/公斤）"), min_value=0, max_digits=9, decimal_places=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = manageable_buyers(user).order_by("name", "id")
        self.fields["chain"].queryset = open_chains().order_by("name", "id")
        self.fields["product"].queryset = selectors.product_list()


class PlanForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=DateInput)
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=366, initial=14)
    cost_per_kg_km = forms.DecimalField(
        label=_("运费（元/公斤·公里）"),
        min_value=0,
        max_digits=8,
        decimal_places=4,
        initial="0.004",
    )
    local_km = forms.DecimalField(
        label=_("自行采购半径（公里）"), min_value=0, max_digits=6, decimal_places=1, initial="8"
    )


class OutcomeForm(forms.Form):
    delivered_kg = forms.IntegerField(label=_("送达（公斤）"), min_value=0)
    sold_kg = forms.IntegerField(label=_("验收售出（公斤）"), min_value=0)


# Coordinates and distances are checked by the services (one rule and one message for the
# pages and the API): the form only reads numbers.
class ProducerForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=ProducerKind.choices)
    village = forms.ModelChoiceField(label=_("所在村党组织"), queryset=Organization.objects.none())
    chain = forms.ModelChoiceField(label=_("产业链党组织"), queryset=Organization.objects.none())
    lat = forms.FloatField(label=_("纬度"), help_text=_("地图上的点，如 39.02。"))
    lon = forms.FloatField(label=_("经度"), help_text=_("地图上的点，如 106.42。"))

    def __init__(self, *args, user, producer: Producer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if producer is not None and not self.is_bound:
            self.initial = {
                "name": producer.name,
                "kind": producer.kind,
                "village": producer.village_id,
                "chain": producer.chain_id,
                "lat": producer.lat,
                "lon": producer.lon,
            }
        orgs = visible_active_orgs(user)
        # Any active chain, as for orders (and the API): a village's cooperative joins a chain
        # that usually sits above the village's view; managing the village is what counts.
        chains = open_chains()
        if producer is not None:
            # Where it is now stays a choice (a chain's secretary may not see the village).
            orgs = orgs | Organization.objects.filter(pk=producer.village_id)
            chains = chains | Organization.objects.filter(pk=producer.chain_id)
        self.fields["village"].queryset = orgs.order_by("path")
        self.fields["chain"].queryset = chains.order_by("name", "id")


class BuyerForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=BuyerKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    organization = forms.ModelChoiceField(
        label=_("所属党组织"), queryset=Organization.objects.none()
    )
    lat = forms.FloatField(label=_("纬度"), help_text=_("地图上的点，如 39.02。"))
    lon = forms.FloatField(label=_("经度"), help_text=_("地图上的点，如 106.42。"))
    max_km = forms.IntegerField(
        label=_("最远采购距离（公里）"), help_text=_("只从这个距离以内的产地采购。")
    )

    def __init__(self, *args, user, buyer: Buyer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if buyer is not None and not self.is_bound:
            self.initial = {
                "kind": buyer.kind,
                "name": buyer.name,
                "organization": buyer.organization_id,
                "lat": buyer.lat,
                "lon": buyer.lon,
                "max_km": buyer.max_km,
            }
        # As the API: an active organization the user manages members of.
        self.fields["organization"].queryset = (
            organization_list_for(user, action=Action.MANAGE_MEMBERS)
            .filter(status=OrgStatus.ACTIVE)
            .order_by("path")
        )


class ReservationForm(forms.Form):
    buyer = forms.ModelChoiceField(label=_("采购单位"), queryset=Buyer.objects.none())
    year = forms.IntegerField(label=_("年度"))
    food_budget = forms.DecimalField(label=_("年度食材预算（元）"), max_digits=14, decimal_places=2)
    reserved = forms.DecimalField(label=_("预留采购额（元）"), max_digits=14, decimal_places=2)

    def __init__(self, *args, user, reservation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reservation is not None and not self.is_bound:
            self.initial = {
                "food_budget": reservation.food_budget,
                "reserved": reservation.reserved,
            }
        if reservation is not None:
            # Changing a reservation: its unit and year stay.
            del self.fields["buyer"], self.fields["year"]
        else:
            self.fields["buyer"].queryset = manageable_buyers(user).order_by("name", "id")


# --- rural produce outlets (乡村特产展销点) -------------------------------------------------------


def city_communities(user):
    """Organizations an outlet may sit in: active, urban, managed by the user."""
    from tongchou.regions.models import UrbanRural

    return (
        organization_list_for(user, action=Action.MANAGE_MEMBERS)
        .filter(status=OrgStatus.ACTIVE, urban_rural=UrbanRural.URBAN)
        .order_by("path")
    )


class OutletForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    organization = forms.ModelChoiceField(
        label=_("所在城市社区党组织"), queryset=Organization.objects.none()
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    opening_hours = OpeningHoursField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("周一至周日七行，如“08:30-17:30”，不开放的一天写“-”。"),
    )
    lat = forms.FloatField(label=_("纬度"), help_text=_("地图上的点，如 39.02。"))
    lon = forms.FloatField(label=_("经度"), help_text=_("地图上的点，如 106.42。"))
    max_km = forms.IntegerField(label=_("最远采购距离（公里）"), initial=40)
    producers = forms.ModelMultipleChoiceField(
        label=_("展销的合作社（生产主体）"),
        queryset=Producer.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("展销的农产品"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, outlet=None, **kwargs):
        super().__init__(*args, **kwargs)
        if outlet is not None and not self.is_bound:
            buyer = outlet.buyer
            self.initial = {
                "name": buyer.name,
                "organization": buyer.organization_id,
                "address": outlet.address,
                "opening_hours": outlet.opening_hours,
                "lat": buyer.lat,
                "lon": buyer.lon,
                "max_km": buyer.max_km,
                "producers": list(outlet.producers.values_list("pk", flat=True)),
                "products": list(outlet.products.values_list("pk", flat=True)),
            }
        self.fields["organization"].queryset = city_communities(user)
        # Cooperatives are public businesses: any producer may be carried.
        self.fields["producers"].queryset = Producer.objects.order_by("name", "id")
        self.fields["products"].queryset = selectors.product_list()


class MonthInput(forms.DateInput):
    input_type = "month"


class OutletSaleForm(forms.Form):
    month = forms.CharField(label=_("月份"), max_length=10, widget=MonthInput)
    product = forms.ModelChoiceField(label=_("农产品"), queryset=Product.objects.none())
    producer = forms.ModelChoiceField(
        label=_("生产主体（可不填）"), queryset=Producer.objects.none(), required=False
    )
    kg = forms.IntegerField(label=_("销量（公斤）"))
    yuan = forms.DecimalField(label=_("销售额（元）"), max_digits=14, decimal_places=2)

    def __init__(self, *args, outlet, sale=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sale is not None and not self.is_bound:
            self.initial = {
                "month": sale.month.strftime("%Y-%m"),
                "product": sale.product_id,
                "producer": sale.producer_id,
                "kg": sale.kg,
                "yuan": sale.yuan,
            }
        carried = outlet.products.all()
        self.fields["product"].queryset = carried if carried.exists() else selectors.product_list()
        producers = outlet.producers.all()
        self.fields["producer"].queryset = (
            producers if producers.exists() else Producer.objects.order_by("name", "id")
        )


class OutletSaleImportForm(forms.Form):
    file = forms.FileField(
        label=_("月度销售表"),
        help_text=_(
            "Excel/WPS 表格（.xlsx、.xls、.et）或 CSV（UTF-8 或 GBK 编码）；"
            "列：月份、合作社、农产品、数量、单位、金额（元）；表头上方可以有标题行。"
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,.et,.csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.ms-excel,text/csv"
            }
        ),
    )
