from django.contrib import admin

from tongchou.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions come from ``import_regions``; here they are looked up, not edited."""

    list_display = ["code", "name", "level", "kind", "urban_rural", "parent"]
    list_filter = ["level", "kind", "urban_rural"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
