"""Writes of needs, routing, deadlines, escalation and household visits.

The life of a need::

    submitted ─accept─▶ accepted ─start─▶ in_progress ─resolve─▶ resolved
    (resolve is allowed from any open state: submitted, accepted, in_progress, reopened)
    resolved ─confirm (rating 1–5)─▶ confirmed ─close─▶ closed
    resolved ─close (reopening window over)─▶ closed
    resolved ─reopen (within REOPEN_DAYS, with a reason)─▶ reopened ─start─▶ in_progress …
    (any open state) ─merge─▶ merged (its events stay; the survivor lists both histories)

Every step: one transaction, the row locked, the state checked, one ``NeedEvent`` row and one
audit event. Deadlines are counted in working days from ``clock_start`` (intake, or the day of
reopening) and recomputed for open needs whenever the calendar is corrected.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, crypto, images, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.core.workdays import WorkCalendar, load_calendar
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.regions.models import RegionLevel
from tongchou.service import permissions
from tongchou.service.models import (
    DESCRIPTION_MAX,
    OPEN_STATES,
    SUMMARY_MAX,
    VISIT_PHOTOS,
    CalendarCorrection,
    EventKind,
    Household,
    Intake,
    Need,
    NeedCategory,
    NeedEvent,
    NeedState,
    RoutingRule,
    Visit,
    VisitPhoto,
    VisitWay,
)

REOPEN_DAYS = getattr(settings, "SERVICE_REOPEN_DAYS", 15)  # calendar days after resolution
ESCALATE_COUNTY_AFTER = 3  # working days at the street before the county is told
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
NEED_FIELDS = ["category", "organization", "summary", "state", "unit", "resolve_due"]


def new_tracking_code(rng=None) -> str:
    """Ten characters from 32: 2^50 codes, not guessable. ``rng``: the demo's own generator
    (deterministic demo data); never in production."""
    if rng is not None:
        return "".join(rng.choice(CODE_ALPHABET) for _ in range(10))
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _text(value, *, field: str, label: str, most: int, required: bool = True) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > most:
        raise ApplicationError(
            "too_long",
            _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": most},
            field=field,
        )
    return value


def _phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 15):
        raise ApplicationError("invalid_phone", _("电话号码格式不正确。"), field="phone")
    return value


def _event(need: Need, kind: str, *, actor, from_state: str = "", note: str = "", at=None):
    NeedEvent.objects.create(
        need=need,
        kind=kind,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_state=from_state,
        to_state=need.state,
        note=note[:500],
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if kind == EventKind.SUBMITTED else AuditAction.UPDATE,
        obj=need,
        org_path=need.org_path,
        after={"kind": kind, "state": need.state},
        note=note,
    )


# --- places and routing --------------------------------------------------------------------


def ancestors_by_level(org: Organization) -> tuple[str, str]:
    """(street/township path, county path) above or at ``org``, by the regions of its
    ancestors; "" where there is none."""
    ids = tree.ancestor_ids(org.path) + [org.pk]
    rows = Organization.objects.filter(pk__in=ids).values_list("path", "region__level")
    street = county = ""
    for path, level in sorted(rows, key=lambda r: len(r[0])):
        if level == RegionLevel.TOWNSHIP:
            street = path
        elif level == RegionLevel.COUNTY:
            county = path
    return street, county


class Router:
    """Routing rules in memory, most specific first (built once per batch).

    The order is the deepest region, then a rule naming the category, then the lowest id. A
    rule covering a place names one prefix of its region code, so the rules are kept by
    (category, region prefix) — the first of each key in that order — and a need is routed by
    a few dictionary lookups, one or two per length of region code that any rule names."""

    def __init__(self, rules=None):
        if rules is None:
            rules = list(
                RoutingRule.objects.filter(active=True, unit__active=True).select_related("unit")
            )
        self.rules = sorted(
            rules,
            key=lambda r: (-len(r.region_id or ""), r.category_id is None, r.pk or 0),
        )
        self._best: dict[tuple[int | None, str], RoutingRule] = {}
        for rule in self.rules:
            self._best.setdefault((rule.category_id, rule.region_id or ""), rule)
        self._lengths = sorted({len(region) for _, region in self._best}, reverse=True)

    def route(self, category_id: int, region_code: str) -> RoutingRule | None:
        best = self._best
        for length in self._lengths:
            if length > len(region_code):
                continue
            prefix = region_code[:length]
            rule = best.get((category_id, prefix)) or best.get((None, prefix))
            if rule is not None:
                return rule
        return None


def set_deadlines(need: Need, calendar: WorkCalendar) -> None:
    need.ack_due = calendar.add_working_days(need.clock_start, need.ack_days)
    need.resolve_due = calendar.add_working_days(need.clock_start, need.resolve_days)


def _category(category) -> NeedCategory:
    if isinstance(category, NeedCategory):
        if not category.active:
            raise ApplicationError("unknown_category", _("没有这个诉求类别。"), field="category")
        return category
    found = NeedCategory.objects.filter(active=True, code=str(category or "")).first()
    if found is None:
        raise ApplicationError("unknown_category", _("没有这个诉求类别。"), field="category")
    return found


def _place(organization) -> Organization:
    if organization is None:
        raise ApplicationError(
            "missing_location", _("请选择所在村（社区）。"), field="organization"
        )
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("该党组织已撤销。"), field="organization"
        )
    return organization


@transaction.atomic
def need_submit(
    *,
    actor,
    intake: str,
    category,
    organization: Organization | None,
    summary: str,
    description: str = "",
    address: str = "",
    resident_name: str = "",
    phone: str = "",
    station=None,
    proxy_station=None,
    visit: Visit | None = None,
    lat=None,
    long=None,
    now=None,
    calendar: WorkCalendar | None = None,
    router: Router | None = None,
    check: bool = True,
    rng=None,
) -> Need:
    """Take in a need. Staff intake needs ``MANAGE_MEMBERS`` over the place or a station the
    actor staffs; public and Open311 intake are checked by their views. Routed and deadlined
    here, before anyone sees it."""
    if intake not in Intake.values:
        raise ApplicationError("invalid", "unknown intake")
    category = _category(category)
    organization = _place(organization)
    manages = can(actor, Action.MANAGE_MEMBERS, organization.path)
    if check and intake in (Intake.STAFF, Intake.VISIT) and not manages and visit is None:
        raise PermissionDenied
    staffed = station is not None and station.pk in permissions.staffed_station_ids(actor)
    if check and intake == Intake.STATION and not staffed:
        raise PermissionDenied
    _check_proxy_intake(actor, intake, proxy_station, check=check)
    now = now or timezone.now()
    street, county = ancestors_by_level(organization)
    need = Need(
        tracking_code=new_tracking_code(rng),
        token=f"{rng.getrandbits(128):032x}" if rng is not None else secrets.token_hex(16),
        category=category,
        organization=organization,
        org_path=organization.path,
        street_path=street,
        county_path=county,
        region_code=organization.region_id or "",
        intake=intake,
        station=station,
        proxy_station=proxy_station,
        visit=visit,
        summary=_text(summary, field="summary", label=_("公开摘要"), most=SUMMARY_MAX),
        description=_text(
            description,
            field="description",
            label=_("详细情况"),
            most=DESCRIPTION_MAX,
            required=False,
        ),
        address=_text(address, field="address", label=_("详细地址"), most=200, required=False),
        resident_name=_text(
            resident_name, field="resident_name", label=_("姓名"), most=50, required=False
        ),
        lat=lat,
        long=long,
        ack_days=category.ack_days,
        resolve_days=category.resolve_days,
        clock_start=timezone.localdate(now),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=now,
    )
    phone = _phone(phone)
    if phone:
        need.phone_enc = crypto.encrypt(phone)
    set_deadlines(need, calendar or load_calendar())
    rule = (router or Router()).route(category.pk, need.region_code)
    if rule is not None:
        need.unit_id, need.rule = rule.unit_id, rule
    need.save()
    _event(need, EventKind.SUBMITTED, actor=actor, note=Intake(intake).label, at=now)
    if rule is not None:
        _event(need, EventKind.ROUTED, actor=None, note=rule.describe(), at=now)
    return need


def _check_proxy_intake(actor, intake: str, proxy_station, *, check: bool) -> None:
    """Intake ``proxy`` names an active proxy station the actor may file at; no other intake
    names one."""
    if intake != Intake.PROXY:
        if proxy_station is not None:
            raise ApplicationError(
                "invalid", _("只有代办站代办的诉求才能填写代办站。"), field="proxy_station"
            )
        return
    if proxy_station is None:
        raise ApplicationError("required", _("请选择城市服务代办站。"), field="proxy_station")
    if check and not permissions.can_file_at_proxy(actor, proxy_station):
        raise PermissionDenied
    if not proxy_station.active:
        raise ApplicationError("station_inactive", _("该代办站已停止运行。"), field="proxy_station")


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().get(pk=need.pk)


def _wrong_state(need: Need):
    return ApplicationError(
        "wrong_state",
        _("该诉求当前为“%(s)s”，不能这样操作。") % {"s": need.get_state_display()},
        field="state",
    )


@transaction.atomic
def need_reassign(*, actor, need: Need, unit, reason: str) -> Need:
    need = _locked(need)
    if not permissions.can_manage_place(actor, need):
        raise PermissionDenied
    if need.state not in OPEN_STATES:
        raise _wrong_state(need)
    reason = _text(reason, field="reason", label=_("改派理由"), most=200)
    if unit is None or not unit.active:
        raise ApplicationError("unknown_unit", _("没有这个联盟单位。"), field="unit")
    before = need.unit.name if need.unit_id else "-"
    need.unit, need.rule, need.route_note = unit, None, reason
    need.save(update_fields=["unit", "rule", "route_note", "updated_at"])
    _event(need, EventKind.REASSIGNED, actor=actor, note=f"{before} → {unit.name}: {reason}")
    return need


def _step(*, actor, need: Need, allowed, to: str, kind: str, note: str = "", check=None) -> Need:
    need = _locked(need)
    if not (check or permissions.can_work)(actor, need):
        raise PermissionDenied
    if need.state not in allowed:
        raise _wrong_state(need)
    before = need.state
    need.state = to
    now = timezone.now()
    if to == NeedState.ACCEPTED:
        need.accepted_at = now
    need.save()
    _event(need, kind, actor=actor, from_state=before, note=note, at=now)
    return need


def need_accept(*, actor, need: Need) -> Need:
    with transaction.atomic():
        return _step(
            actor=actor,
            need=need,
            allowed=(NeedState.SUBMITTED,),
            to=NeedState.ACCEPTED,
            kind=EventKind.ACCEPTED,
        )


def need_start(*, actor, need: Need) -> Need:
    with transaction.atomic():
        return _step(
            actor=actor,
            need=need,
            allowed=(NeedState.ACCEPTED, NeedState.REOPENED, NeedState.SUBMITTED),
            to=NeedState.IN_PROGRESS,
            kind=EventKind.STARTED,
        )


@transaction.atomic
def need_resolve(*, actor, need: Need, resolution: str, now=None) -> Need:
    resolution = _text(resolution, field="resolution", label=_("办理结果"), most=DESCRIPTION_MAX)
    need = _locked(need)
    if not permissions.can_work(actor, need):
        raise PermissionDenied
    if need.state not in OPEN_STATES:
        raise _wrong_state(need)
    before = need.state
    now = now or timezone.now()
    need.state = NeedState.RESOLVED
    need.resolution = resolution
    need.resolved_at = now
    need.on_time = timezone.localdate(now) <= need.resolve_due
    if need.accepted_at is None:
        need.accepted_at = now
    need.save()
    _event(need, EventKind.RESOLVED, actor=actor, from_state=before, note=resolution, at=now)
    return need


def _rating(value) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ApplicationError("invalid_rating", _("评分应为1到5。"), field="rating")
    return rating


@transaction.atomic
def need_confirm(*, tracking_code: str, rating, comment: str = "") -> Need:
    """The resident's answer, by tracking code (no account)."""
    rating = _rating(rating)
    comment = _text(comment, field="comment", label=_("评价"), most=500, required=False)
    need = Need.objects.select_for_update().filter(tracking_code=tracking_code).first()
    if need is None:
        raise ApplicationError("not_found", _("查询码不存在。"))
    if need.state != NeedState.RESOLVED:
        raise ApplicationError("not_resolved", _("诉求尚未办结，不能确认。"), field="state")
    need.state = NeedState.CONFIRMED
    need.rating, need.rating_comment = rating, comment
    need.confirmed_at = timezone.now()
    need.save()
    _event(
        need,
        EventKind.CONFIRMED,
        actor=None,
        from_state=NeedState.RESOLVED,
        note=f"{rating}/5 {comment}",
    )
    return need


