"""Forms of the accounts pages. They check types and offer only what the actor may choose (the
organizations and stations of their scope, the role kinds up to their own rank); the rules
themselves are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.accounts.permissions import grantable_kinds
from tongchou.core.forms import FastSelect
from tongchou.organizations.models import Organization, RoleKind

# The most member records a create form offers in its picker (a branch has tens).
MEMBER_CHOICES_LIMIT = 500


def role_choices(actor, organization: Organization | None, *, blank: str | None) -> list:
    kinds = grantable_kinds(actor, organization.path) if organization is not None else []
    choices = [(kind, RoleKind(kind).label) for kind in kinds]
    return [("", blank), *choices] if blank is not None else choices


class AccountForm(forms.Form):
    """A new account at one organization: for one of its members (their own pages), with a
    role there, or both."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=30,
        help_text=_("3–30 位英文字母、数字或 _ . -，登录时使用。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=150)
    member = forms.TypedChoiceField(
        label=_("关联党员记录"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("本人是党员时选择，登录后可在“我的”查看本人信息、办理转接和外出登记。"),
    )
    kind = forms.ChoiceField(label=_("授予角色"), required=False)

    def __init__(self, *args, actor, organization: Organization, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        member_choices = [
            (str(m.pk), f"{m.name}（{m.organization.name}）")
            for m in members[:MEMBER_CHOICES_LIMIT]
        ]
        self.fields["member"].choices = [("", _("不关联")), *member_choices]
        self.fields["member"].widget = FastSelect(choices=self.fields["member"].choices)
        self.fields["kind"].choices = role_choices(actor, organization, blank=_("不授予角色"))
        self.fields["kind"].widget = FastSelect(choices=self.fields["kind"].choices)
        self.fields["kind"].help_text = _("在%(org)s的角色，不高于您本人在该组织的角色。") % {
            "org": organization.name
        }


class StaffAccountForm(forms.Form):
    """A new account for someone who works at a member service station (no role needed)."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=30,
        help_text=_("3–30 位英文字母、数字或 _ . -，登录时使用。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=150)
    station = forms.ModelChoiceField(label=_("党员服务站"), queryset=None)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class RoleGrantForm(forms.Form):
    organization = forms.TypedChoiceField(
        label=pgettext_lazy("a single one", "组织"), coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args, organizations: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organizations
        self.fields["organization"].widget = FastSelect(choices=organizations)
        # Every kind; the service checks the actor's rank at the chosen organization.
        kinds = [
            (k, RoleKind(k).label) for k in (RoleKind.MEMBER, RoleKind.SECRETARY, RoleKind.ADMIN)
        ]
        self.fields["kind"].choices = [("", _("请选择")), *kinds]
        self.fields["kind"].widget = FastSelect(choices=self.fields["kind"].choices)


class DeactivateForm(forms.Form):
    note = forms.CharField(label=_("原因"), max_length=255, required=False)


class LinkMemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("党员记录"), coerce=int)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(m.pk), f"{m.name}（{m.organization.name}）")
            for m in members[:MEMBER_CHOICES_LIMIT]
        ]
        self.fields["member"].choices = choices
        self.fields["member"].widget = FastSelect(choices=choices)
