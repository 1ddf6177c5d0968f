"""The back office: the product catalogue, and rural produce outlets with their monthly sales.

An outlet is the profile of a buyer unit of kind outlet: it is added and edited through the
outlet services (the buyer's fields, the city-community check, what it carries, the audit),
and deleted — with its buyer unit — only while no order, reservation or sale refers to it.
Sales are facts entered through the sale services (the month's first day, once per outlet,
month, product and producer; only a cooperative the outlet carries)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.utils.translation import gettext_lazy as _

from tongchou.core import audit
from tongchou.core.admin import ServiceAdmin, in_use
from tongchou.core.forms import OpeningHoursField
from tongchou.core.models import AuditAction
from tongchou.linkage import services
from tongchou.linkage.models import Buyer, Outlet, OutletSale, Product
from tongchou.organizations.models import Organization


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The catalogue is the deployment's: its administrator adds and edits products here."""

    list_display = ("name", "unit", "shelf_days", "active")
    list_filter = ("active",)
    search_fields = ("name",)


BUYER_FIELDS = ["name", "organization", "lat", "lon", "max_km"]  # kept on the buyer unit


class OutletForm(forms.ModelForm):
    """The outlet's own fields and its buyer unit's, typed once (the service writes both)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    organization = forms.ModelChoiceField(
        label=_("所属社区党组织"),
        queryset=Organization.objects.all(),
        widget=ForeignKeyRawIdWidget(
            Buyer._meta.get_field("organization").remote_field, admin.site
        ),
    )
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    max_km = forms.IntegerField(
        label=_("最远采购距离（公里）"), min_value=1, max_value=20_000, initial=40
    )
    opening_hours = OpeningHoursField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("周一至周日七行，如“08:30-17:30”，不开放的一天写“-”。"),
    )

    class Meta:
        model = Outlet
        fields = [*BUYER_FIELDS, "address", "opening_hours", "producers", "products"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            buyer = self.instance.buyer
            for name in BUYER_FIELDS:
                attname = "organization_id" if name == "organization" else name
                self.initial[name] = getattr(buyer, attname)


@admin.register(Outlet)
class OutletAdmin(ServiceAdmin):
    form = OutletForm
    list_display = ("buyer_name", "buyer_organization", "address", "product_list", "producer_count")
    search_fields = ("buyer__name", "buyer__organization__name", "address")
    list_select_related = ("buyer", "buyer__organization")
    show_full_result_count = False
    fields = [
        *BUYER_FIELDS,
        "address",
        "opening_hours",
        "producers",
        "products",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("producers",)
    filter_horizontal = ("products",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("products", "producers")

    @admin.display(description=_("名称"), ordering="buyer__name")
    def buyer_name(self, obj: Outlet) -> str:
        return obj.buyer.name

    @admin.display(description=_("所属社区党组织"))
    def buyer_organization(self, obj: Outlet) -> str:
        return obj.buyer.organization.name

    @admin.display(description=_("展销的农产品"))
    def product_list(self, obj: Outlet) -> str:
        return "、".join(p.name for p in obj.products.all())

    @admin.display(description=_("展销的合作社"))
    def producer_count(self, obj: Outlet) -> int:
        return len(obj.producers.all())

    def service_save(self, request, obj, data: dict) -> Outlet:
        values = {name: data[name] for name in [*BUYER_FIELDS, "address", "opening_hours"]}
        values.update(producers=list(data["producers"]), products=list(data["products"]))
        if obj is None:
            return services.outlet_create(actor=request.user, **values)
        return services.outlet_update(actor=request.user, outlet=obj, **values)

    def audit_path(self, obj: Outlet) -> str:
        return obj.buyer.org_path

    def in_use(self, obj: Outlet) -> bool:
        # The outlet goes with its buyer unit: anything referring to either keeps both.
        return in_use(obj) or in_use(obj.buyer, ignore=(Outlet,))

    def delete_model(self, request, obj: Outlet) -> None:
        buyer = obj.buyer
        audit.record(
            actor=request.user,
            action=AuditAction.DELETE,
            obj=obj,
            org_path=buyer.org_path,
            before={
                **audit.snapshot(buyer, services.BUYER_FIELDS),
                "address": obj.address,
                "products": sorted(obj.products.values_list("pk", flat=True)),
                "producers": sorted(obj.producers.values_list("pk", flat=True)),
            },
        )
        buyer.delete()  # the outlet profile and what it carries go with it


@admin.register(OutletSale)
class OutletSaleAdmin(ServiceAdmin):
    list_display = ("outlet", "month_label", "product", "producer", "kg", "yuan")
    list_select_related = ("outlet__buyer", "product", "producer")
    search_fields = ("outlet__buyer__name", "product__name", "producer__name")
    list_filter = ("product",)
    date_hierarchy = "month"
    show_full_result_count = False
    fields = ["outlet", "month", "product", "producer", "kg", "yuan", "created_by", "created_at"]
    readonly_fields = ("created_by", "created_at")
    raw_id_fields = ("outlet", "producer")
    audit_fields = services.SALE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # A recorded sale stays at its outlet (its path is the outlet's buyer's).
        return (*self.readonly_fields, "outlet") if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["month"].help_text = _("该月任一天均可，按月份保存。")
        return form

    @admin.display(description=_("月份"), ordering="month")
    def month_label(self, obj: OutletSale) -> str:
        return f"{obj.month:%Y-%m}"

    def service_save(self, request, obj, data: dict) -> OutletSale:
        values = {name: data[name] for name in ("month", "product", "producer", "kg", "yuan")}
        if obj is None:
            return services.outlet_sale_record(actor=request.user, outlet=data["outlet"], **values)
        return services.outlet_sale_update(actor=request.user, sale=obj, **values)

    def audit_path(self, obj: OutletSale) -> str:
        return obj.buyer_path
