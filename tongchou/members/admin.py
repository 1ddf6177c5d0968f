"""Back office views of the registry. Read-only: member records change only through the member
pages and API (their services check the rules and write the audit log), and personal numbers
appear here only masked, like everywhere else."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongchou.members.models import ImportJob, Member


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "masked_id_number", "category", "status", "organization"]
    list_filter = ["category", "status", "gender", "archived"]
    search_fields = ["name"]
    list_select_related = ["organization"]
    show_full_result_count = False
    fields = [
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "masked_id_number",
        "masked_phone",
        "education",
        "occupation",
        "category",
        "admission_date",
        "full_member_date",
        "organization",
        "status",
        "home_region",
        "user",
        "archived",
        "archived_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj: Member) -> str:
        return obj.id_number_masked

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Member) -> str:
        return obj.phone_masked


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "status", "total", "created_count", "error_count", "created_by"]
    list_filter = ["status"]
    fields = [
        "filename",
        "status",
        "total",
        "done",
        "created_count",
        "error_count",
        "message",
        "created_by",
        "default_org",
    ]
    readonly_fields = fields
