"""Back office. Structure (parent, path, type, lead, status) changes only through the pages and
their services, which keep paths and copies consistent and audit every change; here an
organization's plain attributes can be corrected, and that too goes through the service."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from tongchou.core.errors import ApplicationError
from tongchou.organizations.models import Organization, Role, Unit
from tongchou.organizations.services import organization_update

ADMIN_EDITABLE = ["name", "code", "founded_on", "secretary_name", "formation"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "org_type", "urban_rural", "status", "region"]
    list_filter = ["kind", "org_type", "status", "urban_rural", "formation"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]
    show_full_result_count = False
    fields = [
        *ADMIN_EDITABLE,
        "kind",
        "org_type",
        "sector",
        "chain_links",
        "region",
        "urban_rural",
        "parent",
        "lead",
        "units",
        "status",
        "dissolved_on",
        "path",
        "depth",
    ]
    readonly_fields = [f for f in fields if f not in ADMIN_EDITABLE]

    def has_add_permission(self, request):
        return False  # new organizations are created on the organization pages

    def has_delete_permission(self, request, obj=None):
        return False  # organizations are dissolved, never deleted

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if not changes:
            return
        try:
            organization_update(actor=request.user, org=obj, **changes)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            request._tongchou_refused = True

    def response_change(self, request, obj):
        # A refused change saved nothing: back to the form with the reason, not "changed
        # successfully".
        if getattr(request, "_tongchou_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Who holds which role where: the one place roles are granted."""

    list_display = ["user", "kind", "organization"]
    list_filter = ["kind"]
    search_fields = ["user__username", "organization__name", "organization__code"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]
