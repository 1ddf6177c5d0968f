"""Talent pages: the pool, needs, exchanges with their ledger, matching rounds, and the member's
own profile under /me/talent/. Thin views: a form, one scoped selector, one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.members.selectors import member_get_for
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.selectors import organization_get_for, organization_picker_choices
from tongchou.portal.selectors import own_member
from tongchou.regions.flows import FlowDirection
from tongchou.talent import flows, rounds, selectors, services
from tongchou.talent.filters import AssignmentFilter, NeedFilter, TalentFilter
from tongchou.talent.forms import (
    AssignmentForm,
    CloseForm,
    ExpertForm,
    LogForm,
    MemberTalentForm,
    NeedForm,
    ProfileForm,
    RoundForm,
    SwapForm,
)
from tongchou.talent.models import (
    AssignmentState,
    ExchangeKind,
    MatchRound,
    RoundState,
    TalentKind,
)

PAGE_SIZE = 50
PROFILE_FIELDS = ["current_post", "returning", "max_km", "home_lat", "home_lon", "capacity", "note"]


def _require(user, action: str = Action.VIEW_MEMBERS) -> None:
    if not can(user, action):
        raise PermissionDenied


def _picker(user, selected) -> list[tuple[str, str]]:
    return [
        ("", _("全部（我的范围）")),
        *organization_picker_choices(user, selected=selected, action=Action.VIEW_MEMBERS),
    ]


def _listing(request, filterset, template: str, **context):
    fields = filterset.form.fields
    fields["org"].widget = FastSelect(choices=_picker(request.user, request.GET.get("org")))
    if "skill" in fields:
        fields["skill"].widget = FastSelect(
            choices=[("", _("全部")), *((s.code, str(s)) for s in selectors.skill_list())]
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
            "can_manage": can(request.user, Action.MANAGE_MEMBERS),
            **context,
        },
    )


def _profile_initial(talent) -> dict:
    initial = {f: getattr(talent, f) for f in PROFILE_FIELDS}
    initial["skills"] = list(talent.skills.all())
    initial["availability"] = [(a.first_day, a.last_day) for a in talent.availability.all()]
    initial["regions"] = " ".join(r.code for r in talent.regions.all())
    return initial


def _profile_values(data: dict) -> dict:
    keep = {*PROFILE_FIELDS, "skills", "availability", "regions"}
    return {k: v for k, v in data.items() if k in keep}


# --- the pool --------------------------------------------------------------------------------


@login_required
@require_GET
def talent_list(request):
    _require(request.user)
    rows = (
        selectors.talent_list_for(request.user)
        .select_related("member", "organization")
        .prefetch_related("skills")
        .order_by("org_path", "id")
    )
    return _listing(
        request, TalentFilter(request.GET, queryset=rows, request=request), "talent/list.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_talent_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = MemberTalentForm(request.POST or None, initial={"member": request.GET.get("member")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = member_get_for(user, data["member"], action=Action.MANAGE_MEMBERS)
        except Http404:
            form.add_error("member", _("党员不存在或不在您的管理范围内。"))
        else:
            try:
                talent = services.talent_create_for_member(
                    actor=user, member=member, **_profile_values(data)
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("已加入人才库。"))
                return redirect("talent:detail", pk=talent.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("党员加入人才库")})


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = ExpertForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talent = services.talent_create_expert(
                actor=user,
                organization=data["organization"],
                name=data["name"],
                phone=data["phone"],
                **_profile_values(data),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记外部专家。"))
            return redirect("talent:detail", pk=talent.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记外部专家")})


@login_required
@require_GET
def talent_detail(request, pk):
    user = request.user
    talent = selectors.talent_get_for(user, pk)
    assignments = talent.assignments.select_related("from_org", "to_org").order_by("-first_day")
    return render(
        request,
        "talent/detail.html",
        {
            "talent": talent,
            "assignments": assignments,
            "can_edit": services.may_edit_talent(user, talent),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def talent_edit(request, pk):
    user = request.user
    talent = selectors.talent_get_for(user, pk)
    if not services.may_edit_talent(user, talent):
        raise PermissionDenied
    return _edit_profile(request, talent, done=("talent:detail", talent.pk))


def _edit_profile(request, talent, *, done):
    expert = talent.kind == TalentKind.EXPERT
    initial = _profile_initial(talent)
    if expert:
        initial.update(name=talent.expert_name, phone=talent.phone)
    form = ProfileForm(request.POST or None, initial=initial)
    if expert:
        from django import forms

        form.fields["name"] = forms.CharField(label=_("姓名"), max_length=50)
        form.fields["phone"] = forms.CharField(label=_("手机号"), max_length=20, required=False)
    if request.method == "POST" and form.is_valid():
        values = _profile_values(form.cleaned_data)
        if expert:
            values.update(name=form.cleaned_data["name"], phone=form.cleaned_data["phone"])
        try:
            services.talent_update(actor=request.user, talent=talent, **values)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(*done)
    return render(
        request, "talent/form.html", {"form": form, "title": _("编辑人才信息"), "talent": talent}
    )


# --- the member's own profile (/me/talent/) --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request):
    member = own_member(request.user)
    if member is None:
        return render(request, "portal/no_member.html")
    talent = selectors.talent_of_member(member)
    if talent is not None:
        return _edit_profile(request, talent, done=("portal:home",))
    form = ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.talent_create_for_member(
                actor=request.user, member=member, **_profile_values(form.cleaned_data)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已加入人才库。"))
            return redirect("portal:home")
    return render(request, "talent/form.html", {"form": form, "title": _("加入人才库")})


# --- needs -----------------------------------------------------------------------------------


@login_required
@require_GET
def need_list(request):
    _require(request.user)
    rows = (
        selectors.need_list_for(request.user)
        .select_related("organization", "skill")
        .order_by("-first_day", "-id")
    )
    return _listing(
        request, NeedFilter(request.GET, queryset=rows, request=request), "talent/need_list.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = NeedForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已发布人才需求。"))
            return redirect("talent:need_detail", pk=need.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("发布人才需求")})


@login_required
@require_GET
def need_detail(request, pk):
    user = request.user
    need = selectors.need_get_for(user, pk)
    return render(
        request,
        "talent/need_detail.html",
        {
            "need": need,
            "left": selectors.slots_left([need.pk]).get(need.pk, 0),
            "assignments": need.assignments.select_related("talent__member", "from_org"),
            "can_manage": can(user, Action.MANAGE_MEMBERS, need.org_path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request, pk):
    user = request.user
    need = selectors.need_get_for(user, pk)
    if not can(user, Action.MANAGE_MEMBERS, need.org_path):
        raise PermissionDenied
    fields = [
        "title",
        "skill",
        "kind",
        "first_day",
        "last_day",
        "place",
        "lat",
        "lon",
        "slots",
        "priority",
        "description",
    ]
    form = NeedForm(request.POST or None, need=need, initial={f: getattr(need, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=user, need=need, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("talent:need_detail", pk=need.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("编辑人才需求")})


# --- exchanges -------------------------------------------------------------------------------


@login_required
@require_GET
def assignment_list(request):
    _require(request.user)
    rows = (
        selectors.assignment_list_for(request.user)
        .select_related("talent__member", "from_org", "to_org")
        .order_by("-first_day", "-id")
    )
    return _listing(
        request,
        AssignmentFilter(request.GET, queryset=rows, request=request),
        "talent/assignment_list.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = AssignmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["talent"] = selectors.talent_get_for(user, data["talent"])
        except Http404:
            form.add_error("talent", _("人才不存在或不在您的范围内。"))
        else:
            try:
                assignment = services.assignment_create(actor=user, **data)
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("已登记交流任职。"))
                return redirect("talent:assignment_detail", pk=assignment.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记交流任职")})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, pk):
    """The exchange, its work log (POST adds an entry) and its state steps."""
    user = request.user
    assignment = selectors.assignment_get_for(user, pk)
    posted = request.POST if request.method == "POST" else None
    log_form = LogForm(posted, initial={"day": timezone.localdate()})
    if request.method == "POST" and log_form.is_valid():
        try:
            services.log_add(actor=user, assignment=assignment, **log_form.cleaned_data)
        except ApplicationError as exc:
            apply_error(log_form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已记录。"))
            return redirect("talent:assignment_detail", pk=assignment.pk)
    manages = services._may_manage_assignment(user, assignment.from_path, assignment.to_path)
    return render(
        request,
        "talent/assignment_detail.html",
        {
            "a": assignment,
            "log": assignment.log.select_related("recorded_by"),
            "log_form": log_form,
            "close_form": CloseForm(),
            "manages": manages,
            "direction": assignment.get_direction_display(),
            "open": assignment.state in (AssignmentState.PLANNED, AssignmentState.ACTIVE),
        },
        status=400 if log_form.errors else 200,
    )


@login_required
@require_POST
def assignment_step(request, pk):
    user = request.user
    assignment = selectors.assignment_get_for(user, pk)
    step = request.POST.get("step")
    form = CloseForm(request.POST)
    try:
        if step == "start":
            services.assignment_start(actor=user, assignment=assignment)
        elif step in ("complete", "end_early"):
            if not form.is_valid():
                raise ApplicationError("invalid", _("请填写总结。"), field="summary")
            if step == "complete":
                services.assignment_complete(
                    actor=user, assignment=assignment, summary=form.cleaned_data["summary"]
                )
            else:
                services.assignment_end_early(
                    actor=user,
                    assignment=assignment,
                    ended_on=form.cleaned_data["ended_on"] or timezone.localdate(),
                    summary=form.cleaned_data["summary"],
                )
        else:
            raise ApplicationError("invalid", _("未知的操作。"), field="step")
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已更新状态。"))
    return redirect("talent:assignment_detail", pk=assignment.pk)


@login_required
@require_GET
def ledger(request):
    """Exchanges both ways, per organization (a county) and year: people and person-days."""
    user = request.user
    _require(user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        if not 1950 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = today.year
    org = None
    if request.GET.get("org"):
        org = organization_get_for(user, request.GET["org"], action=Action.VIEW_MEMBERS)
    rows = flows.assignment_flows(
        selectors.assignment_list_for(user), year=year, under_path=org.path if org else None
    )
    kinds = dict(ExchangeKind.choices)
    return render(
        request,
        "talent/ledger.html",
        {
            "year": year,
            "org": org,
            "rows": [
                (r, kinds.get(r.kind, r.kind), FlowDirection(r.direction).label) for r in rows
            ],
            "totals": flows.ledger(rows),
            "directions": dict(FlowDirection.choices),
            "picker": _picker(user, request.GET.get("org")),
        },
    )


# --- matching rounds -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request):
    user = request.user
    _require(user)
    form = RoundForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        _require(user, Action.MANAGE_ORGS)
        if form.is_valid():
            try:
                match = rounds.round_run(actor=user, organization=form.cleaned_data["organization"])
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                return redirect("talent:round_detail", pk=match.pk)
    recent = selectors.round_list_for(user).select_related("organization", "created_by")
    return render(
        request,
        "talent/round_list.html",
        {
            "rounds": recent[:50],
            "form": form,
            "can_run": bool(form.org_options),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    """The proposals with why each pair holds, the unfilled slots with why; POST adjusts
    (remove a pair, swap its talent), confirms or discards."""
    user = request.user
    match = selectors.round_get_for(user, pk)
    coordinates = rounds.can_coordinate(user, match.organization)
    if request.method == "POST":
        if not coordinates:
            raise PermissionDenied
        _act(request, match)
        return redirect("talent:round_detail", pk=match.pk)
    return render(
        request,
        "talent/round_detail.html",
        {
            "round": match,
            "proposals": _explained(match),
            "unfilled": _unfilled(match),
            "coordinates": coordinates and match.state == RoundState.PROPOSED,
        },
    )


def _act(request, match: MatchRound) -> None:
    user = request.user
    action = request.POST.get("action")
    try:
        if action in ("remove", "swap"):
            form = SwapForm(request.POST)
            proposal_id = request.POST.get("proposal")
            proposal = selectors.proposal_get_for(user, match.pk, proposal_id)
            if action == "remove":
                rounds.proposal_remove(actor=user, proposal=proposal)
            else:
                if not form.is_valid():
                    raise ApplicationError("invalid", _("请填写人才编号。"), field="talent")
                talent = selectors.talent_get_for(user, form.cleaned_data["talent"])
                rounds.proposal_swap(actor=user, proposal=proposal, talent=talent)
        elif action == "confirm":
            made = rounds.round_confirm(actor=user, match=match)
            messages.success(request, _("已确认 %(n)s 项交流任职。") % {"n": len(made)})
            return
        elif action == "discard":
            rounds.round_discard(actor=user, match=match)
        else:
            raise ApplicationError("invalid", _("未知的操作。"), field="action")
    except Http404:
        messages.error(request, _("人才不存在或不在您的范围内。"))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已更新。"))


def _explained(match: MatchRound) -> list[dict]:
    from tongchou.talent.models import Availability

    proposals = list(
        match.proposals.select_related(
            "talent__member", "talent__organization", "need__skill", "need__organization"
        ).prefetch_related(Prefetch("talent__availability", queryset=Availability.objects.all()))
    )
    out = []
    for p in proposals:
        window = next(
            (
                a
                for a in p.talent.availability.all()
                if a.first_day <= p.need.first_day and p.need.last_day <= a.last_day
            ),
            None,
        )
        out.append({"p": p, "window": window})
    return out


REASONS = {
    "no_skill": gettext_lazy("没有人具备该技能"),
    "too_far": gettext_lazy("具备该技能的人都超出了其服务距离（或服务地区）"),
    "unavailable": gettext_lazy("距离合适的人在该时段都没空"),
    "taken": gettext_lazy("能来的人已被同等或更高优先级的需求选中"),
}


def _unfilled(match: MatchRound) -> list[dict]:
    from tongchou.talent.models import Need

    ids = {u["need"] for u in match.unfilled} | {k for u in match.unfilled for k in u["taken_by"]}
    needs = Need.objects.in_bulk(list(ids))
    return [
        {
            "need": needs.get(u["need"]),
            "slots": u["slots"],
            "reason": str(REASONS.get(u["reason"], u["reason"])),
            "taken_by": [needs[k] for k in u["taken_by"] if k in needs],
        }
        for u in match.unfilled
    ]
