"""Forms of the mobility pages: types and formats only; the rules are the services'
(errors come back through ``core.forms.apply_error``)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.members.forms import DATE, OrganizationCodeField
from tongchou.members.selectors import role_organization_for
from tongchou.mobility import selectors
from tongchou.mobility.models import ContactChannel, MobilityReason, StationKind, StationService
from tongchou.organizations.models import OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.regions.forms import RegionField

ORG_DATALIST_LIMIT = 300


def _org_options(orgs) -> list[tuple[str, str]]:
    return list(orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT])


class OutflowForm(forms.Form):
    destination_region = RegionField(
        label=_("流入地区划"),
        required=False,
        help_text=_("本系统内的流入地：输入名称查找，如“长胜街道”，也可填区划代码。"),
    )
    destination_text = forms.CharField(
        label=_("区外流入地"),
        max_length=200,
        required=False,
        help_text=_("流入地不在本系统内时填写，如“银川市金凤区”。"),
    )
    since = forms.DateField(label=_("外出时间"), widget=DATE)
    reason = forms.ChoiceField(label=_("外出原因"), choices=MobilityReason.choices)
    contact = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    expected_return = forms.DateField(label=_("预计返回"), widget=DATE, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        phone = member.phone_masked if member is not None and member.phone_enc else ""
        if phone:  # not typed again: blank takes the record's (shown masked)
            self.fields["contact"].widget.attrs["placeholder"] = phone
            self.fields["contact"].help_text = _(
                "留空则使用党员档案中的手机号 %(phone)s；在外使用其他号码时填写。"
            ) % {"phone": phone}


class InflowForm(forms.Form):
    inflow_org = OrganizationCodeField(
        label=_("流入党组织代码"), required=False, help_text=_("由党组织登记时填写。")
    )
    station = forms.ModelChoiceField(
        label=_("党员服务站"), queryset=None, required=False, help_text=_("在服务站登记时选择。")
    )
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    name = forms.CharField(label=_("姓名"), max_length=50, help_text=_("与身份证一致。"))
    home_text = forms.CharField(
        label=_("组织关系所在党组织"),
        max_length=200,
        help_text=_("党员本人所述（如流动党员活动证所载）。"),
    )
    since = forms.DateField(label=_("到达时间"), widget=DATE)
    reason = forms.ChoiceField(label=_("外出原因"), choices=MobilityReason.choices)
    contact = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("留空则沿用已登记的号码（本系统党员为其档案中的手机号）。"),
    )
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(
            status=OrgStatus.ACTIVE
        )
        self.fields["inflow_org"].queryset = orgs
        self.org_options = _org_options(orgs)
        stations = selectors.stations_for_registration(user).order_by("name")
        self.fields["station"].queryset = stations
        if len(self.fields["station"].choices) == 2:  # one station (and the empty choice)
            self.fields["station"].initial = next(iter(stations)).pk
        elif not self.initial.get("inflow_org"):
            org = role_organization_for(user, Action.MANAGE_MEMBERS)
            if org is not None:  # the organization the user manages, not typed again
                self.fields["inflow_org"].initial = org.code


class ContactForm(forms.Form):
    on = forms.DateField(label=_("联系日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("方式"), choices=ContactChannel.choices)
    note = forms.CharField(label=_("情况"), max_length=500, required=False)


class ReturnForm(forms.Form):
    on = forms.DateField(label=_("返回日期"), widget=DATE)


class EndForm(forms.Form):
    on = forms.DateField(label=_("结束日期"), widget=DATE)
    note = forms.CharField(label=_("结束原因"), max_length=500)


class StationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=StationKind.choices)
    organization = OrganizationCodeField(label=_("所属党组织代码"))
    region = RegionField(label=_("所在区划"), help_text=_("输入名称查找，也可填区划代码。"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("服务电话"), max_length=20, required=False)
    services = forms.MultipleChoiceField(
        label=_("服务项目"),
        choices=StationService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("运行中"), required=False, initial=True)
    staff = forms.CharField(
        label=_("工作人员（用户名）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "您管理范围内已有登录账号的用户名，多个用空格、逗号或换行分隔；"
            "新的工作人员请先在“账号”页为服务站开通账号。"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organization_list_for(user, action=Action.MANAGE_ORGS).filter(
            status=OrgStatus.ACTIVE
        )
        self.fields["organization"].queryset = orgs
        self.org_options = _org_options(orgs)
        self.fields["organization"].error_messages["invalid_choice"] = _(
            "组织代码不存在或不在您的管理范围内。"
        )
        if not self.initial.get("organization"):
            org = role_organization_for(user, Action.MANAGE_ORGS)
            if org is not None:  # the organization the user manages, and where it is
                self.initial.update(organization=org.code, region=org.region_id)

    def clean_staff(self) -> list[str]:
        return [n for n in re.split(r"[\s,，、]+", self.cleaned_data["staff"]) if n]

    @classmethod
    def initial_for(cls, station) -> dict:
        return {
            "name": station.name,
            "kind": station.kind,
            "organization": station.organization.code,
            "region": station.region_id,
            "address": station.address,
            "phone": station.phone,
            "services": station.services,
            "active": station.active,
            "staff": " ".join(sorted(station.staff.values_list("username", flat=True))),
        }
