"""Organizational-life pages: sessions (list, create, edit, delete, detail with the attendance
form, attachment), expectations per organization and period, and the "no one left behind"
report with its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core import prefill, spreadsheets
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.core.validators import parse_id
from tongchou.members.models import Member
from tongchou.members.selectors import role_organization_for
from tongchou.organizations.models import OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.selectors import (
    organization_get_for,
    organization_list_for,
    organization_picker_choices,
)
from tongchou.orglife import report as reports
from tongchou.orglife import roster, rules, selectors, services
from tongchou.orglife.filters import SessionFilter
from tongchou.orglife.forms import (
    AttendanceForm,
    DateRangeForm,
    PeriodForm,
    ReportForm,
    SessionForm,
)
from tongchou.orglife.models import AttendanceStatus, SessionFormat, SessionKind
from tongchou.orglife.permissions import can_manage, can_record_somewhere, can_view_somewhere

PAGE_SIZE = 50
REPORT_PAGE_SIZE = 100
ATTENDANCE_FORM_LIMIT = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_view(user) -> None:
    if not can_view_somewhere(user):
        raise PermissionDenied


def _with_all(field, label: str) -> None:
    field.widget = FastSelect()
    field.choices = [("", label), *[c for c in field.choices if c[0] != ""]]


# --- sessions --------------------------------------------------------------------------------


@login_required
@require_GET
def session_list(request):
    user = request.user
    _require_view(user)
    sessions = selectors.session_list_for(user).select_related("organization", "station")
    filterset = SessionFilter(request.GET, queryset=sessions, request=request)
    form = filterset.form
    form.fields["org"].widget = FastSelect(
        choices=[("", _("全部（我的范围）")), *organization_picker_choices(user)]
    )
    for name in ("kind", "format"):
        _with_all(form.fields[name], _("全部"))
    rows = filterset.qs if filterset.is_valid() else sessions.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    turnouts = roster.turnout_for(page.object_list)
    for session in page.object_list:
        session.turnout = turnouts[session.pk]
    return render(
        request,
        "orglife/session_list.html",
        {
            "filter": filterset,
            "page": page,
            "now_": timezone.now(),
            "query_without_page": query_without(request, "page"),
            "can_record": can_record_somewhere(user),
            "can_report": can(user, Action.VIEW_MEMBERS),
        },
    )


def _render_form(request, form, session=None, status=200):
    return render(
        request,
        "orglife/session_form.html",
        {"form": form, "session": session, "people": form.PEOPLE + ("lecturer_name",)},
        status=status,
    )


def _organization_asked(request):
    """The organization the create form is for: ``?org=<id>`` (links from other pages), the
    code typed so far (``?organization=``, the form asking again for its pickers), or else the
    organization of the user's one managing role (pre-filled, as on the other create forms)."""
    user = request.user
    org_id = parse_id(request.GET.get("org"))
    if org_id:
        try:
            return organization_get_for(user, org_id, action=Action.MANAGE_MEMBERS)
        except Http404:
            return None
    code = (request.GET.get("organization") or "").replace("\x00", "").strip()
    if code:
        orgs = organization_list_for(user, action=Action.MANAGE_MEMBERS)
        return orgs.filter(code=code, status=OrgStatus.ACTIVE).first()
    if "organization" in request.GET:  # the form asking again with the field emptied
        return None
    return role_organization_for(user, Action.MANAGE_MEMBERS)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    user = request.user
    if not can_record_somewhere(user):
        raise PermissionDenied
    initial = {"starts_at": timezone.localtime().replace(second=0, microsecond=0)}
    # Held at a booked resource (``?booking=``, kept on the POST): place and time come from it.
    held_at = prefill.asked("orglife.session", request)
    org = _organization_asked(request) if request.method == "GET" else None
    if held_at is not None:
        org = held_at.organization if request.method == "GET" else None
        initial.update(held_at.initial())
    if org is not None:
        initial["organization"] = org.code
        if org.sector:  # new employment groups meet online and offline
            initial["format"] = SessionFormat.BOTH
    form = SessionForm(
        request.POST or None, request.FILES or None, user=user, initial=initial, organization=org
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                session = services.session_create(actor=user, **form.service_kwargs())
                if held_at is not None:
                    held_at.attach(actor=user, record=session)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记组织生活。"))
            return redirect("orglife:detail", pk=session.pk)
    return _render_form(request, form)


def _managed(request, pk):
    session = selectors.session_get_for(request.user, pk)
    if not can_manage(request.user, session):
        raise PermissionDenied
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    user = request.user
    session = _managed(request, pk)
    form = SessionForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        session=session,
        initial=SessionForm.initial_for(session),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=user, session=session, **form.service_kwargs())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orglife:detail", pk=session.pk)
    return _render_form(request, form, session)


