"""The back office: the taxonomy, the alliance, routing rules, calendar corrections and Open311
clients. A calendar correction saved here goes through the service (open deadlines move); an
Open311 client's key is shown once, when issued."""

import secrets

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.core import crypto
from tongchou.service import services
from tongchou.service.models import (
    AllianceUnit,
    CalendarCorrection,
    NeedCategory,
    Open311Client,
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
