"""Forms of the member pages. They check types and formats only; the rules live in
``members.rules.check_member`` and are applied by the services (errors come back through
``core.forms.apply_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus
from tongchou.members.services import PLAIN_FIELDS
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_list_for
from tongchou.regions.models import Region

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


class MemberForm(ScopedOrganizationMixin, forms.Form):
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
    organization = OrganizationCodeField(
        label=_("所在党组织代码"), help_text=_("组织关系所在党支部（或党总支、党委）的代码。")
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=MemberStatus.choices, initial=MemberStatus.NORMAL
    )
    home_region = forms.CharField(
        label=_("户籍区划代码"), max_length=12, required=False, help_text=_("如640202。")
    )

    def __init__(self, *args, user, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self._scope_organizations(user, "organization")
        if member is not None:
            # The full numbers are not shown here (masked view); blank keeps them.
            for name, masked in (
                ("id_number", member.id_number_masked),
                ("phone", member.phone_masked),
            ):
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("当前为 %(v)s；留空则不修改。") % {"v": masked}

    def clean_home_region(self):
        code = self.cleaned_data["home_region"].strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划代码不存在。"))
        return region

    def service_kwargs(self) -> dict:
        """Keyword arguments for member_create / member_update."""
        data = dict(self.cleaned_data)
        if self.member is not None:
            for name in ("id_number", "phone"):
                if not data.get(name):
                    data.pop(name, None)
        return data

    @classmethod
    def initial_for(cls, member) -> dict:
        initial = {f: getattr(member, f) for f in PLAIN_FIELDS if f != "home_region"}
        initial["organization"] = member.organization.code
        initial["home_region"] = member.home_region_id or ""
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