@login_required
@require_POST
def session_delete(request, pk):
    session = _managed(request, pk)
    services.session_delete(actor=request.user, session=session)
    messages.success(request, _("已删除该次组织生活及其出席记录。"))
    return redirect("orglife:list")


def _attendance_form(session, user, data=None, expected=None):
    """The attendance form: the members expected (应到), those already recorded, then mobile
    members at the inflow side and the rest of the organization's members — at most
    ATTENDANCE_FORM_LIMIT (a committee's lecture may span thousands; the API takes any
    number). A roster's sessions offer "everyone present" for the managers of its members."""
    candidates = selectors.attendance_candidates(session, user)
    current = dict(session.attendance.values_list("member_id", "status"))
    has_roster = roster.has_roster(session)
    if expected is None:
        expected = roster.expected_members(session) if has_roster else set()
    offered = {m.pk for m in candidates}
    missing = expected - offered
    if missing:  # expected on the date, not offered now (moved or archived since)
        candidates += list(
            Member.objects.filter(pk__in=missing)
            .select_related("organization")
            .only("name", "org_path", "archived", "organization__name")
        )
    base = rules.membership_path(session.org_path, session.organization.kind)
    away = {m.pk for m in candidates if not m.org_path.startswith(base)}
    candidates.sort(key=lambda m: (m.pk not in expected, m.pk not in current, m.pk in away))
    truncated = len(candidates) > ATTENDANCE_FORM_LIMIT
    candidates = candidates[:ATTENDANCE_FORM_LIMIT]
    form = AttendanceForm(
        data,
        session=session,
        candidates=candidates,
        current=current,
        expected=expected if has_roster else None,
        offer_everyone=has_roster and can(user, Action.MANAGE_MEMBERS, session.org_path),
    )
    form.truncated = truncated
    form.away = away
    return form


def _render_detail(request, session, form=None, status=200):
    user = request.user
    manage = can_manage(user, session)
    in_future = session.starts_at > timezone.now()
    expected = roster.expected_members(session) if roster.has_roster(session) else None
    if form is None and manage and not in_future:
        form = _attendance_form(session, request.user, expected=expected)
    attendance = list(selectors.attendance_of(session))
    counts = {}
    for row in attendance:
        counts[row.get_status_display()] = counts.get(row.get_status_display(), 0) + 1
    return render(
        request,
        "orglife/session_detail.html",
        {
            "session": session,
            "attendance": attendance,
            "counts": counts,
            "turnout": roster.turnout_for([session])[session.pk],
            "form": form,
            "can_manage": manage,
            "in_future": in_future,
            # Station staff see sessions held at their station by an organization they hold no
            # role in: its page would be a 404, so its name is shown without a link.
            "organization_visible": can(user, Action.VIEW_ORGS, session.org_path),
        },
        status=status,
    )


@login_required
@require_GET
def session_detail(request, pk):
    session = selectors.session_get_for(request.user, pk)
    return _render_detail(request, session)


