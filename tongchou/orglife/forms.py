"""Forms of the organizational-life pages. They check types and formats; the rules live in the
services (errors come back through ``core.forms.apply_error``)."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongchou.core.forms import FastSelect
from tongchou.core.validators import parse_id
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, scope_for
from tongchou.organizations.selectors import organization_list_for
from tongchou.orglife import roster
from tongchou.orglife.models import PRESENT, AttendanceStatus, SessionFormat, SessionKind
from tongchou.orglife.permissions import staffed_station_ids
from tongchou.orglife.services import ATTACHMENT_EXTENSIONS, LECTURER_NAME_MAX

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
    host = forms.ModelChoiceField(
        label=_("主持人"), queryset=Member.objects.none(), required=False, widget=FastSelect
    )
    minute_taker = forms.ModelChoiceField(
        label=_("记录人"), queryset=Member.objects.none(), required=False, widget=FastSelect
    )
    lecturer = forms.ModelChoiceField(
        label=_("授课人"),
        queryset=Member.objects.none(),
        required=False,
        widget=FastSelect,
        help_text=_("党课填写：本组织党员请选择。"),
    )
    lecturer_name = forms.CharField(
        label=_("授课人（非本组织党员）"),
        max_length=LECTURER_NAME_MAX,
        required=False,
        help_text=_("党课授课人不是本组织党员的（如党校教师、上级领导），填写姓名和职务。"),
    )
    partners = forms.CharField(
        label=_("联合开展的党组织代码"),
        required=False,
        max_length=400,
        help_text=_(
            "联合组织生活（如结对共建的社区和村）：填写其他党组织的代码，多个用空格或逗号分隔。"
        ),
    )
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        help_text=_("可选；PDF、Word、Excel、PPT、文本或图片，不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ATTACHMENT_EXTENSIONS))}),
    )

    PEOPLE = ("host", "minute_taker", "lecturer")

    def __init__(self, *args, user, session=None, organization=None, **kwargs):
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
        if session is None:
            # Choosing the organization (or station) brings its members into the pickers.
            refresh = {
                "hx-get": reverse("orglife:create"),
                "hx-trigger": "change",
                "hx-target": "#tc-session-people",
                "hx-select": "#tc-session-people",
                "hx-swap": "outerHTML",
                "hx-include": "[name=organization],[name=station]",
            }
            self.fields["organization"].widget.attrs.update(refresh)
            self.fields["station"].widget.attrs.update(refresh)
        self._people(user, session, organization)

    def _people(self, user, session, organization) -> None:
        """The pickers of host, minute-taker and lecturer: the members of the session's
        organization (known once it is chosen: the session's, the one asked for, or the one
        just typed in); validated against the whole list, the first few hundred offered."""
        station = session.station if session is not None else None
        if session is not None:
            organization = session.organization
        elif self.is_bound:
            station_id = parse_id(self.data.get("station"))
            if station_id:
                station = (
                    self.fields["station"]
                    .queryset.filter(pk=station_id)
                    .select_related("organization")
                    .first()
                )
            code = (self.data.get("organization") or "").strip()
            if code:
                organization = self.fields["organization"].queryset.filter(code=code).first()
            elif station is not None:
                organization = station.organization
        self.people_known = organization is not None
        people = (
            roster.people_for(user, organization, station)
            if organization
            else Member.objects.none()
        )
        chosen = {name: getattr(session, name) if session else None for name in self.PEOPLE}
        for name in ("host", "minute_taker"):
            self.fields[name].queryset = people
            self.fields[name].widget.choices = roster.options(people, chosen[name])
        lecturers = roster.lecturers_for(user) if organization else Member.objects.none()
        self.fields["lecturer"].queryset = lecturers | people
        self.fields["lecturer"].widget.choices = roster.options(people, chosen["lecturer"])

    def clean_partners(self):
        """Codes of the organizations a joint session was held with (any active one: the
        partner is often across the urban–rural line, outside the recorder's own subtree)."""
        import re

        codes = [
            c for c in re.split(r"[\s,，、;；]+", self.cleaned_data.get("partners") or "") if c
        ]
        found = {
            o.code: o for o in Organization.objects.filter(code__in=codes, status=OrgStatus.ACTIVE)
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                gettext("组织代码不存在或已撤销：%(codes)s。") % {"codes": "、".join(unknown[:5])}
            )
        return list(dict.fromkeys(found[c] for c in codes))

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
            "host": session.host_id,
            "minute_taker": session.minute_taker_id,
            "lecturer": session.lecturer_id,
            "lecturer_name": session.lecturer_name,
            "attachment": session.attachment or None,
            "partners": " ".join(session.partners.order_by("code").values_list("code", flat=True)),
        }


STATUS_FOR_FORMAT = {
    SessionFormat.OFFLINE: [AttendanceStatus.PRESENT_OFFLINE],
    SessionFormat.ONLINE: [AttendanceStatus.PRESENT_ONLINE],
    SessionFormat.BOTH: [AttendanceStatus.PRESENT_OFFLINE, AttendanceStatus.PRESENT_ONLINE],
}


class AttendanceForm(forms.Form):
    """One status per member offered (``m_<id>``); a member left blank has no row — unless the
    form is sent with ``everyone`` (the button "全部线下参加" / "全部线上参加"), which gives every
    expected member left blank that status: mark everyone at once, then only the exceptions.
    One POST, no script needed."""

    everyone = forms.ChoiceField(required=False, choices=[("", "—")])

    def __init__(
        self,
        *args,
        session,
        candidates,
        current: dict[int, str],
        expected: set[int] | None = None,
        offer_everyone: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.session = session
        self.expected = expected
        statuses = [*STATUS_FOR_FORMAT[session.format], AttendanceStatus.EXCUSED]
        statuses.append(AttendanceStatus.ABSENT)
        choices = [("", _("未登记")), *[(s.value, s.label) for s in statuses]]
        self.everyone_choices = (
            [s for s in STATUS_FOR_FORMAT[session.format] if s in PRESENT] if offer_everyone else []
        )
        # Any presence is accepted here; whether it applies is the service's rule (and its
        # message says why, e.g. a Party group's session has no roster).
        self.fields["everyone"].choices = [("", "—"), *[(s.value, s.label) for s in PRESENT]]
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

    def is_expected(self, member) -> bool:
        return self.expected is not None and member.pk in self.expected

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
