"""Forms of the pairing pages: types and formats only. The rules (spanning the urban–rural
line, the period, quantities, duplicates, scope) live in the services, whose errors come back
through ``core.forms.apply_error``."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongchou.members.selectors import role_organization_for
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.pairing.models import Giving, ItemKind, ItemUnit, PairKind, PairState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORG_DATALIST_LIMIT = 300
MAX_CODES = 20


def _org_options(user) -> list[tuple[str, str]]:
    return list(
        organization_list_for(user, action=Action.MANAGE_MEMBERS)
        .filter(status=OrgStatus.ACTIVE)
        .order_by("path")
        .values_list("code", "name")[:ORG_DATALIST_LIMIT]
    )


class CodesField(forms.CharField):
    """Organization codes separated by spaces, commas or new lines → active organizations
    (any: a pair crosses the line, often between counties); an unknown code is named."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        codes = list(dict.fromkeys(c for c in re.split(r"[\s,，、;；]+", text) if c))
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(gettext("最多%(n)s个党组织。") % {"n": MAX_CODES})
        found = {
            o.code: o for o in Organization.objects.filter(code__in=codes, status=OrgStatus.ACTIVE)
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                gettext("组织代码不存在或已撤销：%(codes)s。") % {"codes": "、".join(unknown[:5])}
            )
        return [found[c] for c in codes]


class PairForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("共建形式"), choices=PairKind.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    organizations = CodesField(
        label=_("结对党组织代码"),
        widget=forms.Textarea(attrs={"rows": 2, "list": "tc-org-codes"}),
        help_text=_(
            "城市一方（机关、企业、城市社区）和农村一方（村）的党组织代码，用空格或逗号分隔；"
            "至少一个在您的管理范围内。"
        ),
    )
    state = forms.ChoiceField(label=_("状态"), choices=PairState.choices)
    notes = forms.CharField(
        label=_("备注"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, pair=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.org_options = _org_options(user) if user is not None else []
        if pair is None:
            del self.fields["state"]
            if not self.initial.get("organizations") and user is not None:
                org = role_organization_for(user, Action.MANAGE_MEMBERS)
                if org is not None:
                    self.initial["organizations"] = org.code
        else:
            del self.fields["organizations"]

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        for name in ("starts_on", "ends_on"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, gettext("请填写有效的日期。"))
        if start and end and end < start:
            self.add_error("ends_on", gettext("结束日期不能早于开始日期。"))
        return data

    @classmethod
    def initial_for(cls, pair) -> dict:
        return {
            f: getattr(pair, f) for f in ("name", "kind", "starts_on", "ends_on", "state", "notes")
        }


class MemberForm(forms.Form):
    organization = forms.CharField(
        label=_("党组织代码"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "tc-org-codes"}),
    )

    def clean_organization(self):
        code = self.cleaned_data["organization"].strip()
        org = Organization.objects.filter(code=code, status=OrgStatus.ACTIVE).first()
        if org is None:
            raise forms.ValidationError(
                gettext("组织代码不存在或已撤销：%(codes)s。") % {"codes": code}
            )
        return org


class ItemForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    direction = forms.ChoiceField(label=_("给出方向"), choices=Giving.choices)
    description = forms.CharField(label=_("约定内容"), max_length=300)
    quantity = forms.DecimalField(label=_("约定数量"), max_digits=14, decimal_places=2)
    unit = forms.ChoiceField(label=_("单位"), choices=ItemUnit.choices)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