@transaction.atomic
def need_reopen(*, tracking_code: str, reason: str, now=None) -> Need:
    reason = _text(reason, field="reason", label=_("理由"), most=500)
    need = Need.objects.select_for_update().filter(tracking_code=tracking_code).first()
    if need is None:
        raise ApplicationError("not_found", _("查询码不存在。"))
    if need.state != NeedState.RESOLVED:
        raise ApplicationError("not_resolved", _("只有已办结的诉求可以重新办理。"), field="state")
    now = now or timezone.now()
    if now - need.resolved_at > dt.timedelta(days=REOPEN_DAYS):
        raise ApplicationError(
            "reopen_window_over",
            _("办结已超过%(n)s天，不能再申请重新办理，请重新提交诉求。") % {"n": REOPEN_DAYS},
            field="reason",
        )
    need.state = NeedState.REOPENED
    need.clock_start = timezone.localdate(now)
    need.on_time = None
    need.escalation, need.escalated_to_path, need.escalated_on = 0, "", None
    set_deadlines(need, load_calendar())
    need.save()
    _event(need, EventKind.REOPENED, actor=None, from_state=NeedState.RESOLVED, note=reason)
    return need


@transaction.atomic
def need_close(*, actor, need: Need, note: str = "", now=None) -> Need:
    """Close a confirmed need, or a resolved one whose reopening window has passed."""
    need = _locked(need)
    if actor is not None and not permissions.can_manage_place(actor, need):
        raise PermissionDenied
    now = now or timezone.now()
    window_over = need.state == NeedState.RESOLVED and now - need.resolved_at > dt.timedelta(
        days=REOPEN_DAYS
    )
    if need.state != NeedState.CONFIRMED and not window_over:
        raise _wrong_state(need)
    before = need.state
    need.state, need.closed_at = NeedState.CLOSED, now
    need.save()
    _event(need, EventKind.CLOSED, actor=actor, from_state=before, note=note)
    return need


