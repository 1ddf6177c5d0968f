"""The back office of the jobs platform.

Openings are posted and edited through the opening services (the poster's paths, pay range,
period, skills of the one taxonomy, filled following the hires, the audit) and deleted only
while nobody applied. Seekers are registered on the pages by their village, which takes the
person's consent: here a seeker is corrected through the seeker service, never added, the
consent record is read-only, and phones appear masked only. Applications move on the pages,
by the opening's side and the seeker's; here they and their steps are looked up."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongchou.core.admin import ServiceAdmin
from tongchou.jobs import services
from tongchou.jobs.models import Application, ApplicationEvent, JobSeeker, Opening, SeekerKind

OPENING_VALUES = [
    "title", "region", "address", "lat", "lon", "pay_min", "pay_max", "positions", "first_day",
    "last_day", "description",
]  # fmt: skip
SEEKER_VALUES = ["kinds", "max_km", "lat", "lon", "available_from", "active", "note"]


@admin.register(Opening)
class OpeningAdmin(ServiceAdmin):
    list_display = ("title", "poster", "region", "pay", "positions", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("title", "unit__name", "employer__name")
    list_select_related = ("unit", "employer", "region")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "unit",
        "employer",
        "title",
        "skills",
        "region",
        "address",
        "lat",
        "lon",
        "pay_min",
        "pay_max",
        "positions",
        "first_day",
        "last_day",
        "state",
        "description",
        "created_by",
        "created_at",
    ]
    readonly_fields = ("created_by", "created_at")
    raw_id_fields = ("unit", "employer", "region")
    filter_horizontal = ("skills",)
    audit_fields = services.OPENING_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a new opening is open; its state then follows edits and hires
            return (*self.readonly_fields, "state")
        return (*self.readonly_fields, "unit", "employer")  # the poster stays

    @admin.display(description=_("发布单位"))
    def poster(self, obj: Opening) -> str:
        return obj.poster_name

    @admin.display(description=_("月薪（元）"), ordering="pay_min")
    def pay(self, obj: Opening) -> str:
        return f"{obj.pay_min}–{obj.pay_max}"

    def service_save(self, request, obj, data: dict) -> Opening:
        values = {name: data[name] for name in OPENING_VALUES}
        values["skills"] = list(data["skills"])
        if obj is None:
            return services.opening_create(
                actor=request.user, unit=data["unit"], employer=data["employer"], **values
            )
        return services.opening_update(
            actor=request.user, opening=obj, state=data["state"], **values
        )


class SeekerForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("人员类别"), choices=SeekerKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = JobSeeker
        fields = [
            "resident_name", "kinds", "skills", "max_km", "regions", "lat", "lon",
            "available_from", "active", "note",
        ]  # fmt: skip


@admin.register(JobSeeker)
class JobSeekerAdmin(ServiceAdmin):
    form = SeekerForm
    list_display = (
        "name", "masked_phone", "organization", "kind_list", "active", "consent_on",
        "consent_withdrawn_on",
    )  # fmt: skip
    list_filter = ("active",)
    search_fields = ("resident_name", "member__name", "organization__name")
    list_select_related = ("member", "organization")
    show_full_result_count = False
    fields = [
        "member",
        "resident_name",
        "masked_phone",
        "organization",
        "kinds",
        "skills",
        "max_km",
        "regions",
        "lat",
        "lon",
        "available_from",
        "active",
        "note",
        "consent_on",
        "consent_recorded_by",
        "consent_withdrawn_on",
        "created_at",
    ]
    # Consent (when, recorded by whom, withdrawn when) is the village's record of what the
    # person said: read-only here. The phone only masked, as on every page.
    readonly_fields = (
        "member", "masked_phone", "organization", "consent_on", "consent_recorded_by",
        "consent_withdrawn_on", "created_at",
    )  # fmt: skip
    raw_id_fields = ("regions",)
    filter_horizontal = ("skills",)
    audit_fields = ["organization", "kinds", "available_from", "active", "consent_on"]
    error_fields = {"name": "resident_name"}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.member_id:  # a member's name is the member's
            return (*self.readonly_fields, "resident_name")
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # registered by the village on the pages, with the person's consent

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: JobSeeker) -> str:
        return obj.phone_masked

    @admin.display(description=_("人员类别"))
    def kind_list(self, obj: JobSeeker) -> str:
        return "、".join(obj.kind_labels())

    def service_save(self, request, obj, data: dict) -> JobSeeker:
        values = {name: data[name] for name in SEEKER_VALUES}
        values.update(skills=list(data["skills"]), regions=list(data["regions"]))
        if "resident_name" in data:
            values["name"] = data["resident_name"]
        return services.seeker_update(actor=request.user, seeker=obj, **values)


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: each step belongs to one side and leaves an event and an audit record, so
    applications move on the pages, never here."""

    list_display = ("seeker", "opening", "state", "applied_on", "decided_on")
    list_filter = ("state",)
    search_fields = ("seeker__resident_name", "seeker__member__name", "opening__title")
    list_select_related = ("seeker", "seeker__member", "opening")
    date_hierarchy = "applied_on"
    show_full_result_count = False
    fields = ["seeker", "opening", "state", "applied_on", "decided_on", "outcome", "created_by"]
    readonly_fields = fields
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
