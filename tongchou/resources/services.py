"""Writes of shared resources and bookings.

A booking's life::

    requested ──confirm──▶ confirmed ──cancel──▶ cancelled
        │  └──decline (reason)──▶ declined
        ├──cancel──▶ cancelled
        └──(hold_hours pass undecided)──▶ expired

(a resource with ``auto_confirm`` skips ``requested``). Requested and confirmed bookings *hold*
their slot, buffers included, so a slot is never promised twice.

No double booking, in the database: every booking write begins by bumping the resource's
``booking_seq`` — the first statement of the transaction, so on SQLite (whose transactions
begin IMMEDIATE, see settings) the write lock is held before anything is read, and on
PostgreSQL the resource row is locked, which makes the monthly quota count exact. The overlap
is then checked and the row inserted; on PostgreSQL the exclusion constraint
``booking_no_overlap`` (migration 0002) refuses an overlapping holding row whatever wrote it,
and the service turns that refusal into the same 409 ``slot_taken``.
"""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit, images, tree
from tongchou.core.errors import ApplicationError
from tongchou.core.hours import parse_opening_hours
from tongchou.core.models import AuditAction
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can
from tongchou.regions.flows import class_of, direction_of
from tongchou.regions.models import RegionLevel
from tongchou.resources import permissions, selectors
from tongchou.resources.models import (
    HOLDING,
    Booking,
    BookingState,
    FlowMonth,
    Resource,
    ResourceKind,
    ResourcePhoto,
    ResourceStatus,
    Visibility,
)

RESOURCE_FIELDS = [
    "kind",
    "name",
    "owner",
    "region",
    "address",
    "latitude",
    "longitude",
    "status",
    "capacity",
    "topics",
    "member",
    "person_name",
    "description",
    "visibility",
    "bookers",
    "auto_confirm",
    "opening_hours",
    "closed_on_days_off",
    "lead_hours",
    "max_minutes",
    "monthly_quota",
    "buffer_before",
    "buffer_after",
    "hold_hours",
]
RESOURCE_EDITABLE = set(RESOURCE_FIELDS) - {"owner"} | {"allowed_orgs"}
BOOKING_FIELDS = [
    "resource",
    "organization",
    "starts_at",
    "ends_at",
    "purpose",
    "people",
    "state",
    "reason",
    "direction",
]


class SlotTaken(ApplicationError):
    """The slot is held by another booking: HTTP 409 in the API, a form error on pages."""

    status = 409