@transaction.atomic
def need_merge(*, actor, duplicate: Need, into: Need) -> Need:
    """Merge ``duplicate`` into ``into``: both keep their events; the survivor's page shows the
    duplicate's history beside its own."""
    if duplicate.pk == into.pk:
        raise ApplicationError("invalid", _("不能与自身合并。"), field="into")
    first, second = sorted([duplicate.pk, into.pk])
    locked = {n.pk: n for n in Need.objects.select_for_update().filter(pk__in=[first, second])}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    for need in (duplicate, into):
        if not permissions.can_manage_place(actor, need):
            raise PermissionDenied
    if duplicate.state not in OPEN_STATES or into.state == NeedState.MERGED:
        raise _wrong_state(duplicate if duplicate.state not in OPEN_STATES else into)
    before = duplicate.state
    duplicate.state, duplicate.merged_into = NeedState.MERGED, into
    duplicate.save()
    _event(duplicate, EventKind.MERGED, actor=actor, from_state=before, note=f"→ #{into.pk}")
    _event(into, EventKind.MERGED, actor=actor, from_state=into.state, note=f"← #{duplicate.pk}")
    return into


# --- deadlines and escalation --------------------------------------------------------------


@transaction.atomic
def calendar_correct(*, actor, day: dt.date, is_workday: bool, note: str = "") -> int:
    """Record a correction of the calendar and move every open deadline; returns how many
    needs got a new deadline."""
    if not can(actor, Action.MANAGE_ORGS):
        raise PermissionDenied
    CalendarCorrection.objects.update_or_create(
        day=day, defaults={"is_workday": is_workday, "note": (note or "")[:200]}
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="service.calendarcorrection",
        object_id=str(day),
        object_repr=str(day),
        after={"day": str(day), "is_workday": is_workday},
        note=note,
    )
    return deadlines_recompute(since=day)


