"""Education pages: courses, study records and skills trainings (with their participants).

Thin views: a form, one scoped selector, one service, render. Study hours are shown as facts
beside the standard, never ranked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core import prefill
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.core.validators import parse_id
from tongchou.education import selectors, services
from tongchou.education.filters import CourseFilter, StudyRecordFilter, TrainingFilter
from tongchou.education.forms import CourseForm, ParticipantsForm, StudyRecordForm, TrainingForm
from tongchou.education.permissions import (
    can_manage_training,
    can_use_education,
    staffed_station_ids,
)
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.selectors import organization_picker_choices

PAGE_SIZE = 50
CANDIDATES_SHOWN = 100


def _require_any(user) -> None:
    if not can_use_education(user):
        raise PermissionDenied


def _require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied


def _picker(user, selected, action: str = Action.VIEW_MEMBERS) -> list[tuple[str, str]]:
    return [
        ("", _("全部（我的范围）")),
        *organization_picker_choices(user, selected=selected, action=action),
    ]


def _search(request) -> str:
    """The name searched for; PostgreSQL refuses a NUL in a query."""
    return request.GET.get("q", "").replace("\x00", "").strip()


def _render(request, template: str, context: dict, **kwargs):
    context["show_records"] = can(request.user, Action.VIEW_MEMBERS)
    return render(request, template, context, **kwargs)


def _listing(request, filterset, template: str, page_context=None, **context):
    """A filtered, paginated list; ``page_context(page)`` adds what depends on the shown rows."""
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if page_context is not None:
        context.update(page_context(page))
    return _render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            **context,
        },
    )


# --- courses ---------------------------------------------------------------------------------


@login_required
@require_GET
def course_list(request):
    user = request.user
    _require_any(user)
    courses = selectors.course_list_for(user).select_related("organization")
    filterset = CourseFilter(request.GET, queryset=courses, request=request)
    form = filterset.form
    form.fields["org"].widget = FastSelect(
        choices=_picker(user, request.GET.get("org"), Action.VIEW_ORGS)
    )
    form.fields["mode"].widget = FastSelect()
    form.fields["mode"].choices = [("", _("全部")), *form.fields["mode"].choices[1:]]
    return _listing(
        request,
        filterset,
        "education/course_list.html",
        can_manage=can(user, Action.MANAGE_MEMBERS),
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = CourseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加课程 %(t)s。") % {"t": course.title})
            return redirect("education:course_detail", pk=course.pk)
    return _render(request, "education/course_form.html", {"form": form, "course": None})


@login_required
@require_GET
def course_detail(request, pk):
    user = request.user
    course = selectors.course_get_for(user, pk)
    records = (
        selectors.study_record_list_for(user)
        .filter(course=course)
        .select_related("member", "member__organization")
        .order_by("-studied_on", "-id")
    )
    return _render(
        request,
        "education/course_detail.html",
        {
            "course": course,
            "records": records[:20],
            "record_count": records.count(),
            "can_manage": can(user, Action.MANAGE_MEMBERS, course.org_path),
            "can_record": can(user, Action.MANAGE_MEMBERS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, pk):
    user = request.user
    course = selectors.course_get_for(user, pk)
    if not can(user, Action.MANAGE_MEMBERS, course.org_path):
        raise PermissionDenied
    initial = {f: getattr(course, f) for f in ("title", "provider", "hours", "mode", "description")}
    form = CourseForm(request.POST or None, user=user, course=course, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=user, course=course, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("education:course_detail", pk=course.pk)
    return _render(request, "education/course_form.html", {"form": form, "course": course})


# --- study records ---------------------------------------------------------------------------


@login_required
@require_GET
def record_list(request):
    user = request.user
    _require(user, Action.VIEW_MEMBERS)
    records = (
        selectors.study_record_list_for(user)
        .select_related("member", "member__organization", "course", "training")
        .order_by("-studied_on", "-id")
    )
    filterset = StudyRecordFilter(request.GET, queryset=records, request=request)
    filterset.form.fields["org"].widget = FastSelect(choices=_picker(user, request.GET.get("org")))
    total = None
    if filterset.is_valid() and (request.GET.get("q") or request.GET.get("member")):
        # Hours of the people searched for, summed: a fact for one person, never a ranking.
        total = filterset.qs.order_by().aggregate(h=Sum("hours"))["h"]
    return _listing(
        request,
        filterset,
        "education/record_list.html",
        page_context=lambda page: {"visible_trainings": _visible_trainings(user, page)},
        can_manage=can(user, Action.MANAGE_MEMBERS),
        total=total,
    )


def _visible_trainings(user, records) -> set[int]:
    """Trainings of these records that the user may open: a member in scope may have trained
    at a station or an organization outside it, whose page would be a 404."""
    ids = {r.training_id for r in records if r.training_id}
    if not ids:
        return set()
    return set(selectors.training_list_for(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    selected = None
    member_id = parse_id(request.GET.get("member"))
    if member_id:
        from tongchou.members.selectors import member_list_for

        selected = (
            member_list_for(user, action=Action.MANAGE_MEMBERS)
            .select_related("organization")
            .filter(pk=member_id)
            .first()
        )
    search = _search(request)
    initial = {"studied_on": timezone.localdate()}
    if selected is not None:
        initial["member"] = selected.pk
    course_id = parse_id(request.GET.get("course"))
    if course_id:
        initial["course"] = course_id
    form = StudyRecordForm(
        request.POST or None, user=user, search=search, selected=selected, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.study_record_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("已为 %(name)s 登记学习 %(h)s 学时。")
                % {"name": record.member.name, "h": record.hours},
            )
            if selected is not None:
                return redirect("members:detail", pk=record.member_id)
            return redirect("education:records")
    return _render(
        request,
        "education/record_form.html",
        {"form": form, "search": search, "selected": selected},
    )


@login_required
@require_POST
def record_delete(request, pk):
    user = request.user
    record = selectors.study_record_get_for(user, pk)
    try:
        services.study_record_delete(actor=user, record=record)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已删除该学习记录。"))
    return redirect("education:records")


# --- trainings -------------------------------------------------------------------------------


@login_required
@require_GET
def training_list(request):
    user = request.user
    _require_any(user)
    trainings = selectors.training_list_for(user).select_related("organization", "station")
    filterset = TrainingFilter(request.GET, queryset=trainings, request=request)
    filterset.form.fields["org"].widget = FastSelect(choices=_picker(user, request.GET.get("org")))
    return _listing(
        request,
        filterset,
        "education/training_list.html",
        can_create=can(user, Action.MANAGE_MEMBERS) or bool(staffed_station_ids(user)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request):
    user = request.user
    if not (can(user, Action.MANAGE_MEMBERS) or staffed_station_ids(user)):
        raise PermissionDenied
    # Held at a booked resource (``?booking=``, kept on the POST): place and date come from it.
    held_at = prefill.asked("education.training", request)
    initial = held_at.initial() if held_at is not None else None
    form = TrainingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                training = services.training_create(actor=user, **form.cleaned_data)
                if held_at is not None:
                    held_at.attach(actor=user, record=training)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记培训 %(t)s。") % {"t": training.title})
            return redirect("education:training_detail", pk=training.pk)
    return _render(request, "education/training_form.html", {"form": form, "training": None})


def _can_manage(user, training) -> bool:
    return can_manage_training(user, org_path=training.org_path, station=training.station)


@login_required
@require_GET
def training_detail(request, pk):
    user = request.user
    training = selectors.training_get_for(user, pk)
    participants = (
        training.records.select_related("member", "member__organization")
        .order_by("member__name", "member_id")
        .only(
            "member__name",
            "member__organization__name",
            "member__org_path",
            "hours",
            "training_id",
        )
    )
    return _render(
        request,
        "education/training_detail.html",
        {
            "training": training,
            "participants": participants,
            "can_manage": _can_manage(user, training),
            "held": training.held_on <= timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request, pk):
    user = request.user
    training = selectors.training_get_for(user, pk)
    if not _can_manage(user, training):
        raise PermissionDenied
    fields = ("title", "skill", "held_on", "hours", "trainer", "place")
    initial = {f: getattr(training, f) for f in fields}
    form = TrainingForm(request.POST or None, user=user, training=training, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_update(actor=user, training=training, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("education:training_detail", pk=training.pk)
    return _render(request, "education/training_form.html", {"form": form, "training": training})


@login_required
@require_http_methods(["GET", "POST"])
def training_participants(request, pk):
    """The participants form: current participants (ticked) and candidates (see
    selectors.training_candidates_for), narrowed by a name search; posting the ticked set
    replaces the list."""
    user = request.user
    training = selectors.training_get_for(user, pk)
    if not _can_manage(user, training):
        raise PermissionDenied
    candidates = selectors.training_candidates_for(user, training)
    choices = selectors.training_participant_choices(user, training)
    form = ParticipantsForm(request.POST or None, candidates=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_participants_set(
                actor=user, training=training, members=list(form.cleaned_data["members"])
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存参训名单。"))
            return redirect("education:training_detail", pk=training.pk)
    current_ids = set(training.records.values_list("member_id", flat=True))
    if request.method == "POST":
        current_ids = {
            pk for pk in map(parse_id, request.POST.getlist("members")) if pk is not None
        }
    search = _search(request)
    current = list(
        choices.filter(pk__in=current_ids)
        .select_related("organization")
        .only("name", "organization__name")
        .order_by("name", "id")
    )
    others = candidates.exclude(pk__in=current_ids).select_related("organization")
    if search:
        others = others.filter(name__icontains=search)
    others = list(
        others.only("name", "organization__name").order_by("org_path", "name", "id")[
            :CANDIDATES_SHOWN
        ]
    )
    return _render(
        request,
        "education/training_participants.html",
        {
            "training": training,
            "form": form,
            "current": current,
            "others": others,
            "search": search,
            "limit": CANDIDATES_SHOWN,
            "held": training.held_on <= timezone.localdate(),
        },
    )
