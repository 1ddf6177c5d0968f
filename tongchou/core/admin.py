from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error
from tongchou.core.models import AuditAction, AuditEvent, LoginFailure


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


def in_use(obj, *, ignore: tuple = ()) -> bool:
    """Whether any row of any relation refers to ``obj`` (asked of every relation, so an app
    added later is covered without the asking app knowing it). ``ignore``: related models whose
    rows belong to ``obj`` itself and go with it."""
    return any(
        rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists()
        for rel in obj._meta.related_objects
        if rel.related_model not in ignore
    )


class ServiceAdmin(admin.ModelAdmin):
    """A back office page whose adds and edits go through the app's service, so derived fields
    (paths, regions, counts), validation, staff reach and the audit event are exactly the pages'.

    The form asks the service first, in a savepoint rolled back at once, so a refusal shows on
    the form at the field it names and nothing is written; saving runs it again for real. A
    deletion is refused while anything refers to the row, and audited. No bulk actions: a bulk
    delete would bypass both."""

    actions = None
    audit_fields: list[str] = []  # the snapshot a deletion leaves in the audit log
    error_fields: dict[str, str] = {}  # the service's name of an input → the form's

    def service_save(self, request, obj, data: dict):
        """Create (``obj`` None) or update ``obj`` through the service; return the saved row."""
        raise NotImplementedError

    def audit_path(self, obj) -> str:
        return getattr(obj, "org_path", "")

    def in_use(self, obj) -> bool:
        return in_use(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(base):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    model_admin.rehearse(request, self, obj if change else None)
                return cleaned

        return ServiceCheckedForm

    def rehearse(self, request, form, obj) -> None:
        """Run the service on the form's data and roll it back: its refusal lands on the form."""
        try:
            with transaction.atomic():
                self.service_save(request, obj, form.cleaned_data)
                transaction.set_rollback(True)
        except ApplicationError as exc:
            exc.field = self.error_fields.get(exc.field, exc.field)
            apply_error(form, exc)
        except PermissionDenied:
            form.add_error(None, _("您无权进行此项修改。"))

    def save_model(self, request, obj, form, change):
        try:
            saved = self.service_save(request, obj if change else None, form.cleaned_data)
        except (ApplicationError, PermissionDenied) as exc:
            # Refused between the check and the save (the row changed meanwhile): nothing saved.
            messages.error(request, str(getattr(exc, "message", "")) or _("未保存。"))
            request._tongchou_refused = True
            return
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # the service set the relations (a form's save_m2m would write past it)

    def _refused(self, request) -> bool:
        return getattr(request, "_tongchou_refused", False)

    def log_addition(self, request, obj, message):
        if not self._refused(request):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not self._refused(request):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if self._refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A row in use stays (stop or close it instead); the delete page answers 403.
        return super().has_delete_permission(request, obj) and (obj is None or not self.in_use(obj))

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=AuditAction.DELETE,
            obj=obj,
            org_path=self.audit_path(obj),
            before=audit.snapshot(obj, self.audit_fields),
        )
        super().delete_model(request, obj)
