"""The back office: the taxonomy, the alliance, routing rules, calendar corrections, Open311
clients and city-service proxy stations. A calendar correction saved here goes through the
service (open deadlines move); an Open311 client's key is shown once, when issued; a proxy
station is added and edited through its service (village, region and path, staff reach, audit)
and deleted only while no need was filed at it."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.core import crypto
from tongchou.core.admin import ServiceAdmin
from tongchou.core.forms import OpeningHoursField
from tongchou.service import services
from tongchou.service.models import (
    AllianceUnit,
    CalendarCorrection,
    NeedCategory,
    Open311Client,
    ProxyService,
    ProxyStation,
    RoutingRule,
)


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "ack_days", "resolve_days", "active", "order")


@admin.register(AllianceUnit)
class AllianceUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "active")
    filter_horizontal = ("categories", "staff")
    autocomplete_fields = ()
    raw_id_fields = ("organization", "regions")

    def save_model(self, request, obj, form, change):
        obj.org_path = obj.organization.path
        super().save_model(request, obj, form, change)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "active")
    raw_id_fields = ("region",)


@admin.register(CalendarCorrection)
class CalendarCorrectionAdmin(admin.ModelAdmin):
    list_display = ("day", "is_workday", "note")

    def save_model(self, request, obj, form, change):
        moved = services.calendar_correct(
            actor=request.user, day=obj.day, is_workday=obj.is_workday, note=obj.note
        )
        obj.pk = CalendarCorrection.objects.get(day=obj.day).pk
        messages.info(request, _("已调整 %(n)s 件在办诉求的期限。") % {"n": moved})


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "organization", "active", "created_at")
    readonly_fields = ("key_prefix",)
    raw_id_fields = ("organization",)
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if not obj.key_hash:
            self._issue(request, obj)
        super().save_model(request, obj, form, change)

    def _issue(self, request, obj):
        key = secrets.token_urlsafe(24)
        obj.key_hash, obj.key_prefix = crypto.lookup_hash(key), key[:8]
        messages.warning(
            request,
            _("%(name)s 的 api_key（只显示这一次）：%(key)s") % {"name": obj.name, "key": key},
        )

    @admin.action(description=gettext_lazy("重新生成 api_key"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            self._issue(request, client)
            client.save(update_fields=["key_hash", "key_prefix"])


class ProxyStationForm(forms.ModelForm):
    opening_hours = OpeningHoursField(
        label=gettext_lazy("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy("周一至周日七行，如“08:30-17:30”，不开放的一天写“-”。"),
    )
    services = forms.MultipleChoiceField(
        label=gettext_lazy("代办事项"),
        choices=ProxyService.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProxyStation
        fields = [
            "name", "organization", "address", "opening_hours", "phone", "services", "staff",
            "active",
        ]  # fmt: skip


@admin.register(ProxyStation)
class ProxyStationAdmin(ServiceAdmin):
    form = ProxyStationForm
    list_display = ("name", "organization", "region", "service_list", "staff_count", "active")
    list_filter = ("active",)
    search_fields = ("name", "organization__name", "address")
    list_select_related = ("organization", "region")
    show_full_result_count = False
    raw_id_fields = ("organization",)
    filter_horizontal = ("staff",)
    fields = [
        "name",
        "organization",
        "region",
        "address",
        "opening_hours",
        "phone",
        "services",
        "staff",
        "active",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ("region", "created_at", "updated_at")  # the region is the village's
    audit_fields = services.PROXY_STATION_AUDITED

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(staff_total=Count("staff"))

    @admin.display(description=gettext_lazy("代办事项"))
    def service_list(self, obj: ProxyStation) -> str:
        return "、".join(obj.service_labels())

    @admin.display(description=gettext_lazy("工作人员"), ordering="staff_total")
    def staff_count(self, obj: ProxyStation) -> int:
        return obj.staff_total

    def service_save(self, request, obj, data: dict) -> ProxyStation:
        # Staff are checked by the service like on the pages: a new name must be an active
        # account (the superuser reaches every one); those already on the station stay.
        values = {
            "name": data["name"],
            "organization": data["organization"],
            "address": data["address"],
            "opening_hours": data["opening_hours"],
            "phone": data["phone"],
            "services": data["services"],
            "staff": list(data["staff"]),
            "active": data["active"],
        }
        if obj is None:
            return services.proxy_station_create(actor=request.user, **values)
        return services.proxy_station_update(actor=request.user, station=obj, **values)