def _full_clean(obj, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        field, messages = next(iter(fields.items()))
        raise ApplicationError(
            "invalid", messages[0], field=field, extra={"fields": fields}
        ) from None


# --- resources -------------------------------------------------------------------------------


def _county_path(owner: Organization) -> str:
    """The path of the nearest organization at or above the owner that sits at county level;
    the owner's own path when there is none (an owner above the counties shares its subtree)."""
    ids = [*tree.ancestor_ids(owner.path), owner.pk]
    rows = Organization.objects.filter(pk__in=ids, region__level=RegionLevel.COUNTY).values_list(
        "path", flat=True
    )
    paths = sorted(rows, key=len)
    return paths[-1] if paths else owner.path


def visible_path_for(owner: Organization, visibility: str) -> str:
    if visibility == Visibility.ALL:
        return ""
    if visibility == Visibility.COUNTY:
        return _county_path(owner)
    return owner.path


def _check_resource(actor, resource: Resource) -> None:
    resource.name = (resource.name or "").strip()
    if not resource.name:
        raise ApplicationError("required", _("请填写名称。"), field="name")
    resource.opening_hours = parse_opening_hours(resource.opening_hours)
    if resource.kind in (ResourceKind.ROOM, ResourceKind.VEHICLE) and not resource.capacity:
        raise ApplicationError(
            "capacity_required", _("场地和车辆须填写容纳人数。"), field="capacity"
        )
    if resource.kind == ResourceKind.TRAINER:
        resource.person_name = (resource.person_name or "").strip()
        if resource.member_id and resource.person_name:
            raise ApplicationError(
                "trainer_twice",
                _("师资为党员时从党员中选择，不再填写姓名。"),
                field="person_name",
            )
        if not resource.member_id and not resource.person_name:
            raise ApplicationError(
                "trainer_required", _("请选择师资党员或填写师资姓名。"), field="member"
            )
        if resource.member_id and not can(actor, Action.VIEW_MEMBERS, resource.member.org_path):
            raise ApplicationError("not_found", _("未找到该党员。"), field="member")
    else:
        resource.member = None
        resource.person_name = ""
    _full_clean(resource, exclude=["owner_path", "visible_path", "feed_token", "allowed_orgs"])


@transaction.atomic
def resource_create(*, actor, owner: Organization, allowed_orgs=(), **fields) -> Resource:
    if not can(actor, permissions.MANAGE, owner.path):
        raise PermissionDenied
    if owner.status != OrgStatus.ACTIVE:
        raise ApplicationError("organization_dissolved", _("该党组织已撤销。"), field="owner")
    if fields.get("region") is None:
        fields["region"] = owner.region
    resource = Resource(owner=owner, owner_path=owner.path, **fields)
    _check_resource(actor, resource)
    resource.visible_path = visible_path_for(owner, resource.visibility)
    resource.save()
    resource.allowed_orgs.set(list(allowed_orgs))
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=resource,
        org_path=resource.owner_path,
        after=audit.snapshot(resource, RESOURCE_FIELDS),
    )
    return resource


@transaction.atomic
def resource_update(*, actor, resource: Resource, **changes) -> Resource:
    unknown = set(changes) - RESOURCE_EDITABLE
    if unknown:
        raise ApplicationError("not_editable", f"cannot change {', '.join(sorted(unknown))}")
    resource = Resource.objects.select_related("owner").get(pk=resource.pk)
    if not permissions.can_manage_resource(actor, resource):
        raise PermissionDenied
    before = audit.snapshot(resource, RESOURCE_FIELDS)
    allowed = changes.pop("allowed_orgs", None)
    for field, value in changes.items():
        setattr(resource, field, value)
    _check_resource(actor, resource)
    resource.visible_path = visible_path_for(resource.owner, resource.visibility)
    resource.save()
    if allowed is not None:
        resource.allowed_orgs.set(list(allowed))
    audit.record_update(
        actor=actor,
        obj=resource,
        org_path=resource.owner_path,
        before=before,
        after=audit.snapshot(resource, RESOURCE_FIELDS),
    )
    return resource


# --- photos ----------------------------------------------------------------------------------

PHOTOS_PER_RESOURCE = 8


def resource_photo_add(*, actor, resource: Resource, upload, caption: str = "") -> ResourcePhoto:
    """A photo for ``resource``, kept as the clean JPEG ``core.images`` makes of the upload.
    The upload is decoded before the transaction (no lock held while a large picture is
    read), and the stored file is removed again if the rows cannot be written."""
    if not permissions.can_manage_resource(actor, resource):
        raise PermissionDenied
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ApplicationError("too_long", _("说明不能超过100个字。"), field="caption")
    content = images.clean_photo(upload)
    with images.kept_unless_failed() as stored, transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.photos.count() >= PHOTOS_PER_RESOURCE:
            raise ApplicationError(
                "too_many_photos",
                _("每项资源最多 %(n)d 张照片，请先删除一张。") % {"n": PHOTOS_PER_RESOURCE},
                field="photo",
            )
        photo = ResourcePhoto(resource=resource, caption=caption, uploaded_by=actor)
        photo.image.save("photo.jpg", content, save=False)
        stored.append(photo.image)
        photo.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=photo,
            org_path=resource.owner_path,
            after={"resource": resource.pk, "caption": caption},
        )
    return photo


