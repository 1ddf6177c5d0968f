"""Mobility pages: mobile members (list, a spell's page with its actions, going out, arriving)
and member service stations (list, page, create, edit). Thin: form → selector → service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.core.validators import parse_id
from tongchou.members import selectors as member_selectors
from tongchou.members.id_numbers import looks_personal
from tongchou.members.models import Member
from tongchou.mobility import selectors, services
from tongchou.mobility.filters import MobileMemberFilter, StationFilter
from tongchou.mobility.forms import (
    ContactForm,
    EndForm,
    InflowForm,
    OutflowForm,
    ReturnForm,
    StationForm,
)
from tongchou.mobility.models import MobilityStatus, StationService
from tongchou.mobility.permissions import (
    may_act_on_spell,
    may_manage_station,
    may_return,
    staffed_station_ids,
)
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.organizations.selectors import organization_list_for, organization_picker_choices

PAGE_SIZE = 50
PICKER_LIMIT = 20
SERVICES = frozenset(StationService.values)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _picker(user, selected) -> list[tuple[str, str]]:
    return [("", _("全部（我的范围）")), *organization_picker_choices(user, selected=selected)]


def _select(field, choices=None) -> None:
    field.widget = FastSelect()
    if choices is None:
        choices = [("", _("全部")), *[c for c in field.choices if c[0] != ""]]
    field.choices = choices
    field.widget.choices = choices


# --- mobile members --------------------------------------------------------------------------


@login_required
@require_GET
def mobile_list(request):
    user = request.user
    staffed = staffed_station_ids(user)
    _require(can(user, Action.VIEW_MEMBERS) or bool(staffed))
    if looks_personal(request.GET.get("q", "")):  # names only: no number stays in a URL
        messages.warning(request, _("请按姓名查找；身份证号和手机号不能出现在网址中。"))
        rest = query_without(request, "q")
        return redirect(reverse("mobility:list") + (f"?{rest}" if rest else ""))
    spells = selectors.mobile_list_for(user).select_related(*selectors.SPELL_RELATED)
    filterset = MobileMemberFilter(request.GET, queryset=spells, request=request)
    form = filterset.form
    for name in ("status", "reason", "has_inflow", "lost_contact"):
        _select(form.fields[name])
    for name in ("home_org", "inflow_org"):
        _select(form.fields[name], _picker(user, request.GET.get(name)))
    stations = selectors.station_list_for(user).filter(
        Q(pk__in=staffed) | scope_for(user, Action.VIEW_MEMBERS).q("org_path")
    )
    station_choices = [("", _("全部"))] + [
        (str(pk), name) for pk, name in stations.order_by("name").values_list("pk", "name")[:300]
    ]
    _select(form.fields["station"], station_choices)
    rows = filterset.qs if filterset.is_valid() else spells.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    flagged = selectors.lost_spell_ids(s.pk for s in page)  # 失联, as everywhere (mobility.rules)
    return render(
        request,
        "mobility/mobile_list.html",
        {
            "filter": filterset,
            "page": page,
            "flagged": flagged,
            "query_without_page": query_without(request, "page"),
            "can_outflow": can(user, Action.MANAGE_MEMBERS),
            "can_inflow": can(user, Action.MANAGE_MEMBERS) or bool(staffed),
        },
    )


def _render_detail(request, spell, *, forms=None, status=200):
    user = request.user
    forms = forms or {}
    acts = spell.status == MobilityStatus.OPEN and may_act_on_spell(user, spell)
    returns = spell.status == MobilityStatus.OPEN and may_return(user, spell)
    today = timezone.localdate()
    shown = {"contact": acts, "end": acts, "return": returns}
    # Errors of a form whose card is no longer shown (e.g. the spell was closed meanwhile).
    orphan_errors = [
        error
        for key, form in forms.items()
        if not shown[key]
        for errors in form.errors.values()
        for error in errors
    ]
    return render(
        request,
        "mobility/spell_detail.html",
        {
            "spell": spell,
            "contacts": selectors.contacts_of(spell),
            "flagged": spell.status == MobilityStatus.OPEN
            and bool(selectors.lost_spell_ids([spell.pk])),
            "can_act": acts,
            "can_return": returns,
            # Linked only for who may open it: the other county's home side may not.
            "station_linked": spell.station_id is not None
            and selectors.station_visible_to(user, spell.station),
            # The station's staff handle the member's relationship transfer (transfers app).
            "handles_transfer": spell.status == MobilityStatus.OPEN
            and spell.member_id is not None
            and spell.station_id in staffed_station_ids(user)
            and StationService.TRANSFER in spell.station.services,
            "orphan_errors": orphan_errors,
            "member_visible": spell.member_id is not None
            and can(user, Action.VIEW_MEMBERS, spell.member.org_path),
            "contact_form": forms.get("contact") or ContactForm(initial={"on": today}),
            "return_form": forms.get("return") or ReturnForm(initial={"on": today}),
            "end_form": forms.get("end") or EndForm(initial={"on": today}),
        },
        status=status,
    )


@login_required
@require_GET
def spell_detail(request, pk):
    return _render_detail(request, selectors.mobile_get_for(request.user, pk))


def _spell_action(request, pk, key: str, form_class, call):
    user = request.user
    spell = selectors.mobile_get_for(user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(user, spell, form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return None, spell
    return _render_detail(request, spell, forms={key: form}, status=400), spell


@login_required
@require_POST
def spell_contact(request, pk):
    response, spell = _spell_action(
        request,
        pk,
        "contact",
        ContactForm,
        lambda user, spell, data: services.contact_record(actor=user, spell=spell, **data),
    )
    if response is None:
        messages.success(request, _("已记录联系。"))
        return redirect("mobility:detail", pk=spell.pk)
    return response


@login_required
@require_POST
def spell_return(request, pk):
    response, spell = _spell_action(
        request,
        pk,
        "return",
        ReturnForm,
        lambda user, spell, data: services.spell_return(actor=user, spell=spell, **data),
    )
    if response is None:
        messages.success(request, _("已登记返回。"))
        return redirect("mobility:detail", pk=spell.pk)
    return response


@login_required
@require_POST
def spell_end(request, pk):
    response, spell = _spell_action(
        request,
        pk,
        "end",
        EndForm,
        lambda user, spell, data: services.spell_end(actor=user, spell=spell, **data),
    )
    if response is None:
        messages.success(request, _("已结束这条流动登记。"))
        return redirect("mobility:detail", pk=spell.pk)
    return response


def _own_member(user) -> Member | None:
    return Member.objects.filter(user=user, archived=False).select_related("organization").first()


def _outflow_member(user, pk) -> Member:
    """The member to register: one the user manages (else 404), or the user themself."""
    own = _own_member(user)
    if own is not None and str(own.pk) == str(pk):
        return own
    return member_selectors.member_get_for(user, pk, action=Action.MANAGE_MEMBERS)


def _after_register(user, spell):
    if selectors.mobile_list_for(user).filter(pk=spell.pk).exists():
        return redirect("mobility:detail", pk=spell.pk)
    try:
        return redirect(reverse("portal:index"))
    except NoReverseMatch:
        return redirect("/me/")


@login_required
@require_http_methods(["GET", "POST"])
def outflow_register(request):
    """Register a member going out: pick a member in scope (or come from the member's page),
    then the form. A member may register themself."""
    user = request.user
    manages = can(user, Action.MANAGE_MEMBERS)
    own = _own_member(user)
    _require(manages or own is not None)
    member_id = request.POST.get("member") or request.GET.get("member")
    if not member_id and not manages:
        member_id = str(own.pk)
    member = _outflow_member(user, member_id) if member_id else None
    form = OutflowForm(request.POST or None, member=member) if member is not None else OutflowForm()
    open_spell = selectors.open_spell_for(member) if member is not None else None
    pick_error = ""
    if request.method == "POST":
        if member is None:
            pick_error = _("请先选择要登记外出的党员。")
        elif form.is_valid():
            try:
                spell = services.outflow_register(actor=user, member=member, **form.cleaned_data)
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("已登记 %(name)s 外出。") % {"name": member.name})
                return _after_register(user, spell)
    query = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    if looks_personal(query):  # a name search never carries (part of) an ID number or a phone
        messages.warning(request, _("请按姓名查找；身份证号和手机号不能出现在网址中。"))
        return redirect("mobility:outflow")
    found = []
    if member is None and query and manages:
        found = list(
            member_selectors.member_list_for(user, action=Action.MANAGE_MEMBERS)
            .filter(name__icontains=query)
            .select_related("organization")
            .order_by("name", "id")[:PICKER_LIMIT]
        )
    return render(
        request,
        "mobility/outflow_form.html",
        {
            "form": form,
            "member": member,
            "open_spell": open_spell,
            "query": query,
            "found": found,
            "picker": manages,
            "pick_error": pick_error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inflow_register(request):
    user = request.user
    _require(can(user, Action.MANAGE_MEMBERS) or bool(staffed_station_ids(user)))
    form = InflowForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            spell = services.inflow_register(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s 流入。") % {"name": spell.name})
            return _after_register(user, spell)
    return render(request, "mobility/inflow_form.html", {"form": form})


# --- stations --------------------------------------------------------------------------------


@login_required
@require_GET
def station_list(request):
    user = request.user
    _require(can(user, Action.VIEW_ORGS) or bool(staffed_station_ids(user)))
    stations = (
        selectors.station_list_for(user)
        .select_related("organization", "region")
        .annotate(
            open_count=Count("mobile_members", filter=Q(mobile_members__status=MobilityStatus.OPEN))
        )
        .order_by("org_path", "name", "id")  # an aggregate drops Meta.ordering
    )
    filterset = StationFilter(request.GET, queryset=stations, request=request)
    _select(filterset.form.fields["kind"])
    _select(filterset.form.fields["org"], _picker(user, request.GET.get("org")))
    rows = filterset.qs if filterset.is_valid() else stations.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobility/station_list.html",
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "can_create": can(user, Action.MANAGE_ORGS),
        },
    )


@login_required
@require_GET
def station_detail(request, pk):
    user = request.user
    station = selectors.station_get_for(user, pk)
    return render(
        request,
        "mobility/station_detail.html",
        {
            "station": station,
            "services": [StationService(v).label for v in station.services if v in SERVICES],
            "staff": station.staff.order_by("username"),
            "spells": selectors.station_spells(user, station),
            "can_edit": may_manage_station(user, station),
            "can_register": station.active
            and (
                station.pk in staffed_station_ids(user)
                or can(user, Action.MANAGE_MEMBERS, station.org_path)
            ),
        },
    )


def _station_kwargs(form, *, actor, station=None) -> dict:
    data = dict(form.cleaned_data)
    data["staff"] = services.users_by_username(data["staff"], actor=actor, station=station)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def station_create(request):
    user = request.user
    _require(can(user, Action.MANAGE_ORGS))
    initial = {}
    org_id = parse_id(request.GET.get("org"))
    if org_id:
        org = organization_list_for(user, action=Action.MANAGE_ORGS).filter(pk=org_id).first()
        if org is not None:
            initial.update(organization=org.code, region=org.region_id)
    form = StationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_create(actor=user, **_station_kwargs(form, actor=user))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已设立服务站 %(name)s。") % {"name": station.name})
            return redirect("mobility:station_detail", pk=station.pk)
    return render(request, "mobility/station_form.html", {"form": form, "station": None})


@login_required
@require_http_methods(["GET", "POST"])
def station_edit(request, pk):
    user = request.user
    station = selectors.station_get_for(user, pk)
    if not may_manage_station(user, station):
        raise Http404
    form = StationForm(request.POST or None, user=user, initial=StationForm.initial_for(station))
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_update(
                actor=user, station=station, **_station_kwargs(form, actor=user, station=station)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("mobility:station_detail", pk=station.pk)
    return render(request, "mobility/station_form.html", {"form": form, "station": station})
