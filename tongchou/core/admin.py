from django.contrib import admin

from tongchou.core.models import AuditEvent, LoginFailure


def _superusers_only(request) -> bool:
    """The back office is not scoped (it sees every organization), so it is for the
    deployment's superusers only; everyone else works in the scoped pages and API."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only (the database refuses updates and deletes)."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "org_path"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed logins by username and source. Deleting a row lifts that lockout early."""

    list_display = ["username", "ip", "failures", "since"]
    search_fields = ["username", "ip"]
    date_hierarchy = "since"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
