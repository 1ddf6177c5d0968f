"""The member's own requests: a transfer, going out, having arrived. Forms check types and
turn codes into objects; the rules are the services' (transfers, mobility)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.organizations.models import Organization, OrgStatus
from tongchou.regions.forms import RegionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organization(code: str, field: str = "to_org"):
    code = (code or "").strip()
    if not code:
        return None
    org = Organization.objects.filter(code=code, status=OrgStatus.ACTIVE).first()
    if org is None:
        raise forms.ValidationError(_("组织代码不存在，请向转入方党组织核实。"))
    return org


class TransferRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("转往"),
        choices=[("within", _("本系统内的党组织")), ("outward", _("本系统以外的党组织"))],
        widget=forms.RadioSelect,
        initial="within",
    )
    to_org = forms.CharField(
        label=_("转入党组织代码"),
        max_length=32,
        required=False,
        help_text=_("转往本系统内时填写，可向转入方党组织询问。"),
    )
    to_text = forms.CharField(
        label=_("转入党组织名称"),
        max_length=200,
        required=False,
        help_text=_("转往本系统以外时填写全称。"),
    )
    to_region = RegionField(
        label=_("转入地区划"), required=False, help_text=_("输入名称查找，如“兴庆区”；也可填代码。")
    )
    reason = forms.CharField(
        label=_("转接原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_to_org(self):
        return _organization(self.cleaned_data["to_org"])

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if data["kind"] == "within":
            data.update(to_text="", to_region=None)
        else:
            data["to_org"] = None
        return data


def reason_choices():
    from tongchou.mobility.models import MobilityReason

    return MobilityReason.choices


class GoingOutForm(forms.Form):
    destination_region = RegionField(
        label=_("去往区划"),
        required=False,
        help_text=_("在本系统内（如石嘴山市的街道）时输入名称查找，如“长胜街道”；也可填代码。"),
    )
    destination_text = forms.CharField(
        label=_("去往地点"), max_length=200, required=False, help_text=_("本系统以外时填写。")
    )
    since = forms.DateField(label=_("外出时间"), widget=DATE)
    reason = forms.ChoiceField(label=_("外出原因"), choices=reason_choices)
    contact = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    expected_return = forms.DateField(label=_("预计返回"), widget=DATE, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class ArrivedForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("党员服务站"),
        queryset=None,
        required=False,
        help_text=_("到了有党员服务站的地方，选择服务站。"),
    )
    inflow_org = forms.CharField(
        label=_("流入党组织代码"),
        max_length=32,
        required=False,
        help_text=_("没有服务站时，填写所在地党组织的代码。"),
    )
    since = forms.DateField(label=_("到达时间"), widget=DATE)
    reason = forms.ChoiceField(label=_("外出原因"), choices=reason_choices)
    contact = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        from tongchou.mobility.models import ServiceStation

        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = ServiceStation.objects.filter(active=True).order_by(
            "org_path", "name"
        )

    def clean_inflow_org(self):
        return _organization(self.cleaned_data["inflow_org"], "inflow_org")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("station") and not data.get("inflow_org"):
            self.add_error("station", _("请选择服务站或填写流入党组织代码。"))
        return data
