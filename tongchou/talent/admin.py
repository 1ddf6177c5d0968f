"""The skill taxonomy is kept by the deployment admin in the back office (superusers only);
each change is audited like every other."""

from django.contrib import admin

from tongchou.core import audit
from tongchou.core.admin import in_use
from tongchou.core.models import AuditAction
from tongchou.talent.models import Skill

FIELDS = ["code", "name", "name_en", "order", "active"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["code", "name", "name_en"]
    actions = None  # no bulk delete, which would bypass the audit

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(Skill.objects.get(pk=obj.pk), FIELDS) if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            before=before,
            after=audit.snapshot(obj, FIELDS),
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=AuditAction.DELETE,
            obj=obj,
            before=audit.snapshot(obj, FIELDS),
        )
        super().delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A skill in use stays (retire it instead): profiles, needs, and whatever other app
        # refers to the taxonomy (job openings and seekers) — asked of every relation, so an
        # app added later is covered without this one knowing it.
        return super().has_delete_permission(request, obj) and (obj is None or not in_use(obj))
