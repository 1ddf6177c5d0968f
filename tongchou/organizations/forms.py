"""Forms of the organization pages. They validate input and resolve codes through the scoped
selectors; every rule about structure lives in the services (errors come back through
``core.forms.apply_error``)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.organizations import selectors
from tongchou.organizations.models import (
    ChainLink,
    Formation,
    Organization,
    OrgKind,
    OrgType,
    Sector,
    UnitKind,
)
from tongchou.organizations.permissions import Action
from tongchou.regions.models import Region, UrbanRural

NEW_UNIT_ROWS = 3


def resolve_org(user, value: str, *, action: str = Action.VIEW_ORGS) -> Organization:
    """The organization with this code (or id) in the user's scope for ``action``; a clear
    message otherwise. Out of scope reads exactly like missing."""
    value = (value or "").strip()
    scoped = selectors.organization_list_for(user, action=action)
    org = scoped.filter(code=value).first()
    if org is None and value.isdigit():
        org = scoped.filter(pk=int(value)).first()
    if org is None:
        raise forms.ValidationError(
            _("找不到代码或编号为“%(value)s”的组织（或不在您的管辖范围内）。") % {"value": value},
            code="unknown_org",
        )
    return org


def resolve_region(value: str) -> Region:
    value = (value or "").strip()
    region = Region.objects.filter(code=value).first()
    if region is None:
        raise forms.ValidationError(
            _("区划代码“%(value)s”不存在。") % {"value": value}, code="unknown_region"
        )
    return region


class OrganizationForm(forms.Form):
    """Create (under a parent) or edit an organization."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    code = forms.CharField(
        label=gettext_lazy("组织代码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("留空则自动生成。"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("层级类别"), choices=OrgKind.choices)
    org_type = forms.ChoiceField(
        label=gettext_lazy("组织类型"), choices=OrgType.choices, initial=OrgType.STANDARD
    )
    formation = forms.ChoiceField(
        label=gettext_lazy("组建方式"), choices=Formation.choices, initial=Formation.SINGLE
    )
    region = forms.CharField(
        label=gettext_lazy("驻地区划代码"),
        max_length=12,
        help_text=gettext_lazy("统计用区划代码，如 640202001。"),
    )
    urban_rural = forms.ChoiceField(
        label=gettext_lazy("城乡"),
        required=False,
        choices=[("", gettext_lazy("按区划自动判断")), *UrbanRural.choices],
    )
    founded_on = forms.DateField(
        label=gettext_lazy("成立日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    secretary_name = forms.CharField(label=gettext_lazy("书记"), max_length=50, required=False)
    sector = forms.ChoiceField(
        label=gettext_lazy("服务的新就业群体"),
        required=False,
        choices=[("", "—"), *Sector.choices],
    )
    chain_links = forms.MultipleChoiceField(
        label=gettext_lazy("产业链环节"),
        required=False,
        choices=ChainLink.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    lead = forms.CharField(
        label=gettext_lazy("牵头组织代码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("联合党组织必填：承担主体责任的组织的代码或编号。"),
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("联合的现有单位"),
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("按住 Ctrl（手机上直接点选）可选多个；列出本市范围内的单位。"),
    )

    type_fields = {
        "sector": "functional",
        "chain_links": "industry_chain",
        "lead": "joint",
        "units": "joint",
    }

    def __init__(self, *args, user, editing: bool = False, region_prefix: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if editing:
            self.fields["code"].required = True
            self.fields["code"].help_text = ""
        in_scope = selectors.unit_list_for(user)
        self.fields["units"].queryset = in_scope
        # Offered: units in scope in the same city, plus those already attached (any unit in
        # scope is accepted). Scopes can hold thousands of units; one city's stay readable.
        offered = in_scope.select_related("region").order_by("name", "pk")
        if region_prefix:
            attached = [u.pk for u in (self.initial.get("units") or [])]
            offered = offered.filter(Q(region__code__startswith=region_prefix) | Q(pk__in=attached))
        self.fields["units"].widget.choices = [
            (unit.pk, f"{unit.name}（{unit.region.name}）") for unit in offered
        ]
        for i in range(1, NEW_UNIT_ROWS + 1):
            self.fields[f"new_unit_{i}_name"] = forms.CharField(
                label=gettext_lazy("新单位名称"), max_length=200, required=False
            )
            self.fields[f"new_unit_{i}_kind"] = forms.ChoiceField(
                label=gettext_lazy("类别"), required=False, choices=[("", "—"), *UnitKind.choices]
            )
            self.fields[f"new_unit_{i}_region"] = forms.CharField(
                label=gettext_lazy("区划代码"), max_length=12, required=False
            )

    def new_unit_rows(self):
        return [
            (self[f"new_unit_{i}_name"], self[f"new_unit_{i}_kind"], self[f"new_unit_{i}_region"])
            for i in range(1, NEW_UNIT_ROWS + 1)
        ]

    def main_fields(self):
        skip = set(self.type_fields) | {n for n in self.fields if n.startswith("new_unit_")}
        return [self[n] for n in self.fields if n not in skip]

    def clean_region(self):
        return resolve_region(self.cleaned_data["region"])

    def clean_lead(self):
        value = self.cleaned_data["lead"].strip()
        return resolve_org(self.user, value) if value else None

    def clean(self):
        data = super().clean()
        new_units = []
        for i in range(1, NEW_UNIT_ROWS + 1):
            name = (data.get(f"new_unit_{i}_name") or "").strip()
            kind = data.get(f"new_unit_{i}_kind") or ""
            region = (data.get(f"new_unit_{i}_region") or "").strip()
            if not (name or kind or region):
                continue
            if not name:
                self.add_error(f"new_unit_{i}_name", _("请填写新单位的名称。"))
            if not kind:
                self.add_error(f"new_unit_{i}_kind", _("请选择新单位的类别。"))
            try:
                region_obj = resolve_region(region)
            except forms.ValidationError as exc:
                self.add_error(f"new_unit_{i}_region", exc)
                continue
            if name and kind:
                new_units.append({"name": name, "kind": kind, "region": region_obj})
        data["new_units"] = new_units
        return data

    def service_values(self) -> dict:
        """Keyword arguments for organization_create / organization_update."""
        data = self.cleaned_data
        org_type = data["org_type"]
        return {
            "name": data["name"],
            "code": data["code"],
            "kind": data["kind"],
            "org_type": org_type,
            "formation": data["formation"],
            "region": data["region"],
            "urban_rural": data["urban_rural"],
            "founded_on": data["founded_on"],
            "secretary_name": data["secretary_name"],
            "sector": data["sector"] if org_type == OrgType.FUNCTIONAL else "",
            "chain_links": list(data["chain_links"]) if org_type == OrgType.INDUSTRY_CHAIN else [],
            "lead": data["lead"] if org_type == OrgType.JOINT else None,
        }

    @classmethod
    def initial_for(cls, org: Organization) -> dict:
        return {
            "name": org.name,
            "code": org.code,
            "kind": org.kind,
            "org_type": org.org_type,
            "formation": org.formation,
            "region": org.region_id,
            "urban_rural": org.urban_rural,
            "founded_on": org.founded_on,
            "secretary_name": org.secretary_name,
            "sector": org.sector,
            "chain_links": org.chain_links,
            "lead": org.lead.code if org.lead_id else "",
            "units": list(org.units.all()),
        }


class MoveForm(forms.Form):
    new_parent = forms.CharField(
        label=gettext_lazy("新的上级组织代码"),
        max_length=32,
        help_text=gettext_lazy("输入组织代码或编号；只能移到您可以管理的组织之下。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_parent(self):
        return resolve_org(self.user, self.cleaned_data["new_parent"], action=Action.MANAGE_ORGS)


class DissolveForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("撤销日期"),
        required=False,
        help_text=gettext_lazy("留空为今天。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=255, required=False)
    confirm = forms.BooleanField(label=gettext_lazy("我确认撤销该组织"), required=True)


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("名称或代码"), max_length=100, required=False)
