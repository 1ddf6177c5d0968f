"""Forms of the service pages. Length limits are the models'; the services re-check them."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import OpeningHoursField
from tongchou.core.images import PHOTO_ACCEPT
from tongchou.service.models import (
    DESCRIPTION_MAX,
    SUMMARY_MAX,
    VISIT_PHOTOS,
    NeedCategory,
    ProxyService,
    VisitWay,
)


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


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several optional photos from one input; each is checked by the service (core.images)."""

    def __init__(self, *args, most: int = 3, **kwargs):
        self.most = most  # refused here, before any file is read or decoded
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if len(files) > self.most:
            raise forms.ValidationError(
                _("最多上传 %(n)d 张照片。") % {"n": self.most}, code="too_many_photos"
            )
        return [super(MultiplePhotoField, self).clean(d, initial) for d in files]


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
    photos = MultiplePhotoField(
        most=VISIT_PHOTOS,
        label=_("照片（可选）"),
        required=False,
        help_text=_("经住户同意方可拍摄；最多3张，不保存拍摄地点等信息。"),
    )
    photos_agreed = forms.BooleanField(label=_("住户同意拍摄并保存照片"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_category"].queryset = _categories()


# --- city-service proxy stations ------------------------------------------------------------


class ProxyStationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    organization = forms.ModelChoiceField(label=_("所属村党组织"), queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    opening_hours = OpeningHoursField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("周一至周日七行，如“08:30-17:30”，不开放的一天写“-”。"),
    )
    phone = forms.CharField(label=_("服务电话"), max_length=20, required=False)
    services = forms.MultipleChoiceField(
        label=_("代办事项"), choices=ProxyService.choices, widget=forms.CheckboxSelectMultiple
    )
    staff = forms.CharField(
        label=_("工作人员（用户名）"),
        required=False,
        max_length=2000,
        help_text=_("用空格或逗号分隔；须是您管理范围内的有效账号。"),
    )
    active = forms.BooleanField(label=_("运行中"), required=False, initial=True)

    def __init__(self, *args, villages, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = villages
        if station is not None and not self.is_bound:
            self.initial = {
                "name": station.name,
                "organization": station.organization_id,
                "address": station.address,
                "opening_hours": station.opening_hours,
                "phone": station.phone,
                "services": station.services,
                "staff": " ".join(sorted(station.staff.values_list("username", flat=True))),
                "active": station.active,
            }

    def clean_staff(self) -> list:
        """Usernames → accounts; an unknown name is refused like one out of reach (the
        service checks reach), so nobody learns which accounts exist."""
        from django.contrib.auth import get_user_model

        names = [n for n in re.split(r"[\s,，、]+", self.cleaned_data["staff"]) if n]
        users = list(get_user_model().objects.filter(username__in=names))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(
                _("您管理范围内没有这些用户名的有效账号：%(names)s。")
                % {"names": "、".join(missing)}
            )
        return users


class ProxyNeedForm(forms.Form):
    """A city service filed for a resident at a proxy station."""

    service = forms.ChoiceField(label=_("代办事项"), choices=())
    organization = forms.ModelChoiceField(
        label=_("群众所在村（社区）"),
        queryset=None,
        required=False,
        help_text=_("不选则为代办站所在村。"),
    )
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

    def __init__(self, *args, station, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (value, label) for value, label in ProxyService.choices if value in station.services
        ]
        self.fields["organization"].queryset = organizations
