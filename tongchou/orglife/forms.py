"""Forms of the organizational-life pages. They check types and formats; the rules live in the
services (errors come back through ``core.forms.apply_error``)."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import FastSelect
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, scope_for
from tongchou.organizations.selectors import organization_list_for
from tongchou.orglife.models import AttendanceStatus, SessionFormat, SessionKind
from tongchou.orglife.permissions import staffed_station_ids
from tongchou.orglife.services import ATTACHMENT_EXTENSIONS

ORG_DATALIST_LIMIT = 300
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YEARS = (2000, 2100)


def usable_stations(user):
    """Active stations where the user may hold a session: staffed, or of an organization whose
    members the user manages."""
    from tongchou.mobility.models import ServiceStation

    scope = scope_for(user, Action.MANAGE_MEMBERS)
    q = Q(pk__in=staffed_station_ids(user))
    if not scope.is_empty:
        q |= scope.q("org_path")
    return ServiceStation.objects.filter(q, active=True).order_by("org_path", "name")


class OrganizationCodeField(forms.ModelChoiceField):
    """An organization typed by its code (with a datalist of the first few in scope)."""

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


class SessionForm(forms.Form):
    organization = OrganizationCodeField(
        label=_("党组织代码"),
        required=False,
        help_text=_("召开组织生活的党支部、党总支、党小组（或党委）的代码；在服务站召开时可不填。"),
    )
    station = forms.ModelChoiceField(
        label=_("党员服务站"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("在党员服务站召开时选择。"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=SessionKind.choices)
    starts_at = forms.DateTimeField(
        label=_("时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    format = forms.ChoiceField(
        label=_("形式"), choices=SessionFormat.choices, initial=SessionFormat.OFFLINE
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_link = forms.CharField(
        label=_("线上会议号/链接"),
        max_length=200,
        required=False,
        help_text=_("线上或线上线下结合时填写。"),
    )
    topic = forms.CharField(label=_("主题"), max_length=200)
    minutes = forms.CharField(
        label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        help_text=_("可选；PDF、Word、Excel、PPT、文本或图片，不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ATTACHMENT_EXTENSIONS))}),
    )

    def __init__(self, *args, user, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        orgs = organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(
            status=OrgStatus.ACTIVE
        )
        self.fields["organization"].queryset = orgs
        self.org_options = list(
            orgs.order_by("path").values_list("code", "name")[:ORG_DATALIST_LIMIT]
        )
        self.fields["station"].queryset = usable_stations(user)
        if session is not None:
            # The organization of a session stays; its attendance belongs to it.
            del self.fields["organization"]
            if session.station_id and session.station_id not in {
                s.pk for s in self.fields["station"].queryset
            }:
                self.fields["station"].disabled = True
                self.fields["station"].queryset = type(session.station).objects.filter(
                    pk=session.station_id
                )
        if session is None or not session.attachment:
            self.fields["attachment"].widget = forms.FileInput(
                attrs=self.fields["attachment"].widget.attrs
            )

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value is not None and not (YEARS[0] <= value.year <= YEARS[1]):
            raise forms.ValidationError(_("请填写有效的时间。"))
        return value

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if self.session is not None:
            data.pop("organization", None)
            if self.fields["station"].disabled:
                data.pop("station", None)
            if data.get("attachment") is None:
                data.pop("attachment", None)
        elif not data.get("attachment"):
            data["attachment"] = None
        return data

    @classmethod
    def initial_for(cls, session) -> dict:
        return {
            "station": session.station_id,
            "kind": session.kind,
            "starts_at": timezone.localtime(session.starts_at),
            "format": session.format,
            "place": session.place,
            "online_link": session.online_link,
            "topic": session.topic,
            "minutes": session.minutes,
            "attachment": session.attachment or None,
        }


STATUS_FOR_FORMAT = {
    SessionFormat.OFFLINE: [AttendanceStatus.PRESENT_OFFLINE],
    SessionFormat.ONLINE: [AttendanceStatus.PRESENT_ONLINE],
    SessionFormat.BOTH: [AttendanceStatus.PRESENT_OFFLINE, AttendanceStatus.PRESENT_ONLINE],
}


class AttendanceForm(forms.Form):
    """One status per member offered (``m_<id>``); a member left unrecorded has no row."""

    def __init__(self, *args, session, candidates, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        statuses = [*STATUS_FOR_FORMAT[session.format], AttendanceStatus.EXCUSED]
        statuses.append(AttendanceStatus.ABSENT)
        choices = [("", _("未登记")), *[(s.value, s.label) for s in statuses]]
        self.rows = []
        for member in candidates:
            name = f"m_{member.pk}"
            field_choices = list(choices)
            status = current.get(member.pk)
            if status and status not in {c[0] for c in field_choices}:
                field_choices.append((status, AttendanceStatus(status).label))
            self.fields[name] = forms.ChoiceField(
                label=member.name,
                choices=field_choices,
                required=False,
                initial=status or "",
                widget=FastSelect(attrs={"class": "form-select form-select-sm"}),
            )
            self.rows.append((member, name))

    def bound_rows(self):
        return [(member, self[name]) for member, name in self.rows]

    def entries(self) -> dict[int, str]:
        return {
            member.pk: self.cleaned_data[name]
            for member, name in self.rows
            if self.cleaned_data.get(name)
        }


def _quarter(q: int) -> str:
    return gettext("第%(q)s季度") % {"q": q}


def _month(m: int) -> str:
    return gettext("%(m)s月") % {"m": m}


PERIOD_QUARTERS = [("", _("全年")), *[(str(q), lazy(_quarter, str)(q)) for q in range(1, 5)]]
PERIOD_MONTHS = [("", "—"), *[(str(m), lazy(_month, str)(m)) for m in range(1, 13)]]


class PeriodForm(forms.Form):
    """Year, and optionally a quarter or a month (a month wins over a quarter)."""

    org = forms.IntegerField(label=_("党组织"), required=False, min_value=1, max_value=2**62)
    year = forms.IntegerField(label=_("年份"), min_value=YEARS[0], max_value=YEARS[1])
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=PERIOD_QUARTERS, coerce=int, empty_value=None, required=False
    )
    month = forms.TypedChoiceField(
        label=_("月份"), choices=PERIOD_MONTHS, coerce=int, empty_value=None, required=False
    )

    @classmethod
    def data_from(cls, params) -> dict:
        data = {k: params.get(k) for k in ("org", "year", "quarter", "month") if params.get(k)}
        data.setdefault("year", str(timezone.localdate().year))
        return data


class ReportForm(forms.Form):
    within = forms.IntegerField(label=_("党组织"), required=False, min_value=1, max_value=2**62)
    months = forms.IntegerField(
        label=_("失联月数"), required=False, min_value=1, max_value=120, help_text=_("默认6个月")
    )
    flag = forms.ChoiceField(
        label=_("只看"),
        required=False,
        choices=[
            ("", _("全部")),
            ("flagged", _("需关注（任一标记）")),
            ("no_inflow_side", _("无流入地管理")),
            ("lost_contact", _("失联")),
        ],
    )


MAX_SPAN_DAYS = 366 * 5


class DateRangeForm(forms.Form):
    """A period of days (a member's attendance over it); the last 12 months by default."""

    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def data_from(cls, params) -> dict:
        from tongchou.orglife.report import months_back

        today = timezone.localdate()
        default_start = months_back(today, 12) + dt.timedelta(days=1)
        return {
            "start": params.get("start") or default_start.isoformat(),
            "end": params.get("end") or today.isoformat(),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", gettext("结束日期不能早于开始日期。"))
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error("start", gettext("时间段最长为5年。"))
        return data