def deadlines_recompute(*, since: dt.date | None = None, calendar=None) -> int:
    """Recompute the deadlines of open needs whose deadline window may include ``since``."""
    calendar = calendar or load_calendar()
    needs = Need.objects.filter(state__in=OPEN_STATES)
    if since is not None:
        needs = needs.filter(clock_start__lte=since, resolve_due__gte=since - dt.timedelta(60))
    moved = []
    for need in needs.only(
        "pk", "clock_start", "ack_days", "resolve_days", "ack_due", "resolve_due"
    ):
        old = (need.ack_due, need.resolve_due)
        set_deadlines(need, calendar)
        if (need.ack_due, need.resolve_due) != old:
            moved.append(need)
    Need.objects.bulk_update(moved, ["ack_due", "resolve_due"], batch_size=1000)
    now = timezone.now()
    NeedEvent.objects.bulk_create(
        NeedEvent(
            need=n,
            kind=EventKind.DEADLINE_MOVED,
            at=now,
            to_state="",
            note=f"{n.ack_due} / {n.resolve_due}",
        )
        for n in moved
    )
    return len(moved)


def is_overdue(need: Need, today: dt.date) -> bool:
    if need.state == NeedState.SUBMITTED and today > need.ack_due:
        return True
    return need.state in OPEN_STATES and today > need.resolve_due


