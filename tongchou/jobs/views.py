"""Pages of the jobs platform: openings, seekers, suggestions, applications, figures, and what
waits for the person. Thin views: a form, one scoped selector, one service, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.jobs import permissions, selectors, services
from tongchou.jobs.filters import ApplicationFilter, OpeningFilter, SeekerFilter
from tongchou.jobs.forms import ApplyForm, OpeningForm, SeekerForm, StepForm
from tongchou.jobs.models import ApplicationState, OpeningState, SeekerKind
from tongchou.organizations.permissions import Action, can
from tongchou.talent.selectors import skill_list

PAGE_SIZE = 50
OPENING_VALUES = ["title", "skills", "region", "address", "lat", "lon", "pay_min", "pay_max",
                  "positions", "first_day", "last_day", "description"]  # fmt: skip
SEEKER_VALUES = ["kinds", "skills", "max_km", "regions", "lat", "lon", "available_from", "note"]


def _require_jobs(user) -> None:
    if not permissions.can_use_jobs(user):
        raise PermissionDenied


def _listing(request, filterset, template: str, **context):
    fields = filterset.form.fields
    if "skill" in fields:
        fields["skill"].widget = FastSelect(
            choices=[("", _("全部")), *((s.code, str(s)) for s in skill_list())]
        )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            **context,
        },
    )


@login_required
@require_GET
def index(request):
    user = request.user
    _require_jobs(user)
    return render(
        request,
        "jobs/index.html",
        {
            "waiting": selectors.waiting_for(user),
            "can_post": permissions.can_post(user),
            "can_register": can(user, Action.MANAGE_MEMBERS),
        },
    )


# --- openings ----------------------------------------------------------------------------------


@login_required
@require_GET
def opening_list(request):
    user = request.user
    _require_jobs(user)
    board = request.GET.get("board") == "1"
    rows = selectors.opening_board(user) if board else selectors.opening_list_for(user)
    rows = rows.select_related("unit", "employer", "region").prefetch_related("skills")
    return _listing(
        request,
        OpeningFilter(request.GET, queryset=rows.order_by("-created_at", "-id"), request=request),
        "jobs/opening_list.html",
        board=board,
        can_post=permissions.can_post(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def opening_create(request):
    user = request.user
    if not permissions.can_post(user):
        raise PermissionDenied
    form = OpeningForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opening = services.opening_create(
                actor=user,
                unit=data["unit"],
                employer=data["employer"],
                **{k: data[k] for k in OPENING_VALUES},
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("岗位已发布。"))
            return redirect("jobs:opening_detail", pk=opening.pk)
    return render(request, "jobs/form.html", {"form": form, "title": _("发布招聘岗位")})


@login_required
@require_GET
def opening_detail(request, pk):
    user = request.user
    opening = selectors.opening_get_for(user, pk)
    applications = selectors.application_list_for(user).filter(opening=opening)
    return render(
        request,
        "jobs/opening_detail.html",
        {
            "opening": opening,
            "applications": applications.select_related("seeker", "seeker__member").order_by(
                "-applied_on", "-id"
            ),
            "can_manage": permissions.can_manage_opening(user, opening),
            "suggested": selectors.suggestion_count_for_opening(opening),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def opening_edit(request, pk):
    user = request.user
    opening = selectors.opening_get_for(user, pk)
    if not permissions.can_manage_opening(user, opening):
        raise PermissionDenied
    initial = {k: getattr(opening, k) for k in OPENING_VALUES if k not in ("skills", "region")}
    initial.update(
        skills=[s.code for s in opening.skills.all()],
        region=opening.region_id,
        state=OpeningState.OPEN if opening.state == OpeningState.FILLED else opening.state,
    )
    form = OpeningForm(request.POST or None, opening=opening, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in OPENING_VALUES}
        if data.get("state") and not (
            opening.state == OpeningState.FILLED and data["state"] == OpeningState.OPEN
        ):
            values["state"] = data["state"]
        try:
            services.opening_update(actor=user, opening=opening, **values)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("jobs:opening_detail", pk=opening.pk)
    return render(
        request, "jobs/form.html", {"form": form, "title": _("编辑岗位"), "opening": opening}
    )


@login_required
@require_GET
def opening_suggestions(request, pk):
    user = request.user
    opening = selectors.opening_get_for(user, pk)
    return render(
        request,
        "jobs/opening_suggestions.html",
        {
            "opening": opening,
            "suggestions": selectors.suggestions_for_opening(user, opening),
            "total": selectors.suggestion_count_for_opening(opening),
        },
    )


# --- seekers -----------------------------------------------------------------------------------


@login_required
@require_GET
def seeker_list(request):
    user = request.user
    if not can(user, Action.VIEW_MEMBERS):
        raise PermissionDenied
    rows = (
        selectors.seeker_list_for(user)
        .select_related("member", "organization")
        .prefetch_related("skills")
        .order_by("org_path", "id")
    )
    return _listing(
        request,
        SeekerFilter(request.GET, queryset=rows, request=request),
        "jobs/seeker_list.html",
        can_register=can(user, Action.MANAGE_MEMBERS),
    )


def _member(user, pk):
    from tongchou.members.selectors import member_get_for

    return member_get_for(user, pk, action=Action.MANAGE_MEMBERS)


@login_required
@require_http_methods(["GET", "POST"])
def seeker_create(request):
    user = request.user
    if not can(user, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    form = SeekerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = None
        if data["member"]:
            try:
                member = _member(user, data["member"])
            except Http404:
                form.add_error("member", _("党员不存在或不在您的管理范围内。"))
        if not form.errors:
            try:
                seeker = services.seeker_register(
                    actor=user,
                    member=member,
                    organization=data["organization"],
                    name=data["name"],
                    phone=data["phone"],
                    consent_on=data["consent_on"],
                    **{k: data[k] for k in SEEKER_VALUES},
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("已登记求职者。"))
                return redirect("jobs:seeker_detail", pk=seeker.pk)
    return render(request, "jobs/form.html", {"form": form, "title": _("登记求职者")})


@login_required
@require_GET
def seeker_detail(request, pk):
    user = request.user
    seeker = selectors.seeker_get_for(user, pk)
    applications = selectors.application_list_for(user).filter(seeker=seeker)
    return render(
        request,
        "jobs/seeker_detail.html",
        {
            "seeker": seeker,
            "applications": applications.select_related("opening").order_by("-applied_on", "-id"),
            "can_manage": permissions.can_manage_seeker(user, seeker),
            "whole": permissions.sees_whole_seeker(user, seeker),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def seeker_edit(request, pk):
    user = request.user
    seeker = selectors.seeker_get_for(user, pk)
    if not permissions.can_manage_seeker(user, seeker):
        raise PermissionDenied
    initial = {k: getattr(seeker, k) for k in ("kinds", "max_km", "lat", "lon", "available_from",
                                                "note")}  # fmt: skip
    initial.update(
        skills=[s.code for s in seeker.skills.all()],
        regions=" ".join(r.code for r in seeker.regions.all()),
        name=seeker.resident_name,
        phone=seeker.phone_masked,
    )
    form = SeekerForm(request.POST or None, seeker=seeker, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in SEEKER_VALUES}
        if "name" in form.fields:
            values["name"] = data["name"]
            if data["phone"] != seeker.phone_masked:  # unchanged mask: keep the number
                values["phone"] = data["phone"]
        try:
            services.seeker_update(actor=user, seeker=seeker, **values)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("jobs:seeker_detail", pk=seeker.pk)
    return render(
        request, "jobs/form.html", {"form": form, "title": _("编辑求职者"), "seeker": seeker}
    )


@login_required
@require_POST
def seeker_withdraw(request, pk):
    user = request.user
    seeker = selectors.seeker_get_for(user, pk)
    try:
        services.seeker_withdraw_consent(actor=user, seeker=seeker)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录本人撤回同意，不再推荐岗位。"))
    return redirect("jobs:seeker_detail", pk=seeker.pk)


@login_required
@require_GET
def seeker_suggestions(request, pk):
    user = request.user
    seeker = selectors.seeker_get_for(user, pk)
    return render(
        request,
        "jobs/seeker_suggestions.html",
        {
            "seeker": seeker,
            "suggestions": selectors.suggestions_for_seeker(user, seeker),
            "can_apply": permissions.can_manage_seeker(user, seeker),
        },
    )


@login_required
@require_POST
def seeker_apply(request, pk):
    user = request.user
    seeker = selectors.seeker_get_for(user, pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择岗位。"))
        return redirect("jobs:seeker_suggestions", pk=seeker.pk)
    opening = selectors.opening_board_get(user, form.cleaned_data["opening"])
    try:
        application = services.application_create(
            actor=user, seeker=seeker, opening=opening, note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("jobs:seeker_suggestions", pk=seeker.pk)
    messages.success(request, _("已报名。"))
    return redirect("jobs:application_detail", pk=application.pk)


# --- applications ------------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request):
    user = request.user
    _require_jobs(user)
    rows = (
        selectors.application_list_for(user)
        .select_related("seeker", "seeker__member", "seeker__organization", "opening")
        .order_by("-applied_on", "-id")
    )
    return _listing(
        request,
        ApplicationFilter(request.GET, queryset=rows, request=request),
        "jobs/application_list.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk):
    user = request.user
    application = selectors.application_get_for(user, pk)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_step(
                actor=user,
                application=application,
                to_state=data["to_state"],
                outcome=data["outcome"],
                on=data["on"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已更新。"))
            return redirect("jobs:application_detail", pk=application.pk)
    steps = [
        (to, ApplicationState(to).label)
        for (frm, to), side in services.STEPS.items()
        if frm == application.state
        and (
            permissions.can_manage_opening(user, application.opening)
            if side == "opening"
            else permissions.can_manage_seeker(user, application.seeker)
        )
    ]
    return render(
        request,
        "jobs/application_detail.html",
        {
            "application": application,
            "history": selectors.history_of(application),
            "form": form,
            "steps": steps,
        },
    )


# --- figures -----------------------------------------------------------------------------------


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@login_required
@require_GET
def figures(request):
    user = request.user
    if not can(user, Action.VIEW_MEMBERS):
        raise PermissionDenied
    year = _year(request)
    county = None
    if request.GET.get("county"):
        county = selectors.figure_county_get(user, request.GET["county"])
    rows = (
        selectors.street_figures(county, year=year)
        if county
        else selectors.county_figures(user, year=year)
    )
    months = None
    if county is not None:
        data = selectors.figures(field="county_path", paths=[county.path], year=year)
        months = sorted(data[county.path]["months"].items())
    return render(
        request,
        "jobs/figures.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2019, -1)),
            "county": county,
            "rows": rows,
            "months": months,
            "kinds": SeekerKind.choices,
            "first_of": dt.date(year, 1, 1),
        },
    )
