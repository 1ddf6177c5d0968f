"""Forms of the resource pages: types and formats only; the rules live in the services and
come back through ``core.forms.apply_error``. Organization pickers offer only what is in scope."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import FastSelect, OpeningHoursField
from tongchou.education.forms import OrganizationCodeField
from tongchou.members.selectors import role_organization_for
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.resources.models import Bookers, ResourceKind, ResourceStatus, Visibility
from tongchou.resources.permissions import MANAGE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
ORG_DATALIST_LIMIT = 300


def _scoped_orgs(user, action=MANAGE):
    return organization_list_for(user, action=action).filter(status=OrgStatus.ACTIVE)


class ResourceForm(forms.Form):
    owner = OrganizationCodeField(label=_("所属党组织代码"))
    kind = forms.ChoiceField(label=_("类别"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("名称"), max_length=200)
    status = forms.ChoiceField(
        label=_("状态"), choices=ResourceStatus.choices, initial=ResourceStatus.IN_USE
    )
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1, required=False)
    topics = forms.CharField(
        label=_("授课专题"),
        max_length=300,
        required=False,
        help_text=_("师资填写，如：乡村振兴、农村电商。"),
    )
    member = forms.ModelChoiceField(
        label=_("师资党员"), queryset=None, required=False, help_text=_("师资是党员时选择。")
    )
    person_name = forms.CharField(label=_("师资姓名（非党员）"), max_length=50, required=False)
    region = forms.CharField(
        label=_("所在区划代码"),
        max_length=12,
        required=False,
        help_text=_("资源所在的街道、乡镇或村（社区）的区划代码；留空为所属党组织的驻地区划。"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    visibility = forms.ChoiceField(
        label=_("共享范围"), choices=Visibility.choices, initial=Visibility.COUNTY
    )
    bookers = forms.ChoiceField(label=_("谁可预约"), choices=Bookers.choices)
    allowed_orgs = forms.ModelMultipleChoiceField(
        label=_("可预约的党组织"),
        queryset=Organization.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    auto_confirm = forms.BooleanField(label=_("自动确认"), required=False)
    opening_hours = OpeningHoursField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("周一至周日各一行，如“08:30-17:30”，不开放写“-”；留空表示不限时间。"),
    )
    closed_on_days_off = forms.BooleanField(
        label=_("法定节假日不开放"), required=False, initial=True
    )
    lead_hours = forms.IntegerField(label=_("至少提前（小时）"), min_value=0, initial=0)
    max_minutes = forms.IntegerField(label=_("单次最长（分钟）"), min_value=1, required=False)
    monthly_quota = forms.IntegerField(
        label=_("每个党组织每月限约次数"), min_value=1, required=False
    )
    buffer_before = forms.IntegerField(label=_("布置时间（分钟）"), min_value=0, initial=0)
    buffer_after = forms.IntegerField(label=_("整理时间（分钟）"), min_value=0, initial=0)
    hold_hours = forms.IntegerField(
        label=_("待审批申请保留（小时）"), min_value=1, max_value=24 * 30, initial=48
    )

    def __init__(self, *args, user, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        from tongchou.members.models import Member
        from tongchou.organizations.permissions import scope_for

        members = Member.objects.filter(
            scope_for(user, Action.VIEW_MEMBERS).q("org_path"), archived=False
        )
        self.fields["member"].queryset = members
        self.fields["member"].widget = FastSelect(
            choices=[("", "—"), *((str(m.pk), m.name) for m in members.order_by("name")[:300])]
        )
        visible = _scoped_orgs(user, Action.VIEW_ORGS)
        self.fields["allowed_orgs"].queryset = Organization.objects.filter(status=OrgStatus.ACTIVE)
        self.fields["allowed_orgs"].widget.choices = [
            (code, name)
            for code, name in visible.order_by("path").values_list("code", "name")[:300]
        ]
        if resource is not None:
            del self.fields["owner"]
            self.org_options = []
            return
        orgs = _scoped_orgs(user)
        self.fields["owner"].queryset = orgs
        self.org_options = list(orgs.order_by("path").values_list("code", "name")[:300])
        if not self.initial.get("owner"):
            org = role_organization_for(user, MANAGE)
            if org is not None:
                self.initial["owner"] = org.code

    @staticmethod
    def initial_for(resource) -> dict:
        values = {
            name: getattr(resource, name)
            for name in [
                "kind",
                "name",
                "status",
                "capacity",
                "topics",
                "person_name",
                "address",
                "latitude",
                "longitude",
                "description",
                "visibility",
                "bookers",
                "auto_confirm",
                "opening_hours",
                "closed_on_days_off",
                "lead_hours",
                "max_minutes",
                "monthly_quota",
                "buffer_before",
                "buffer_after",
                "hold_hours",
            ]
        }
        values["member"] = resource.member_id
        values["region"] = resource.region_id
        values["allowed_orgs"] = [o.code for o in resource.allowed_orgs.all()]
        return values

    def clean_region(self):
        from tongchou.regions.models import Region

        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划代码不存在。"))
        return region

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("region") is None:
            data.pop("region", None)
        for name in ("lead_hours", "buffer_before", "buffer_after"):
            data[name] = data.get(name) or 0
        data["topics"] = data.get("topics") or ""
        return data


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


class SearchForm(forms.Form):
    """ "A room for 40 people in 大武口区 next Tuesday afternoon": kind, topic, region,
    capacity and a free time."""

    kind = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *ResourceKind.choices], required=False
    )
    topic = forms.CharField(label=_("名称或专题"), max_length=50, required=False)
    region = forms.ChoiceField(label=_("所在区划"), required=False)
    capacity = forms.IntegerField(label=_("至少容纳（人）"), min_value=1, required=False)
    day = forms.DateField(label=_("日期"), required=False, widget=DATE)
    start = forms.TimeField(label=_("开始"), required=False, widget=TIME)
    end = forms.TimeField(label=_("结束"), required=False, widget=TIME)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部")), *regions]
        self.fields["region"].widget = FastSelect(choices=self.fields["region"].choices)

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and (start is None or end is None):
            start, end = start or dt.time(8, 0), end or dt.time(18, 0)
        if (start or end) and not day:
            self.add_error("day", _("请选择日期。"))
        if day and start and end:
            if end <= start:
                self.add_error("end", _("结束时间应晚于开始时间。"))
            data["starts_at"], data["ends_at"] = _aware(day, start), _aware(day, end)
        return data


class BookingForm(forms.Form):
    organization = OrganizationCodeField(label=_("预约党组织代码"))
    day = forms.DateField(label=_("日期"), widget=DATE)
    start = forms.TimeField(label=_("开始时间"), widget=TIME)
    end = forms.TimeField(label=_("结束时间"), widget=TIME)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    people = forms.IntegerField(label=_("预计人数"), min_value=0, max_value=100000)
    repeat = forms.ChoiceField(
        label=_("重复"),
        required=False,
        choices=[("", _("不重复")), ("weekly", _("每周")), ("monthly", _("每月"))],
    )
    count = forms.IntegerField(label=_("共几次"), min_value=1, max_value=52, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = _scoped_orgs(user)
        self.fields["organization"].queryset = orgs
        self.org_options = list(
            orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )
        if not self.initial.get("organization"):
            org = role_organization_for(user, MANAGE)
            if org is not None:
                self.initial["organization"] = org.code

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            data["starts_at"], data["ends_at"] = _aware(day, start), _aware(day, end)
        if data.get("repeat") and not data.get("count"):
            self.add_error("count", _("请填写重复次数。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class FlowForm(forms.Form):
    org = forms.ChoiceField(label=_("党组织"), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("全部（我的范围）")), *orgs]
        self.fields["org"].widget = FastSelect(choices=self.fields["org"].choices)
