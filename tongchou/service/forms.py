"""Forms of the service pages. Length limits are the models'; the services re-check them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.service.models import DESCRIPTION_MAX, SUMMARY_MAX, NeedCategory, VisitWay


def _categories():
    return NeedCategory.objects.filter(active=True)


class NeedForm(forms.Form):
    category = forms.ModelChoiceField(label=_("诉求类别"), queryset=_categories())
    organization = forms.ModelChoiceField(label=_("所在村（社区）"), queryset=None)
    summary = forms.CharField(label=_("公开摘要"), max_length=SUMMARY_MAX)
    description = forms.CharField(
        label=_("详细情况（不公开）"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=_("详细地址（不公开）"), max_length=200, required=False)
    resident_name = forms.CharField(label=_("群众姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["organization"].queryset = organizations


class PublicNeedForm(NeedForm):
    """The resident's own form: no name asked, the phone optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["resident_name"]


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=12)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度评分"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("评价"), max_length=500, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("办理结果"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("联盟单位"), queryset=None)
    reason = forms.CharField(label=_("改派理由"), max_length=200)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("合并到诉求编号"), min_value=1)


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    way = forms.ChoiceField(label=_("方式"), choices=VisitWay.choices)
    notes = forms.CharField(
        label=_("走访情况"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    need_category = forms.ModelChoiceField(
        label=_("提出的诉求类别"), queryset=_categories(), required=False
    )
    need_summary = forms.CharField(label=_("提出的诉求"), max_length=SUMMARY_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_category"].queryset = _categories()
