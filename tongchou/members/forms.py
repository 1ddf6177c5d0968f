"""Forms of the member pages. They check types and formats only; the rules live in
``members.rules.check_member`` and are applied by the services (errors come back through
``core.forms.apply_error``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongchou.core.validators import id_number_facts, normalize_id_number
from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus
from tongchou.members.rules import HAND_SET_STATUSES, hand_set_status_error
from tongchou.members.selectors import MEMBER_HOLDING_KINDS, role_organization_for
from tongchou.members.services import PLAIN_FIELDS
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.regions.forms import RegionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORG_DATALIST_LIMIT = 300


class OrganizationCodeField(forms.ModelChoiceField):
    """An organization typed by its code (with a datalist of the first few in scope). The
    queryset is the user's scope, so a code out of scope reads exactly like an unknown one."""

    default_error_messages = {
        "invalid_choice": _("组织代码不存在或不在您的管理范围内。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "tc-org-codes"}))
        super().__init__(Organization.objects.none(), **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.code
        return super().prepare_value(value)


def manageable_organizations(user):
    return organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(status=OrgStatus.ACTIVE)


class ScopedOrganizationMixin:
    def _scope_organizations(self, user, *names: str) -> None:
        orgs = manageable_organizations(user)
        for name in names:
            self.fields[name].queryset = orgs
        self.org_options = list(
            orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )


def _status_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The statuses a person may pick (members.rules.HAND_SET_STATUSES), in the enum's order,
    plus the record's current one when a workflow set it (shown, not changeable)."""
    return [
        (value, label)
        for value, label in MemberStatus.choices
        if value in HAND_SET_STATUSES or value == current
    ]


class MemberForm(ScopedOrganizationMixin, forms.Form):
    """Birth date and gender are shown, not typed: read off the ID number as it is typed
    (static/js/id-facts.js) and computed again by the service whatever the page sends."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"data-tc-id-facts": "", "autocomplete": "off"}),
    )
    gender = forms.CharField(
        label=_("性别"),
        required=False,
        disabled=True,
        help_text=_("由身份证号自动得出。"),
        widget=forms.TextInput(
            attrs={"data-tc-id-gender": "", "data-label-m": _("男"), "data-label-f": _("女")}
        ),
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        disabled=True,
        help_text=_("由身份证号自动得出。"),
        widget=forms.DateInput(attrs={"type": "date", "data-tc-id-birth": ""}, format="%Y-%m-%d"),
    )
    ethnicity = forms.ChoiceField(label=_("民族"), choices=Ethnicity.choices, initial="01")
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
    organization = OrganizationCodeField(
        label=_("所在党组织代码"), help_text=_("组织关系所在党支部（或党总支、党委）的代码。")
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=_status_choices(), initial=MemberStatus.NORMAL
    )
    home_region = RegionField(
        label=_("户籍区划"),
        required=False,
        help_text=_("输入名称查找，如“长胜街道”；也可填区划代码。"),
    )

    def __init__(self, *args, user, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self._scope_organizations(user, "organization")
        if member is None and not self.initial.get("organization"):
            org = role_organization_for(user, Action.MANAGE_MEMBERS, kinds=MEMBER_HOLDING_KINDS)
            if org is not None:
                self.initial["organization"] = org.code
        if member is not None:
            # The full numbers are not shown here (masked view); blank keeps them.
            for name, masked in (
                ("id_number", member.id_number_masked),
                ("phone", member.phone_masked),
            ):
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("当前为 %(v)s；留空则不修改。") % {"v": masked}
            status = self.fields["status"]
            status.choices = _status_choices(member.status)
            if member.status not in HAND_SET_STATUSES:
                status.disabled = True
                status.help_text = hand_set_status_error(MemberStatus.NORMAL, current=member.status)
        self._show_id_facts()

    def _show_id_facts(self) -> None:
        """After a submission, show what the typed ID number says (the page shows the facts
        of the number it is sent back with)."""
        if not self.is_bound:
            return
        try:
            birth, gender = id_number_facts(normalize_id_number(self.data.get("id_number", "")))
        except ValidationError:
            return
        self.initial["birth_date"] = birth
        self.initial["gender"] = Gender(gender).label

    def service_kwargs(self) -> dict:
        """Keyword arguments for member_create / member_update: birth date and gender come
        from the ID number (the service reads them off it); a status a workflow holds stays."""
        data = dict(self.cleaned_data)
        data.pop("birth_date", None)
        data.pop("gender", None)
        if self.fields["status"].disabled:
            data.pop("status", None)
        if self.member is not None:
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)
        return data

    @classmethod
    def initial_for(cls, member) -> dict:
        initial = {f: getattr(member, f) for f in PLAIN_FIELDS if f != "home_region"}
        initial["gender"] = member.get_gender_display()
        initial["organization"] = member.organization.code
        initial["home_region"] = member.home_region
        return initial


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("归档原因"), max_length=200, widget=forms.TextInput(), required=True
    )


class ImportForm(ScopedOrganizationMixin, forms.Form):
    file = forms.FileField(
        label=_("党员名册文件"),
        help_text=_(
            "Excel/WPS 表格（.xlsx、.xls、.et）或 CSV（UTF-8 或 GBK 编码）；"
            "表头上方可以有标题行，序号、备注等列会被忽略。"
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,.et,.csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.ms-excel,text/csv"
            }
        ),
    )
    default_org = OrganizationCodeField(
        label=_("默认党组织代码"),
        required=False,
        help_text=_("没有填写所在党组织（名称或代码）的行导入到这个党组织。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_organizations(user, "default_org")
