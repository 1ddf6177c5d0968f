"""Forms of the education pages: types and formats only. The rules (hours, dates, who may be
recorded) live in the services; their errors come back through ``core.forms.apply_error``.
Pickers offer only what is in the user's scope, and validate against the same scoped querysets,
so an id out of scope reads exactly like an unknown one."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core.forms import FastSelect
from tongchou.core.validators import MAX_ID
from tongchou.education.models import CourseMode
from tongchou.members.selectors import role_organization_for
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORG_DATALIST_LIMIT = 300
MEMBER_CHOICES_LIMIT = 200


class OrganizationCodeField(forms.ModelChoiceField):
    """An organization typed by its code (a datalist offers the first few in scope)."""

    default_error_messages = {"invalid_choice": _("组织代码不存在或不在您的管理范围内。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "tc-org-codes"}))
        super().__init__(Organization.objects.none(), **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.code
        return super().prepare_value(value)


class _ScopedOrganization:
    def _scope_organizations(self, user, name: str = "organization") -> None:
        """The organizations the user may choose (a new course or training), the organization
        of their one managing role pre-filled (as on the other create forms)."""
        orgs = organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(
            status=OrgStatus.ACTIVE
        )
        self.fields[name].queryset = orgs
        self.org_options = list(
            orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )
        if not self.initial.get(name):
            org = role_organization_for(user, Action.MANAGE_MEMBERS)
            if org is not None:
                self.initial[name] = org.code


class CourseForm(_ScopedOrganization, forms.Form):
    organization = OrganizationCodeField(
        label=_("开设党组织代码"), help_text=_("课程面向该党组织及其所有下级。")
    )
    title = forms.CharField(label=_("课程名称"), max_length=200)
    provider = forms.CharField(
        label=_("提供方"), max_length=100, help_text=_("如：石嘴山市委党校、共产党员网。")
    )
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1)
    mode = forms.ChoiceField(label=_("形式"), choices=CourseMode.choices)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        if course is not None:
            del self.fields["organization"]
            self.org_options = []
        else:
            self._scope_organizations(user)


class TrainingForm(_ScopedOrganization, forms.Form):
    station = forms.ModelChoiceField(
        label=_("党员服务站"),
        queryset=None,
        required=False,
        help_text=_("在服务站举办时选择；举办党组织即服务站所属党组织。"),
    )
    organization = OrganizationCodeField(
        label=_("举办党组织代码"), required=False, help_text=_("不在服务站举办时填写。")
    )
    title = forms.CharField(label=_("培训名称"), max_length=200)
    skill = forms.CharField(
        label=_("技能方向"), max_length=100, required=False, help_text=_("如：电商直播、农机维修。")
    )
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1)
    trainer = forms.CharField(label=_("授课人"), max_length=100, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)

    def __init__(self, *args, user, training=None, **kwargs):
        super().__init__(*args, **kwargs)
        if training is not None:
            del self.fields["station"]
            del self.fields["organization"]
            self.org_options = []
            return
        from tongchou.education.selectors import station_choices_for

        stations = station_choices_for(user)
        self.fields["station"].queryset = stations
        self.fields["station"].widget = FastSelect(
            choices=[("", "—"), *((str(s.pk), s.name) for s in stations.order_by("name")[:300])]
        )
        self._scope_organizations(user)

    def clean(self):
        data = super().clean()
        if "organization" not in self.fields or self.errors:
            return data
        if not data.get("station") and not data.get("organization"):
            self.add_error("organization", _("请选择服务站或填写举办党组织代码。"))
        if data.get("station") and "organization" not in self.changed_data:
            data["organization"] = None  # the pre-filled default gives way to the station's
        return data


class StudyRecordForm(forms.Form):
    member = forms.ModelChoiceField(
        label=pgettext_lazy("one person", "党员"),
        queryset=None,
        error_messages={"invalid_choice": _("该党员不存在或不在您的管理范围内。")},
    )
    course = forms.ModelChoiceField(
        label=_("课程"),
        queryset=None,
        required=False,
        help_text=_("选择课程时，学习内容和学时默认取自课程。"),
    )
    title = forms.CharField(label=_("学习内容"), max_length=200, required=False)
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1, required=False)
    studied_on = forms.DateField(label=_("学习日期"), widget=DATE)

    def __init__(self, *args, user, search: str = "", selected=None, **kwargs):
        from tongchou.education.selectors import course_list_for
        from tongchou.members.selectors import member_list_for

        super().__init__(*args, **kwargs)
        members = member_list_for(user, action=Action.MANAGE_MEMBERS)
        self.fields["member"].queryset = members
        shown = members.order_by("org_path", "name", "id")
        if search:
            shown = shown.filter(name__icontains=search)
        rows = list(shown.values_list("pk", "name", "organization__name")[:MEMBER_CHOICES_LIMIT])
        if selected is not None and all(pk != selected.pk for pk, _n, _o in rows):
            rows.insert(0, (selected.pk, selected.name, selected.organization.name))
        self.member_choice_count = len(rows)
        self.fields["member"].widget = FastSelect(
            choices=[("", "—"), *((str(pk), f"{name}（{org}）") for pk, name, org in rows)]
        )
        courses = course_list_for(user)
        self.fields["course"].queryset = courses
        self.fields["course"].widget = FastSelect(
            choices=[
                ("", "—"),
                *(
                    (str(pk), f"{title} · {provider}")
                    for pk, title, provider in courses.order_by("title", "id").values_list(
                        "pk", "title", "provider"
                    )[:300]
                ),
            ]
        )


class MemberIdsField(forms.ModelMultipleChoiceField):
    """Member ids, refused before the query when they cannot be an id (SQLite cannot even
    compare an integer past 64 bits: the form crashed instead of refusing it)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and int(text) <= MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ParticipantsForm(forms.Form):
    members = MemberIdsField(
        label=_("参训党员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选党员不能登记为本培训的参训党员。")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates
