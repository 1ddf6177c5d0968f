"""The urban–rural resource list (资源清单) and its bookings.

A resource belongs to one organization (its owner) and is shared with the owner's subtree, its
county, or the whole deployment (``visible_path``: the path of the organization whose subtree
sees it, empty for everybody). A booking is made by a secretary for their organization; while
it is requested or confirmed it *holds* its slot, buffers included (``block_start`` …
``block_end``). Two holding bookings of one resource never overlap: on PostgreSQL an exclusion
constraint (migration 0002, btree_gist) refuses the second row whatever wrote it; on SQLite
every transaction begins IMMEDIATE (settings: the write lock is taken first), so the service's
check and insert cannot interleave with another writer's.

The facts a flow report needs are fixed when a booking is confirmed and stored on it: the
direction (urban→rural, rural→urban, within) from the two sides' urban/rural class by the
regions' rule (``regions.flows``), and the
minutes; the report then aggregates in SQL (``resources.flows``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH
from tongchou.regions.flows import FlowDirection


class ResourceKind(models.TextChoices):
    ROOM = "room", _("场地")
    EQUIPMENT = "equipment", _("设备")
    VEHICLE = "vehicle", _("车辆")
    TRAINER = "trainer", _("师资")
    MATERIAL = "material", _("教材资料")


class ResourceStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    REPAIR = "repair", _("维修中")
    RETIRED = "retired", _("已停用")


class Visibility(models.TextChoices):
    SUBTREE = "subtree", _("本组织及下级")
    COUNTY = "county", _("本县（区）")
    ALL = "all", _("全域")


class Bookers(models.TextChoices):
    VISIBLE = "visible", _("可见范围内的党组织")
    LISTED = "listed", _("指定的党组织")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Resource(TimeStampedModel):
    kind = models.CharField(_("类别"), max_length=10, choices=ResourceKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    owner = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read through owner_path
    )
    owner_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=ResourceStatus.choices, default=ResourceStatus.IN_USE
    )
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    topics = models.CharField(_("授课专题"), max_length=300, blank=True)
    # A trainer is a member (linked: their data stays in the member record) or an outside person.
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("师资党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("师资姓名（非党员）"), max_length=50, blank=True)
    description = models.TextField(_("说明"), blank=True)
    visibility = models.CharField(
        _("共享范围"), max_length=8, choices=Visibility.choices, default=Visibility.COUNTY
    )
    visible_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    bookers = models.CharField(
        _("谁可预约"), max_length=8, choices=Bookers.choices, default=Bookers.VISIBLE
    )
    allowed_orgs = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("可预约的党组织"),
        blank=True,
        related_name="+",
    )
    auto_confirm = models.BooleanField(_("自动确认"), default=False)
    # Seven entries, Monday first: ["08:30", "17:30"] or null (closed that weekday).
    opening_hours = models.JSONField(_("开放时间"), default=list, blank=True)
    closed_on_days_off = models.BooleanField(_("法定节假日不开放"), default=True)
    lead_hours = models.PositiveIntegerField(_("至少提前（小时）"), default=0)
    max_minutes = models.PositiveIntegerField(_("单次最长（分钟）"), null=True, blank=True)
    monthly_quota = models.PositiveIntegerField(_("每个党组织每月限约次数"), null=True, blank=True)
    buffer_before = models.PositiveIntegerField(_("布置时间（分钟）"), default=0)
    buffer_after = models.PositiveIntegerField(_("整理时间（分钟）"), default=0)
    hold_hours = models.PositiveIntegerField(_("待审批申请保留（小时）"), default=48)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # Bumped by every booking write: the first statement of the booking transaction, so the
    # resource row is locked (PostgreSQL) before the quota is counted.
    booking_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        indexes = [
            models.Index(fields=["visible_path", "kind"], name="resource_visible"),
            models.Index(fields=["region", "kind", "status"], name="resource_region_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def trainer_label(self) -> str:
        if self.member_id:
            return self.member.name
        return self.person_name


class ResourcePhoto(models.Model):
    """A photo of a resource (optional; a few per resource), kept as a clean JPEG
    (``core.images``) and served through the resource's visibility, never as a public file."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to="resources/photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["resource", "id"]
        verbose_name = _("资源照片")
        verbose_name_plural = _("资源照片")

    def __str__(self) -> str:
        return self.caption or f"{self.resource} #{self.pk}"


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已拒绝")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


HOLDING = (BookingState.REQUESTED, BookingState.CONFIRMED)


class Booking(TimeStampedModel):
    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), on_delete=models.PROTECT, related_name="bookings"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=ResourceKind.choices)
    owner_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("预约党组织"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    block_start = models.DateTimeField(editable=False)
    block_end = models.DateTimeField(editable=False)
    purpose = models.CharField(_("用途"), max_length=200)
    people = models.PositiveIntegerField(_("预计人数"), default=1)
    state = models.CharField(
        _("状态"), max_length=10, choices=BookingState.choices, default=BookingState.REQUESTED
    )
    expires_at = models.DateTimeField(_("申请保留至"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("拒绝或取消原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    series = models.CharField(_("周期预约编号"), max_length=32, blank=True, db_index=True)
    session = models.ForeignKey(
        "orglife.Session",
        verbose_name=_("组织生活"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    training = models.ForeignKey(
        "education.Training",
        verbose_name=_("技能培训"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Flow facts, fixed at confirmation (see resources.flows).
    direction = models.CharField(_("流向"), max_length=6, choices=FlowDirection.choices, blank=True)
    minutes = models.PositiveIntegerField(default=0, editable=False)
    month = models.DateField(null=True, blank=True, editable=False)  # first day, local time

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        indexes = [
            models.Index(fields=["resource", "block_start", "block_end"], name="booking_calendar"),
            # The flow report at a wide scope: confirmed rows by month, every column it sums
            # (covering). Not a partial index: SQLite cannot use one when the state comes as a
            # query parameter, as the ORM sends it.
            models.Index(
                fields=["state", "month", "kind", "direction", "minutes", "people"],
                name="booking_flow",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(block_end__gt=models.F("block_start")),
                name="booking_block_ends_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def holds(self) -> bool:
        return self.state in HOLDING


class OrganizationFeed(models.Model):
    """The unguessable token of an organization's iCalendar feed (its bookings, both sides)."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.organization)


class FlowMonth(models.Model):
    """Confirmed bookings of the whole deployment per month, kind and direction: what the flow
    report at the root reads (a province has millions of bookings; these are a few hundred
    rows). Kept by the booking services in the transaction that confirms or cancels, and
    rebuilt from the bookings by ``services.flow_months_rebuild``; a narrower scope reads the
    bookings themselves."""

    month = models.DateField()
    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    direction = models.CharField(max_length=6, choices=FlowDirection.choices)
    uses = models.IntegerField(default=0)
    minutes = models.BigIntegerField(default=0)
    people = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("资源流动月度汇总")
        verbose_name_plural = _("资源流动月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["month", "kind", "direction"], name="flow_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.direction}: {self.uses}"