@transaction.atomic
def needs_escalate(*, today: dt.date | None = None, calendar=None) -> tuple[int, int]:
    """Overdue needs go to the street/township committee; still overdue
    ``ESCALATE_COUNTY_AFTER`` working days later, to the county. Each is told on its home page
    ("waiting for you"). Returns (to streets, to counties). Run daily (``service_escalate``)."""
    from django.db.models import Q

    today = today or timezone.localdate()
    calendar = calendar or load_calendar()
    overdue = Q(state__in=OPEN_STATES, resolve_due__lt=today) | Q(
        state=NeedState.SUBMITTED, ack_due__lt=today
    )
    to_street = to_county = 0
    for need in Need.objects.select_for_update().filter(overdue, escalation=0):
        target = need.street_path or need.county_path
        need.escalation = 1 if need.street_path else 2
        need.escalated_to_path, need.escalated_on = target, today
        need.save(update_fields=["escalation", "escalated_to_path", "escalated_on"])
        _event(need, EventKind.ESCALATED, actor=None, from_state=need.state, note=target)
        if need.escalation == 1:
            to_street += 1
        else:
            to_county += 1
    for need in Need.objects.select_for_update().filter(overdue, escalation=1):
        if calendar.working_days_between(need.escalated_on, today) < ESCALATE_COUNTY_AFTER:
            continue
        if not need.county_path:
            continue
        need.escalation, need.escalated_to_path = 2, need.county_path
        need.escalated_on = today
        need.save(update_fields=["escalation", "escalated_to_path", "escalated_on"])
        _event(need, EventKind.ESCALATED, actor=None, from_state=need.state, note=need.county_path)
        to_county += 1
    return to_street, to_county