@transaction.atomic
def resource_photo_remove(*, actor, photo: ResourcePhoto) -> None:
    resource = photo.resource
    if not permissions.can_manage_resource(actor, resource):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=photo,
        org_path=resource.owner_path,
        before={"resource": resource.pk, "caption": photo.caption},
    )
    name = photo.image.name
    photo.delete()
    # The file goes once the row is gone for good (a rolled-back delete keeps both).
    transaction.on_commit(lambda: photo.image.storage.delete(name))


# --- bookings --------------------------------------------------------------------------------


def _lock(resource: Resource) -> None:
    """The first statement of every booking transaction: a write on the resource row."""
    Resource.objects.filter(pk=resource.pk).update(booking_seq=F("booking_seq") + 1)


def _expire_stale(resource: Resource, now: dt.datetime) -> None:
    """Undecided requests past their hold release the slot (state ``expired``)."""
    Booking.objects.filter(
        resource=resource, state=BookingState.REQUESTED, expires_at__lte=now
    ).update(state=BookingState.EXPIRED)


def _fix_flow(booking: Booking) -> None:
    """The facts of the flow, fixed at confirmation: from the resource's region (its owner's
    class when the region has none) to the booking organization's."""
    resource = booking.resource
    owner_class = class_of(resource.region, resource.owner)
    org = booking.organization
    user_class = class_of(org.region, org)
    booking.direction = direction_of(owner_class, user_class)
    booking.minutes = int((booking.ends_at - booking.starts_at).total_seconds() // 60)
    booking.month = timezone.localtime(booking.starts_at).date().replace(day=1)


def _count_flow(booking: Booking, sign: int) -> None:
    """Add (1) or take back (-1) a confirmed booking in the deployment's monthly totals, in the
    caller's transaction (the resource row is locked, so two writers of one resource never
    race; two of different resources meet on the totals row, whose UPDATE waits its turn)."""
    key = {"month": booking.month, "kind": booking.kind, "direction": booking.direction}
    change = {
        "uses": F("uses") + sign,
        "minutes": F("minutes") + sign * booking.minutes,
        "people": F("people") + sign * booking.people,
    }
    if FlowMonth.objects.filter(**key).update(**change):
        return
    try:
        with transaction.atomic():
            FlowMonth.objects.create(
                **key,
                uses=sign,
                minutes=sign * booking.minutes,
                people=sign * booking.people,
            )
    except IntegrityError:  # created meanwhile by another transaction
        FlowMonth.objects.filter(**key).update(**change)


def flow_months_rebuild() -> int:
    """The monthly totals again from the confirmed bookings (after a bulk load, or to check
    them); returns the rows written."""
    from django.db.models import Count, Sum

    with transaction.atomic():
        FlowMonth.objects.all().delete()
        rows = (
            Booking.objects.filter(state=BookingState.CONFIRMED)
            .order_by()
            .values_list("month", "kind", "direction")
            .annotate(n=Count("*"), m=Sum("minutes"), p=Sum("people"))
        )
        made = FlowMonth.objects.bulk_create(
            FlowMonth(month=mo, kind=k, direction=d, uses=n, minutes=m or 0, people=p or 0)
            for mo, k, d, n, m, p in rows
        )
    return len(made)


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _month_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(moment)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def check_booking(
    *,
    resource: Resource,
    organization: Organization,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int,
    now: dt.datetime,
) -> None:
    """The rules of a booking, each a clear error naming its field (overlap and quota are
    checked under the lock, in ``booking_request``)."""
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("该党组织已撤销。"), field="organization"
        )
    if not permissions.may_be_booked_by(resource, organization):
        raise ApplicationError("not_bookable", _("该资源不对本党组织开放预约。"), field="resource")
    if resource.status == ResourceStatus.RETIRED:
        raise ApplicationError("resource_retired", _("该资源已停用。"), field="resource")
    if resource.status == ResourceStatus.REPAIR:
        raise ApplicationError("resource_under_repair", _("该资源正在维修。"), field="resource")
    if ends_at <= starts_at:
        raise ApplicationError("ends_before_start", _("结束时间应晚于开始时间。"), field="ends_at")
    if starts_at < now:
        raise ApplicationError("in_the_past", _("不能预约已经过去的时间。"), field="starts_at")
    if starts_at < now + dt.timedelta(hours=resource.lead_hours):
        raise ApplicationError(
            "lead_time",
            _("该资源须至少提前%(n)d小时预约。") % {"n": resource.lead_hours},
            field="starts_at",
        )
    length = (ends_at - starts_at).total_seconds() / 60
    if resource.max_minutes and length > resource.max_minutes:
        raise ApplicationError(
            "too_long",
            _("单次预约最长%(n)d分钟。") % {"n": resource.max_minutes},
            field="ends_at",
        )
    if people is None or people < 1:
        raise ApplicationError("invalid_people", _("预计人数应至少为1。"), field="people")
    if resource.capacity and people > resource.capacity:
        raise ApplicationError(
            "over_capacity",
            _("预计人数超过容纳人数（%(n)d人）。") % {"n": resource.capacity},
            field="people",
        )
    local_start = timezone.localtime(starts_at)
    if resource.closed_on_days_off:
        from tongchou.core import workdays

        day = local_start.date()
        while day <= timezone.localtime(ends_at).date():
            if workdays.is_day_off(day):
                raise ApplicationError(
                    "day_off",
                    _("%(d)s是法定节假日或休息日，该资源不开放。") % {"d": day.isoformat()},
                    field="starts_at",
                )
            day += dt.timedelta(days=1)
    if not selectors.fits_opening(resource, starts_at, ends_at):
        window = selectors.opening_on(resource, local_start.date())
        if window is None:
            message = _("该资源%(d)s不开放。") % {"d": local_start.date().isoformat()}
        else:
            message = _("超出开放时间（当天%(a)s至%(b)s）。") % {
                "a": window[0].strftime("%H:%M"),
                "b": window[1].strftime("%H:%M"),
            }
        raise ApplicationError("outside_opening_hours", message, field="starts_at")


