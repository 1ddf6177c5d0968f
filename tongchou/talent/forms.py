"""Forms of the talent pages: types and formats only. The rules live in the services, whose
errors come back through ``core.forms.apply_error``. Pickers offer only what is in the user's
scope and validate against the same scoped querysets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.validators import MAX_ID
from tongchou.members.selectors import role_organization_for
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.talent.models import ExchangeKind, Priority, Skill

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORG_DATALIST_LIMIT = 300
MAX_PERIODS = 6


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


def scope_organizations(form, user, name: str = "organization") -> None:
    orgs = organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(status=OrgStatus.ACTIVE)
    form.fields[name].queryset = orgs
    form.org_options = list(orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT])
    if not form.initial.get(name):
        org = role_organization_for(user, Action.MANAGE_MEMBERS)
        if org is not None:
            form.initial[name] = org.code


class PeriodsField(forms.CharField):
    """Availability periods, one a line: ``2026-03-01 2026-06-30`` (or with ``~``, ``至``)."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "2026-03-01 2026-06-30"})

    def to_python(self, value):
        import datetime as dt
        import re

        text = super().to_python(value) or ""
        periods = []
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [p for p in re.split(r"\s*(?:~|至|/|—|\s)\s*", line) if p]
            try:
                first, last = (dt.date.fromisoformat(p) for p in parts)
            except ValueError:
                raise forms.ValidationError(
                    _("第%(n)s行应为两个日期，如 2026-03-01 2026-06-30。") % {"n": n}
                ) from None
            if last < first:
                raise forms.ValidationError(_("第%(n)s行：结束日期不能早于开始日期。") % {"n": n})
            periods.append((first, last))
        if len(periods) > MAX_PERIODS:
            raise forms.ValidationError(_("最多填写%(n)s个时段。") % {"n": MAX_PERIODS})
        return periods

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{a:%Y-%m-%d} {b:%Y-%m-%d}" for a, b in value)
        return value


def _skills_field():
    return forms.ModelMultipleChoiceField(
        label=_("技能"),
        queryset=Skill.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("未知的技能：%(value)s。")},
    )


class ProfileForm(forms.Form):
    """What a member edits of their own profile, and a curator of anyone's."""

    skills = None  # set in __init__ (the taxonomy is read when the form is made)
    current_post = forms.CharField(label=_("现任职务"), max_length=100, required=False)
    returning = forms.BooleanField(label=_("返乡创业（引凤还巢）"), required=False)
    max_km = forms.IntegerField(
        label=_("最远服务距离（公里）"), min_value=0, max_value=20000, required=False
    )
    regions = forms.CharField(
        label=_("愿意服务的地区"),
        required=False,
        max_length=500,
        help_text=_("区划代码，以逗号或空格分隔，如 640221；不填则只按距离。"),
    )
    home_lat = forms.FloatField(label=_("常住地纬度"), min_value=-90, max_value=90, required=False)
    home_lon = forms.FloatField(
        label=_("常住地经度"), min_value=-180, max_value=180, required=False
    )
    capacity = forms.IntegerField(
        label=_("可同时承担的需求数"), min_value=0, max_value=20, initial=1
    )
    availability = PeriodsField(
        label=_("可服务时段"), required=False, help_text=_("每行一个时段：开始日期 结束日期。")
    )
    note = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"skills": _skills_field(), **self.fields}

    def clean_regions(self) -> list[str]:
        import re

        return [c for c in re.split(r"[\s,，、]+", self.cleaned_data.get("regions") or "") if c]


class ExpertForm(ProfileForm):
    organization = OrganizationCodeField(label=_("登记党组织代码"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        order = ["organization", "name", "phone"]
        self.fields = {
            **{k: self.fields[k] for k in order},
            **{k: v for k, v in self.fields.items() if k not in order},
        }
        scope_organizations(self, user)


class MemberTalentForm(ProfileForm):
    member = forms.IntegerField(label=_("党员编号"), min_value=1, max_value=MAX_ID)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"member": self.fields.pop("member"), **self.fields}


class NeedForm(forms.Form):
    organization = OrganizationCodeField(label=_("需求党组织代码"))
    title = forms.CharField(label=_("需求名称"), max_length=200)
    skill = forms.ModelChoiceField(
        label=_("所需技能"),
        queryset=Skill.objects.filter(active=True),
        error_messages={"invalid_choice": _("未知的技能。")},
    )
    kind = forms.ChoiceField(label=_("帮扶方式"), choices=ExchangeKind.choices)
    first_day = forms.DateField(label=_("开始日期"), widget=DATE)
    last_day = forms.DateField(label=_("结束日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    slots = forms.IntegerField(label=_("人数"), min_value=1, max_value=100, initial=1)
    priority = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user=None, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        if need is not None:
            del self.fields["organization"]
        else:
            scope_organizations(self, user)


class AssignmentForm(forms.Form):
    talent = forms.IntegerField(label=_("人才编号"), min_value=1, max_value=MAX_ID)
    kind = forms.ChoiceField(label=_("类型"), choices=ExchangeKind.choices)
    from_org = OrganizationCodeField(label=_("派出党组织代码"))
    to_org = OrganizationCodeField(label=_("接收党组织代码"))
    first_day = forms.DateField(label=_("开始日期"), widget=DATE)
    last_day = forms.DateField(label=_("结束日期"), widget=DATE)
    goals = forms.CharField(
        label=_("工作目标"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # One side is the user's own (the service checks it); the other may be anywhere: an
        # exchange crosses the urban-rural line, often between counties.
        active = Organization.objects.filter(status=OrgStatus.ACTIVE)
        self.fields["from_org"].queryset = active
        self.fields["to_org"].queryset = active
        self.org_options = list(
            organization_list_for(user, action=Action.MANAGE_MEMBERS)
            .filter(status=OrgStatus.ACTIVE)
            .order_by("path")
            .values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )


class LogForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    text = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("总结"), widget=forms.Textarea(attrs={"rows": 3}))
    ended_on = forms.DateField(label=_("实际结束日期"), widget=DATE, required=False)


class RoundForm(forms.Form):
    organization = OrganizationCodeField(label=_("统筹党组织代码"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organization_list_for(user, action=Action.MANAGE_ORGS).filter(
            status=OrgStatus.ACTIVE, kind__in=["committee", "working_committee"]
        )
        self.fields["organization"].queryset = orgs
        self.org_options = list(
            orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )
        if not self.initial.get("organization") and self.org_options:
            self.initial["organization"] = self.org_options[0][0]


class SwapForm(forms.Form):
    proposal = forms.IntegerField(min_value=1, max_value=MAX_ID)
    talent = forms.IntegerField(label=_("换成人才编号"), min_value=1, max_value=MAX_ID)