# --- households and visits -----------------------------------------------------------------


def visit_record(
    *,
    actor,
    household: Household,
    visited_on: dt.date,
    way: str,
    notes: str = "",
    member=None,
    needs: list[dict] | None = None,
    photos: list | None = None,
    photos_agreed: bool = False,
) -> Visit:
    """A visit to a household, by its contact member (or a manager of its place); each need
    raised becomes a need with the visit as intake. ``photos`` (optional, at most
    ``VISIT_PHOTOS``, and only with ``photos_agreed``: the household said yes) are kept as
    clean JPEGs; a refused one refuses the whole visit. They are decoded before the transaction
    and their files removed again if it fails."""
    own = member is not None and member.user_id == getattr(actor, "pk", None)
    if not (can(actor, Action.MANAGE_MEMBERS, household.org_path) or own):
        raise PermissionDenied
    if way not in VisitWay.values:
        raise ApplicationError("invalid", _("请选择走访方式。"), field="way")
    if visited_on > timezone.localdate():
        raise ApplicationError("future_date", _("走访日期不能晚于今天。"), field="visited_on")
    photos = [p for p in photos or [] if p]
    if len(photos) > VISIT_PHOTOS:
        raise ApplicationError(
            "too_many_photos",
            _("每次走访最多上传 %(n)d 张照片。") % {"n": VISIT_PHOTOS},
            field="photos",
        )
    if photos and not photos_agreed:
        raise ApplicationError(
            "photos_not_agreed", _("请确认住户同意拍摄并保存照片。"), field="photos_agreed"
        )
    cleaned = [images.clean_photo(p, field="photos") for p in photos]  # all read before a write
    with images.kept_unless_failed() as stored, transaction.atomic():
        return _visit_write(
            actor=actor,
            household=household,
            member=member,
            visited_on=visited_on,
            way=way,
            notes=notes,
            needs=needs,
            photos=cleaned,
            stored=stored,
        )


def _visit_write(*, actor, household, member, visited_on, way, notes, needs, photos, stored):
    visit = Visit.objects.create(
        household=household,
        member=member,
        org_path=household.org_path,
        visited_on=visited_on,
        way=way,
        notes=_text(
            notes, field="notes", label=_("走访情况"), most=DESCRIPTION_MAX, required=False
        ),
        recorded_by=actor,
    )
    if household.last_visited_on is None or visited_on > household.last_visited_on:
        Household.objects.filter(pk=household.pk).update(last_visited_on=visited_on)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=visit, org_path=visit.org_path)
    for raised in needs or []:
        need_submit(
            actor=actor,
            intake=Intake.VISIT,
            organization=household.organization,
            visit=visit,
            address=household.address,
            **raised,
        )
    for content in photos:
        photo = VisitPhoto(visit=visit)
        photo.image.save("visit.jpg", content, save=False)
        stored.append(photo.image)
        photo.save()
    if photos:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=visit,
            org_path=visit.org_path,
            note=f"photos={len(photos)}; household agreed",
        )
    return visit


def contact_suggestions(household: Household, *, limit: int = 5) -> list[tuple]:
    """Members who could be this household's contact: of the household's village, fewest
    households first (load), then — when both have coordinates — the nearest by the
    coordinates of the households they already look after. A suggestion for the secretary,
    never an assignment."""
    from django.db.models import Avg, Count

    from tongchou.members.models import Member

    members = (
        Member.objects.filter(organization_id=household.organization_id, archived=False)
        .annotate(
            load=Count("contact_households", distinct=True),
            lat=Avg("contact_households__lat"),
            long=Avg("contact_households__long"),
        )
        .order_by("pk")
    )

    def distance(m) -> float:
        if household.lat is None or m.lat is None:
            return float("inf")
        return float((m.lat - household.lat) ** 2 + (m.long - household.long) ** 2) ** 0.5

    ranked = sorted(members, key=lambda m: (m.load, distance(m), m.pk))
    return [(m, m.load) for m in ranked[:limit]]