@transaction.atomic
def booking_request(
    *,
    actor,
    resource: Resource,
    organization: Organization,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purpose: str,
    people: int,
    series: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book ``resource`` for ``organization`` (the actor manages it). Confirmed at once when
    the resource confirms automatically, else requested, holding the slot for ``hold_hours``."""
    _lock(resource)
    if not permissions.can_book_for(actor, organization):
        raise PermissionDenied
    now = now or timezone.now()
    resource = Resource.objects.select_related("owner", "region").get(pk=resource.pk)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ApplicationError("required", _("请填写用途。"), field="purpose")
    check_booking(
        resource=resource,
        organization=organization,
        starts_at=starts_at,
        ends_at=ends_at,
        people=people,
        now=now,
    )
    if resource.monthly_quota:
        first, following = _month_bounds(starts_at)
        used = Booking.objects.filter(
            selectors.holding_q(now),
            resource=resource,
            organization=organization,
            starts_at__gte=first,
            starts_at__lt=following,
        ).count()
        if used >= resource.monthly_quota:
            raise ApplicationError(
                "quota_reached",
                _("本党组织本月预约该资源已达%(n)d次的上限。") % {"n": resource.monthly_quota},
                field="starts_at",
            )
    block_start = starts_at - dt.timedelta(minutes=resource.buffer_before)
    block_end = ends_at + dt.timedelta(minutes=resource.buffer_after)
    _expire_stale(resource, now)
    taken = selectors.busy_between(resource, block_start, block_end).first()
    if taken is not None:
        raise _slot_taken(taken)
    booking = Booking(
        resource=resource,
        kind=resource.kind,
        owner_path=resource.owner_path,
        organization=organization,
        org_path=organization.path,
        booked_by=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        block_start=block_start,
        block_end=block_end,
        purpose=purpose[:200],
        people=people,
        series=series,
    )
    if resource.auto_confirm:
        booking.state = BookingState.CONFIRMED
        booking.decided_at = now
        _fix_flow(booking)
    else:
        booking.state = BookingState.REQUESTED
        booking.expires_at = min(now + dt.timedelta(hours=resource.hold_hours), starts_at)
        if booking.expires_at <= now:
            booking.expires_at = starts_at
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise _slot_taken(None) from None
    if booking.state == BookingState.CONFIRMED:
        _count_flow(booking, 1)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=booking,
        org_path=booking.org_path,
        also_paths=[booking.owner_path],
        after=audit.snapshot(booking, BOOKING_FIELDS),
    )
    return booking


def _slot_taken(taken: Booking | None) -> SlotTaken:
    if taken is None:
        message = _("该时段已被预约，请另选时间。")
    else:
        message = _("该时段已被预约（%(a)s至%(b)s，含布置整理时间），请另选时间。") % {
            "a": _fmt(taken.block_start),
            "b": _fmt(taken.block_end),
        }
    return SlotTaken("slot_taken", message, field="starts_at")


def _locked_booking(booking: Booking) -> Booking:
    _lock(booking.resource)
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__region", "resource__owner", "organization")
        .select_related("organization__region")
        .get(pk=booking.pk)
    )


def _stale(expected: str) -> ApplicationError:
    return ApplicationError(
        "stale_state",
        _("该预约的状态已变化（现为：%(s)s），请刷新后再试。") % {"s": expected},
        field="state",
    )


def _transition(actor, booking: Booking, *, before_state: str, note: str = "") -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=booking,
        org_path=booking.org_path,
        also_paths=[booking.owner_path],
        before={"state": before_state},
        after={"state": booking.state, "reason": booking.reason},
        note=note,
    )


@transaction.atomic
def booking_confirm(*, actor, booking: Booking, now: dt.datetime | None = None) -> Booking:
    booking = _locked_booking(booking)
    if not permissions.can_decide(actor, booking):
        raise PermissionDenied
    now = now or timezone.now()
    if booking.state == BookingState.REQUESTED and booking.expires_at <= now:
        booking.state = BookingState.EXPIRED
        booking.save(update_fields=["state", "updated_at"])
        raise ApplicationError(
            "request_expired", _("该申请已过保留期限，时段已释放。"), field="state"
        )
    if booking.state != BookingState.REQUESTED:
        raise _stale(booking.get_state_display())
    booking.state = BookingState.CONFIRMED
    booking.decided_by = actor
    booking.decided_at = now
    _fix_flow(booking)
    booking.save()
    _count_flow(booking, 1)
    _transition(actor, booking, before_state=BookingState.REQUESTED)
    return booking


@transaction.atomic
def booking_decline(*, actor, booking: Booking, reason: str) -> Booking:
    booking = _locked_booking(booking)
    if not permissions.can_decide(actor, booking):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason_required", _("请填写拒绝原因。"), field="reason")
    if booking.state != BookingState.REQUESTED:
        raise _stale(booking.get_state_display())
    booking.state = BookingState.DECLINED
    booking.decided_by = actor
    booking.decided_at = timezone.now()
    booking.reason = reason[:200]
    booking.save()
    _transition(actor, booking, before_state=BookingState.REQUESTED)
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, reason: str = "") -> Booking:
    """Either side cancels a booking that still holds its slot. A session or training recorded
    at it stays; its organizer finds the cancellation on their home page."""
    booking = _locked_booking(booking)
    if not permissions.can_cancel(actor, booking):
        raise PermissionDenied
    if booking.state not in HOLDING:
        raise _stale(booking.get_state_display())
    before = booking.state
    if before == BookingState.CONFIRMED:
        _count_flow(booking, -1)
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.reason = (reason or "").strip()[:200]
    booking.save()
    _transition(actor, booking, before_state=before)
    return booking


@transaction.atomic
def booking_link(*, actor, booking: Booking, session=None, training=None) -> Booking:
    """Record that an organizational-life session or a training takes place at this booking."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not can(actor, permissions.MANAGE, booking.org_path):
        raise PermissionDenied
    if booking.state not in HOLDING:
        raise _stale(booking.get_state_display())
    changed = []
    if session is not None:
        booking.session = session
        changed.append("session")
    if training is not None:
        booking.training = training
        changed.append("training")
    if changed:
        booking.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=booking,
            org_path=booking.org_path,
            also_paths=[booking.owner_path],
            after={name: getattr(booking, f"{name}_id") for name in changed},
        )
    return booking


