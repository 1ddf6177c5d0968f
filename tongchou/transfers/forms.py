"""Forms of the transfer pages: types and formats only; the rules are the services'."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tongchou.members.choices import Category, Education, Ethnicity, Gender
from tongchou.members.selectors import MEMBER_HOLDING_KINDS, role_organization_for
from tongchou.organizations.models import Organization, OrgKind, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.regions.forms import RegionField
from tongchou.transfers.models import TransferKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def destination_organizations():
    """Any active organization of the deployment that holds members (not a party group): a
    transfer is exactly the move to an organization outside one's own scope."""
    return Organization.objects.filter(status=OrgStatus.ACTIVE).exclude(kind=OrgKind.GROUP)


class DestinationField(forms.ModelChoiceField):
    """An organization typed by its code; the page offers names as you type (datalist)."""

    default_error_messages = {
        "invalid_choice": _("组织代码不存在，或该组织已撤销、是党小组，不能接收党员。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        attrs = {
            "list": "tc-transfer-orgs",
            "autocomplete": "off",
            "hx-get": reverse_lazy("transfers:organizations"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#tc-transfer-orgs",
        }
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(destination_organizations(), **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.code
        return super().prepare_value(value)


class UnechoedTextInput(forms.TextInput):
    """A text box that never sends its value back (an ID number typed into a form that comes
    back with an error is not echoed into the page)."""

    def format_value(self, value):
        return None


class RequestForm(forms.Form):
    """Within or outward, for one member."""

    kind = forms.ChoiceField(
        label=_("转接类型"),
        choices=[c for c in TransferKind.choices if c[0] != TransferKind.INWARD],
        widget=forms.RadioSelect,
        initial=TransferKind.WITHIN,
    )
    to_org = DestinationField(
        label=_("转入党组织代码"),
        required=False,
        help_text=_("系统内转接填写：输入组织名称或代码查找。"),
    )
    to_text = forms.CharField(
        label=_("转入党组织名称（系统外）"),
        max_length=200,
        required=False,
        help_text=_("转出至系统外时填写，如“银川市兴庆区凤凰北街街道党工委”。"),
    )
    to_region = RegionField(
        label=_("转入地区划"), required=False, help_text=_("可不填；输入名称查找，也可填代码。")
    )
    reason = forms.CharField(label=_("转接原因"), max_length=200)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if data["kind"] == TransferKind.WITHIN:
            data["to_text"], data["to_region"] = "", None
        else:
            data["to_org"] = None
        return data


class InwardForm(forms.Form):
    """From outside the deployment: the received letter and the member's details."""

    to_org = DestinationField(label=_("转入党组织代码"))
    from_text = forms.CharField(label=_("转出党组织（系统外）"), max_length=200)
    letter_number = forms.CharField(
        label=_("介绍信编号"),
        max_length=100,
        help_text=_("收到的组织关系介绍信上的编号。"),
    )
    reason = forms.CharField(label=_("转接原因"), max_length=200)
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=Ethnicity.choices, initial="01")
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    occupation = forms.CharField(label=_("职业"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("党员类别"), choices=Category.choices)
    admission_date = forms.DateField(label=_("入党日期"), widget=DATE)
    full_member_date = forms.DateField(
        label=_("转正日期"), widget=DATE, required=False, help_text=_("正式党员填写。")
    )

    TRANSFER_FIELDS = ("to_org", "from_text", "letter_number", "reason")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget = UnechoedTextInput(attrs={"autocomplete": "off"})
        if not self.initial.get("to_org"):  # the branch receiving: the user's own, if one
            org = role_organization_for(user, Action.MANAGE_MEMBERS, kinds=MEMBER_HOLDING_KINDS)
            if org is not None:
                self.initial["to_org"] = org.code

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        transfer = {name: data.pop(name) for name in self.TRANSFER_FIELDS}
        return {**transfer, "incoming": data}


class StepForm(forms.Form):
    """A step of a transfer, carrying the version the person saw: if the transfer moved since
    (someone else acted first), the service refuses the step and says what changed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": _("页面已过期，请刷新后再办理。"),
            "invalid": _("页面已过期，请刷新后再办理。"),
        },
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"})


class ApproveOutForm(StepForm):
    """The outflow side's approval: the month the dues are paid up to, and — when this approval
    issues the letter (no upper approval needed) — the issuing organization's phone."""

    dues_paid_to = forms.CharField(
        label=_("党费交至"),
        max_length=20,
        widget=MONTH,
        help_text=_("该党员党费已交到的年月，印在介绍信上。"),
    )
    issuer_phone = forms.CharField(
        label=_("开具单位联系电话"),
        max_length=30,
        required=False,
        help_text=_("印在介绍信上；已按本组织上次开具的介绍信填好。"),
    )

    def __init__(self, *args, issues_letter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not issues_letter:
            del self.fields["issuer_phone"]


class ApproveUpperForm(StepForm):
    issuer_phone = ApproveOutForm.base_fields["issuer_phone"]


class ReturnForm(StepForm):
    reason = forms.CharField(label=_("退回理由"), max_length=500)
    note = None
