"""Forms of the jobs pages: types and formats only. The rules live in the services, whose
errors come back through ``core.forms.apply_error``. Pickers offer only what the user may use."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongchou.core.validators import MAX_ID
from tongchou.jobs.models import PAY_MAX, TEXT_MAX, ApplicationState, OpeningState, SeekerKind
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.models import UnitKind as OrgUnitKind
from tongchou.organizations.permissions import Action, scope_for
from tongchou.regions.models import RegionLevel
from tongchou.service.models import AllianceUnit
from tongchou.service.permissions import staffed_unit_ids
from tongchou.talent.models import Skill

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPENING_ORDER = ["unit", "employer", "title", "skills", "region", "address", "lat", "lon",
                 "pay_min", "pay_max", "positions", "first_day", "last_day", "description",
                 "state"]  # fmt: skip
SEEKER_ORDER = ["member", "organization", "name", "phone", "kinds", "skills", "max_km",
                "regions", "lat", "lon", "available_from", "consent_on", "note"]  # fmt: skip


def _skills_field(label):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Skill.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={"invalid_choice": _("未知的技能：%(value)s。")},
    )


def postable_units(user):
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    q = Q(pk__in=staffed_unit_ids(user))
    if not scope.is_empty:
        q |= scope.q("org_path")
    return AllianceUnit.objects.filter(q, active=True).order_by("name")


def enterprise_organizations(user):
    scope = scope_for(user, Action.MANAGE_MEMBERS)
    if scope.is_empty:
        return Organization.objects.none()
    ids = Organization.objects.filter(
        scope.q("path"), status=OrgStatus.ACTIVE, units__kind=OrgUnitKind.ENTERPRISE
    ).values("pk")
    return Organization.objects.filter(pk__in=ids).order_by("path")


def villages(user):
    return Organization.objects.filter(
        scope_for(user, Action.MANAGE_MEMBERS).q("path"),
        status=OrgStatus.ACTIVE,
        region__level=RegionLevel.VILLAGE,
    ).order_by("path")


class OpeningForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("发布单位（服务联盟）"), queryset=AllianceUnit.objects.none(), required=False
    )
    employer = forms.ModelChoiceField(
        label=_("发布企业党组织"), queryset=Organization.objects.none(), required=False
    )
    title = forms.CharField(label=_("岗位名称"), max_length=100)
    region = forms.CharField(
        label=_("工作地点（区划代码）"), max_length=12, help_text=_("如 640202001。")
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180, required=False)
    pay_min = forms.IntegerField(label=_("月薪下限（元）"), min_value=0, max_value=PAY_MAX)
    pay_max = forms.IntegerField(label=_("月薪上限（元）"), min_value=0, max_value=PAY_MAX)
    positions = forms.IntegerField(label=_("招聘人数"), min_value=1, max_value=10000, initial=1)
    first_day = forms.DateField(label=_("用工开始日期"), widget=DATE)
    last_day = forms.DateField(label=_("用工结束日期"), widget=DATE)
    description = forms.CharField(
        label=_("岗位说明"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[(OpeningState.OPEN, OpeningState.OPEN.label),
                 (OpeningState.CLOSED, OpeningState.CLOSED.label)],
        required=False,
    )  # fmt: skip

    def __init__(self, *args, user=None, opening=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {**self.fields, "skills": _skills_field(_("所需技能"))}
        fields = {n: fields[n] for n in OPENING_ORDER}
        if opening is None:
            fields["unit"].queryset = postable_units(user)
            fields["employer"].queryset = enterprise_organizations(user)
            del fields["state"]
        else:
            del fields["unit"], fields["employer"]
        self.fields = fields


class SeekerForm(forms.Form):
    member = forms.IntegerField(
        label=_("党员编号"),
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("求职者是党员时填写；姓名、电话取自党员信息，不重复保存。"),
    )
    organization = forms.ModelChoiceField(
        label=_("所在村"), queryset=Organization.objects.none(), required=False
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("人员类别"), choices=SeekerKind.choices, widget=forms.CheckboxSelectMultiple
    )
    max_km = forms.IntegerField(
        label=_("最远通勤距离（公里）"), min_value=0, max_value=20000, required=False
    )
    regions = forms.CharField(
        label=_("愿意工作的地区"),
        required=False,
        max_length=500,
        help_text=_("区划代码，以逗号或空格分隔，如 640202；与通勤距离至少填一项。"),
    )
    lat = forms.FloatField(label=_("常住地纬度"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("常住地经度"), min_value=-180, max_value=180, required=False)
    available_from = forms.DateField(label=_("可上岗日期"), widget=DATE)
    consent_on = forms.DateField(
        label=_("本人同意登记日期"),
        widget=DATE,
        required=False,
        help_text=_("须本人同意后才能登记；记录人为当前登录账号。"),
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, user=None, seeker=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {**self.fields, "skills": _skills_field(_("技能"))}
        self.fields = {n: fields[n] for n in SEEKER_ORDER}
        if seeker is None:
            self.fields["organization"].queryset = villages(user)
        else:
            for name in ("member", "organization", "consent_on"):
                del self.fields[name]
            if seeker.member_id:
                del self.fields["name"], self.fields["phone"]

    def clean_regions(self) -> list[str]:
        return [c for c in re.split(r"[\s,，、]+", self.cleaned_data.get("regions") or "") if c]


class ApplyForm(forms.Form):
    opening = forms.IntegerField(label=_("岗位编号"), min_value=1, max_value=MAX_ID)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class StepForm(forms.Form):
    to_state = forms.ChoiceField(label=_("变为"), choices=ApplicationState.choices)
    outcome = forms.CharField(
        label=_("结果说明"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    on = forms.DateField(label=_("日期"), widget=DATE, required=False)