def place_of(booking: Booking) -> str:
    """How a session or training names the place of a booking."""
    resource = booking.resource
    return f"{resource.name}（{resource.address}）" if resource.address else resource.name


# --- recurring bookings ----------------------------------------------------------------------


class Repeat:
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CHOICES = (WEEKLY, MONTHLY)


MAX_OCCURRENCES = 52


def occurrences(
    starts_at: dt.datetime, ends_at: dt.datetime, *, repeat: str, count: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The series' slots in local time: every week, or every month on the same day (a month
    without that day takes its last day)."""
    if repeat not in Repeat.CHOICES:
        raise ApplicationError("invalid_repeat", _("重复方式应为每周或每月。"), field="repeat")
    if not 1 <= count <= MAX_OCCURRENCES:
        raise ApplicationError(
            "invalid_count",
            _("重复次数应为1至%(n)d。") % {"n": MAX_OCCURRENCES},
            field="count",
        )
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    length = end - start
    slots = []
    for i in range(count):
        if repeat == Repeat.WEEKLY:
            s = start + dt.timedelta(weeks=i)
        else:
            month = start.month - 1 + i
            year, month = start.year + month // 12, month % 12 + 1
            last = ((dt.date(year, month, 1) + dt.timedelta(days=32)).replace(day=1)) - (
                dt.timedelta(days=1)
            )
            s = start.replace(year=year, month=month, day=min(start.day, last.day))
        slots.append((s, s + length))
    return slots


class _DryRun(Exception):
    pass


def booking_series(
    *,
    actor,
    resource: Resource,
    organization: Organization,
    slots: list[tuple[dt.datetime, dt.datetime]],
    purpose: str,
    people: int,
    mode: str,
) -> tuple[list[Booking], list[tuple[dt.datetime, dt.datetime, ApplicationError]]]:
    """A recurring booking. Each slot goes through ``booking_request`` (all its rules) in its
    own savepoint. ``mode``:

    * ``"check"``: nothing is kept; returns which slots would be booked and which conflict;
    * ``"free"``: the free slots are booked, the others returned as skipped — said on the page;
    * ``"all"``: all or none: with any conflict nothing is booked (``series_conflicts``).
    """
    if mode not in ("check", "free", "all"):
        raise ApplicationError("invalid_mode", "mode", field="mode")
    series = uuid.uuid4().hex
    made: list[Booking] = []
    skipped: list[tuple[dt.datetime, dt.datetime, ApplicationError]] = []
    try:
        with transaction.atomic():
            for start, end in slots:
                try:
                    with transaction.atomic():
                        made.append(
                            booking_request(
                                actor=actor,
                                resource=resource,
                                organization=organization,
                                starts_at=start,
                                ends_at=end,
                                purpose=purpose,
                                people=people,
                                series=series,
                            )
                        )
                except ApplicationError as exc:
                    skipped.append((start, end, exc))
            if mode == "check":
                raise _DryRun
            if mode == "all" and skipped:
                conflicts = [f"{_fmt(s)} {exc.message}" for s, _e, exc in skipped]
                raise ApplicationError(
                    "series_conflicts",
                    _("有%(n)d次与已有预约或规则冲突，全部未预约：%(list)s")
                    % {"n": len(skipped), "list": "；".join(conflicts)},
                    field="starts_at",
                    extra={"conflicts": conflicts},
                )
            if not made:
                raise ApplicationError(
                    "series_conflicts", _("没有可以预约的时段。"), field="starts_at"
                )
    except _DryRun:
        for booking in made:
            booking.pk = None
    return made, skipped