@login_required
@require_POST
def session_attendance(request, pk):
    user = request.user
    session = _managed(request, pk)
    if session.starts_at > timezone.now():
        messages.error(request, _("组织生活尚未召开，不能登记出席情况。"))
        return redirect("orglife:detail", pk=session.pk)
    form = _attendance_form(session, request.user, request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                actor=user,
                session=session,
                entries=form.entries(),
                everyone=form.cleaned_data.get("everyone") or None,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存出席情况。"))
            return redirect("orglife:detail", pk=session.pk)
    return _render_detail(request, session, form=form)


@login_required
@require_GET
def session_attachment(request, pk):
    session = selectors.session_get_for(request.user, pk)
    if not session.attachment:
        raise Http404
    try:
        handle = session.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = session.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


# --- expectations ----------------------------------------------------------------------------


@login_required
@require_GET
def expectations(request):
    user = request.user
    if not can(user, Action.VIEW_MEMBERS):
        raise PermissionDenied
    form = PeriodForm(PeriodForm.data_from(request.GET))
    form.fields["org"].widget = FastSelect(
        choices=[("", _("我的范围")), *organization_picker_choices(user)]
    )
    summary = None
    within = None
    if form.is_valid():
        data = form.cleaned_data
        within = (
            organization_get_for(user, data["org"], action=Action.VIEW_MEMBERS)
            if data.get("org")
            else selectors.default_within_for(user)
        )
        if within is not None:
            summary = selectors.expectation_summary_for(
                user,
                within=within,
                year=data["year"],
                quarter=data.get("quarter"),
                month=data.get("month"),
            )
    own = None
    if summary is not None:
        own = next((r for r in summary.rows if r.org_id == within.pk), None)
    return render(
        request,
        "orglife/expectations.html",
        {
            "form": form,
            "summary": summary,
            "own": own,
            "own_rows": [own] if own else [],
            "kind_labels": dict(SessionKind.choices),
            "frequency_labels": rules.FREQUENCY_LABELS,
            "query_without_org": query_without(request, "org"),
        },
    )


# --- the "no one left behind" report ---------------------------------------------------------


def _report(request):
    user = request.user
    if not can(user, Action.VIEW_MEMBERS):
        raise PermissionDenied
    form = ReportForm(request.GET)
    form.fields["within"].widget = FastSelect(
        choices=[("", _("我的范围")), *organization_picker_choices(user)]
    )
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    within = None
    if data.get("within"):
        within = organization_get_for(user, data["within"], action=Action.VIEW_MEMBERS)
    try:
        report = reports.left_behind_for(user, within=within, months=data.get("months"))
    except ApplicationError as exc:
        apply_error(form, exc)
        return form, None
    return form, report


@login_required
@require_GET
def left_behind(request):
    form, report = _report(request)
    rows = report.rows_with(form.cleaned_data.get("flag")) if report is not None else []
    page = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orglife/report.html",
        {
            "form": form,
            "report": report,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            "can_export": can(request.user, Action.EXPORT),
        },
    )


@login_required
@require_GET
def left_behind_export(request):
    if not can(request.user, Action.EXPORT):
        raise PermissionDenied
    form, report = _report(request)
    if report is None:
        messages.error(request, _("筛选条件有误，未导出。"))
        return redirect("orglife:report")
    out = reports.report_xlsx(
        actor=request.user, report=report, flag=form.cleaned_data.get("flag") or None
    )
    return spreadsheets.download(out, *reports.report_filename(report))


# --- a member's attendance over a period -----------------------------------------------------


@login_required
@require_GET
def member_attendance(request, pk):
    """A member's organizational life over a period, wherever held: counts by status and every
    session — facts, never a score."""
    member = selectors.member_for_attendance(request.user, pk)
    form = DateRangeForm(DateRangeForm.data_from(request.GET))
    facts = rows = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        facts = selectors.attendance_facts_for(request.user, member, start=start, end=end)
        rows = Paginator(
            selectors.attendance_for_member(request.user, member, start=start, end=end),
            PAGE_SIZE,
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "orglife/member_attendance.html",
        {
            "member": member,
            "form": form,
            "facts": facts,
            "counts": [(label, facts.counts[value]) for value, label in AttendanceStatus.choices]
            if facts
            else [],
            "page": rows,
            "query_without_page": query_without(request, "page"),
            "member_visible": can(request.user, Action.VIEW_MEMBERS, member.org_path),
            # A member reading their own record comes from "我的", not the session list.
            "sessions_visible": can_view_somewhere(request.user),
        },
        status=200 if form.is_valid() else 400,
    )