@transaction.atomic
def household_assign(*, actor, household: Household, member, reason: str = "") -> Household:
    """The secretary gives the household a contact member (or rebalances)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not can(actor, Action.MANAGE_MEMBERS, household.org_path):
        raise PermissionDenied
    if member is not None and not tree.covers([household.org_path], member.org_path):
        raise ApplicationError("invalid", _("联系党员应是本村（社区）的党员。"), field="member")
    before = household.contact_id
    household.contact = member
    household.save(update_fields=["contact", "updated_at"])
    audit.record_update(
        actor=actor,
        obj=household,
        org_path=household.org_path,
        before={"contact": before},
        after={"contact": member.pk if member else None},
        note=reason[:255],
    )
    return household


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------

PROXY_STATION_AUDITED = ["name", "organization", "address", "phone", "services", "active"]


def _proxy_services(values) -> list[str]:
    from tongchou.service.models import ProxyService

    if isinstance(values, str):
        values = [values]
    chosen = list(dict.fromkeys(values or []))
    for value in chosen:
        if value not in ProxyService.values:
            raise ApplicationError("unknown_service", _("没有这个代办事项。"), field="services")
    if not chosen:
        raise ApplicationError("required", _("请选择代办事项。"), field="services")
    return chosen


def _proxy_village(organization) -> Organization:
    """A proxy station sits in a village: an active organization seated in a rural
    village-level division."""
    from tongchou.regions.models import UrbanRural

    if organization is None:
        raise ApplicationError("required", _("请选择所属村党组织。"), field="organization")
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("该党组织已撤销。"), field="organization"
        )
    region = organization.region
    if (
        region is None
        or region.level != RegionLevel.VILLAGE
        or organization.urban_rural == UrbanRural.URBAN
    ):
        raise ApplicationError(
            "not_a_village",
            _("城市服务代办站应设在村，请选择村党组织。"),
            field="organization",
        )
    return organization


def _proxy_staff(actor, station, users) -> list:
    """New staff must be active accounts the actor already manages (as for member service
    stations): naming an account makes it staff of a village in the actor's reach. Staff
    already on the station stay as they are."""
    from tongchou.mobility.permissions import accounts_in_scope

    users = list(dict.fromkeys(users or []))
    current = set(station.staff.values_list("pk", flat=True)) if station and station.pk else set()
    added = {u.pk: u for u in users if u.pk not in current}
    if added:
        allowed = set(
            accounts_in_scope(actor)
            .filter(pk__in=list(added), is_active=True)
            .values_list("pk", flat=True)
        )
        refused = sorted(u.username for pk, u in added.items() if pk not in allowed)
        if refused:
            raise ApplicationError(
                "unknown_user",
                _("您管理范围内没有这些用户名的有效账号：%(names)s。")
                % {"names": "、".join(refused)},
                field="staff",
            )
    return users


def _proxy_values(*, name, organization, address, opening_hours, phone, services, active) -> dict:
    from tongchou.core.hours import parse_opening_hours

    organization = _proxy_village(organization)
    return {
        "name": _text(name, field="name", label=_("名称"), most=100),
        "organization": organization,
        "org_path": organization.path,
        "region": organization.region,
        "address": _text(address, field="address", label=_("地址"), most=200, required=False),
        "opening_hours": parse_opening_hours(opening_hours),
        "phone": _phone(phone),
        "services": _proxy_services(services),
        "active": bool(active),
    }


def _proxy_audit_view(station) -> dict:
    data = audit.snapshot(station, PROXY_STATION_AUDITED)
    data["staff"] = sorted(station.staff.values_list("username", flat=True))
    return data


@transaction.atomic
def proxy_station_create(
    *,
    actor,
    name: str,
    organization: Organization,
    services,
    address: str = "",
    opening_hours=None,
    phone: str = "",
    staff=(),
    active: bool = True,
):
    """A new proxy station of a village, by the village's secretary or an admin above."""
    from tongchou.service.models import ProxyStation

    values = _proxy_values(
        name=name,
        organization=organization,
        address=address,
        opening_hours=opening_hours,
        phone=phone,
        services=services,
        active=active,
    )
    if not can(actor, Action.MANAGE_MEMBERS, values["org_path"]):
        raise PermissionDenied
    station = ProxyStation(**values)
    staff = _proxy_staff(actor, None, staff)
    station.full_clean()
    station.save()
    station.staff.set(staff)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=station,
        org_path=station.org_path,
        after=_proxy_audit_view(station),
    )
    return station


@transaction.atomic
def proxy_station_update(
    *,
    actor,
    station,
    name: str,
    organization: Organization,
    services,
    address: str = "",
    opening_hours=None,
    phone: str = "",
    staff=None,
    active: bool = True,
):
    """Edit a station: the right is needed over its village and over the new one; ``staff``
    (users) replaces the staff list when given."""
    from tongchou.service.models import ProxyStation

    station = ProxyStation.objects.select_for_update().get(pk=station.pk)
    if not permissions.can_manage_proxy(actor, station):
        raise PermissionDenied
    values = _proxy_values(
        name=name,
        organization=organization,
        address=address,
        opening_hours=opening_hours,
        phone=phone,
        services=services,
        active=active,
    )
    if not can(actor, Action.MANAGE_MEMBERS, values["org_path"]):
        raise PermissionDenied
    before = _proxy_audit_view(station)
    if staff is not None:
        staff = _proxy_staff(actor, station, staff)
    for key, value in values.items():
        setattr(station, key, value)
    station.full_clean()
    station.save()
    if staff is not None:
        station.staff.set(staff)
    audit.record_update(
        actor=actor,
        obj=station,
        org_path=station.org_path,
        before=before,
        after=_proxy_audit_view(station),
    )
    return station


def proxy_need_file(
    *,
    actor,
    station,
    service: str,
    summary: str,
    organization: Organization | None = None,
    description: str = "",
    address: str = "",
    resident_name: str = "",
    phone: str = "",
    now=None,
    calendar: WorkCalendar | None = None,
    router: Router | None = None,
    rng=None,
) -> Need:
    """A city service filed for a resident at a proxy station: a need of the service's
    category (routed and deadlined as any other), placed in the resident's village (the
    station's when not given), intake ``proxy``. The resident gets its tracking code."""
    from tongchou.service.models import PROXY_SERVICE_CATEGORY, ProxyService

    if not permissions.can_file_at_proxy(actor, station):
        raise PermissionDenied
    if service not in ProxyService.values:
        raise ApplicationError("unknown_service", _("没有这个代办事项。"), field="service")
    if service not in station.services:
        raise ApplicationError(
            "service_not_offered", _("该代办站不代办这项服务。"), field="service"
        )
    category = NeedCategory.objects.filter(
        active=True, code=PROXY_SERVICE_CATEGORY[ProxyService(service)]
    ).first()
    if category is None:
        raise ApplicationError("unknown_category", _("没有这个诉求类别。"), field="service")
    return need_submit(
        actor=actor,
        intake=Intake.PROXY,
        proxy_station=station,
        category=category,
        organization=organization or station.organization,
        summary=summary,
        description=description,
        address=address,
        resident_name=resident_name,
        phone=phone,
        now=now,
        calendar=calendar,
        router=router,
        rng=rng,
    )
