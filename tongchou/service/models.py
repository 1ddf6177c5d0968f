"""Serving the people across town and country (paper §2.2, §3.3).

A resident's need (群众诉求, 微心愿) is one record from intake to the resident's answer:
``Need`` holds its current state, ``NeedEvent`` every step (who, when, from which state to which,
why). Needs are routed to units of the service alliance (城乡党建服务联盟) by ``RoutingRule`` rows,
most specific first; deadlines are counted in working days on China's official calendar
(``tongchou.core.workdays``) and kept as dates on the need so that a county's overdue list is
one index range — and recomputed for every open need when the calendar is corrected.

Household contacts (党员联系户): ``Household``, its people (phones encrypted like members'), the
contact member, and ``Visit`` rows. "Not visited for N months" is a list to act on, never a
ranking of members.

Paths: ``org_path`` is the place's organization (village/community); ``street_path`` and
``county_path`` are the street/township and county organizations above it, copied at intake so
that escalation, per-street figures and a county's overdue list read one indexed column.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core import crypto
from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH

DESCRIPTION_MAX = 4000  # the GeoReport v2 limit on a request's description, used everywhere
SUMMARY_MAX = 200


class NeedCategory(models.Model):
    """The editable taxonomy of needs; ``code`` is the Open311 service_code."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    ack_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=2)
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=10)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")

    def __str__(self) -> str:
        return self.name


class CalendarCorrection(models.Model):
    """One day whose status differs from the package's calendar (a late State Council notice,
    a local decision): it wins over the package. Saving one moves every open deadline."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日历更正")
        verbose_name_plural = _("工作日历更正")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.is_workday else 'day off'}"


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("政府部门")
    HOSPITAL = "hospital", _("医疗机构")
    LEGAL_AID = "legal_aid", _("法律援助")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORG = "social_org", _("社会组织")


class AllianceUnit(TimeStampedModel):
    """A member unit of the service alliance. ``organization`` is the Party organization that
    registered it (its admins manage it); ``staff`` are the accounts that work its needs."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    categories = models.ManyToManyField(
        NeedCategory, verbose_name=_("服务类别"), blank=True, related_name="units"
    )
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("服务区域"), blank=True, related_name="+"
    )
    phone = models.CharField(_("服务电话"), max_length=20, blank=True)  # the unit's line
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("联盟单位")
        verbose_name_plural = _("联盟单位")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Needs of ``category`` (any when empty) in ``region``'s subtree (anywhere when empty) go
    to ``unit``. The most specific rule wins: the deepest region first, then a rule naming the
    category over one that does not, then the lowest id."""

    category = models.ForeignKey(
        NeedCategory,
        verbose_name=_("诉求类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        AllianceUnit, verbose_name=_("联盟单位"), on_delete=models.CASCADE, related_name="rules"
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        category = self.category.name if self.category_id else _("全部类别")
        region = self.region.name if self.region_id else _("全部区域")
        return f"{category} · {region} → {self.unit.name}"


class NeedState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    REOPENED = "reopened", _("已重新办理")
    CONFIRMED = "confirmed", _("群众已确认")
    CLOSED = "closed", _("已关闭")
    MERGED = "merged", _("已合并")


OPEN_STATES = (
    NeedState.SUBMITTED,
    NeedState.ACCEPTED,
    NeedState.IN_PROGRESS,
    NeedState.REOPENED,
)
DONE_STATES = (NeedState.RESOLVED, NeedState.CONFIRMED, NeedState.CLOSED)


class Intake(models.TextChoices):
    """Where a need came in. ``station`` is a member service station (党员服务站, mobility) in an
    inflow area, whose staff enter needs of the mobile members and residents they serve;
    ``proxy`` is a city-service proxy station (城市服务代办站) in a village, whose staff file city
    services (社保, 医保, 证照…) for residents. Both keep their own link on the need."""

    STAFF = "staff", _("工作人员代录")
    STATION = "station", _("服务站代办")
    PROXY = "proxy", _("城市服务代办站代办")
    PUBLIC = "public", _("群众自助提交")
    VISIT = "visit", _("入户走访")
    OPEN311 = "open311", _("Open311接口")


class Need(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, editable=False)
    token = models.CharField(max_length=32, unique=True, editable=False)  # Open311 token
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("诉求类别"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False)
    street_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    county_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12, editable=False, blank=True)
    intake = models.CharField(_("来源"), max_length=10, choices=Intake.choices)
    station = models.ForeignKey(
        "mobility.ServiceStation",
        verbose_name=_("受理服务站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_station = models.ForeignKey(
        "service.ProxyStation",
        verbose_name=_("受理代办站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    visit = models.ForeignKey(
        "service.Visit",
        verbose_name=_("走访记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    summary = models.CharField(_("公开摘要"), max_length=SUMMARY_MAX)
    description = models.TextField(_("详细情况（不公开）"), max_length=DESCRIPTION_MAX, blank=True)
    address = models.CharField(_("详细地址（不公开）"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    resident_name = models.CharField(_("群众姓名"), max_length=50, blank=True)
    phone_enc = models.CharField(max_length=120, blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=12, choices=NeedState.choices, default=NeedState.SUBMITTED
    )
    unit = models.ForeignKey(
        AllianceUnit,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name=_("分派依据"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    route_note = models.CharField(_("分派说明"), max_length=200, blank=True)
    # Deadlines: the working-day counts are the category's at intake; the dates are computed
    # from ``clock_start`` on the calendar and recomputed when the calendar is corrected.
    ack_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"))
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"))
    clock_start = models.DateField(_("起算日"))
    ack_due = models.DateField(_("受理期限"))
    resolve_due = models.DateField(_("办结期限"))
    on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(_("督办层级"), default=0)  # 0, 1 street, 2 county
    escalated_to_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    escalated_on = models.DateField(_("督办日期"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), max_length=DESCRIPTION_MAX, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        indexes = [
            models.Index(fields=["org_path", "submitted_at"], name="need_org_time"),
            models.Index(fields=["county_path", "state", "resolve_due"], name="need_county_due"),
            # A street's figures, by month (state, category) and in all (on time, overdue,
            # rating): both read one range of this index and never the table, which at a
            # province's size is the difference between about 20 and 100 ms a street.
            models.Index(
                fields=[
                    "street_path",
                    "submitted_at",
                    "state",
                    "category",
                    "on_time",
                    "rating",
                    "resolve_due",
                    "ack_due",
                ],
                name="need_street_time_sc",
            ),
            models.Index(fields=["unit", "state"], name="need_unit_state"),
            models.Index(fields=["state", "resolve_due"], name="need_state_due"),
            models.Index(fields=["escalated_to_path", "state"], name="need_escalated"),
            # Open311 GET requests: a service code over a window of dates, newest first; the
            # state in the index filters open/closed before a row is read.
            models.Index(
                fields=["category", "submitted_at", "id", "state"], name="need_category_time_st"
            ),
            # A proxy station's needs by state (its page and "waiting for me").
            models.Index(fields=["proxy_station", "state"], name="need_proxy_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="need_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary[:40]} ({self.pk})"

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc) if self.phone_enc else ""

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone) if self.phone_enc else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    ROUTED = "routed", _("分派")
    REASSIGNED = "reassigned", _("改派")
    ACCEPTED = "accepted", _("受理")
    STARTED = "started", _("开始办理")
    RESOLVED = "resolved", _("办结")
    CONFIRMED = "confirmed", _("群众确认")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("关闭")
    MERGED = "merged", _("合并")
    ESCALATED = "escalated", _("超期督办")
    DEADLINE_MOVED = "deadline_moved", _("期限随日历调整")


class NeedEvent(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")

    def __str__(self) -> str:
        return f"{self.need_id} {self.kind}"


class Open311Client(models.Model):
    """A client allowed to POST requests. The key is shown once when issued (back office) and
    kept as a keyed hash; ``organization`` receives requests that name no village/community."""

    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("默认受理党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("Open311接入方")
        verbose_name_plural = _("Open311接入方")

    def __str__(self) -> str:
        return self.name


# --- household contacts ------------------------------------------------------------------------


class SituationTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    LEFT_BEHIND_CHILDREN = "left_behind", _("留守儿童")
    DISABILITY = "disability", _("残疾人")
    LOW_INCOME = "low_income", _("低收入")
    RETURNED_WORKER = "returned_worker", _("返乡务工人员")
    OTHER = "other", _("其他")


class Household(TimeStampedModel):
    address = models.CharField(_("住址"), max_length=200)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    head_name = models.CharField(_("户主"), max_length=50, blank=True)
    tags = models.JSONField(_("情况标签"), default=list, blank=True)
    consent = models.BooleanField(_("已同意登记"), default=False)
    consent_on = models.DateField(_("同意日期"), null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact = models.ForeignKey(
        "members.Member",
        verbose_name=_("联系党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_households",
    )
    last_visited_on = models.DateField(_("最近走访"), null=True, blank=True)

    class Meta:
        ordering = ["org_path", "address", "id"]
        verbose_name = _("联系户")
        verbose_name_plural = _("联系户")

    def __str__(self) -> str:
        return self.address


class HouseholdPerson(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20, blank=True)
    phone_enc = models.CharField(max_length=120, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(crypto.decrypt(self.phone_enc)) if self.phone_enc else ""


class VisitWay(models.TextChoices):
    IN_PERSON = "in_person", _("上门走访")
    PHONE = "phone", _("电话联系")
    ONLINE = "online", _("线上联系")


class Visit(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=pgettext_lazy("one person", "党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    visited_on = models.DateField(_("走访日期"))
    way = models.CharField(_("方式"), max_length=10, choices=VisitWay.choices)
    notes = models.TextField(_("走访情况"), max_length=DESCRIPTION_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"


VISIT_PHOTOS = 3  # photos a visit may keep


class VisitPhoto(models.Model):
    """A photo taken on a visit, when the household agrees (optional; a few a visit): kept as a
    clean JPEG without the camera's EXIF (``core.images``: no place, no time stamp of the
    phone), served only to who may read the visit. Not a proof of presence: nothing asks for
    one, counts one or ranks by it."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="service/visits/%Y/%m/")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self) -> str:
        return f"{self.visit_id} #{self.pk}"


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------


class ProxyService(models.TextChoices):
    """City services a proxy station files for residents; each is filed as a need of the
    category named in ``PROXY_SERVICE_CATEGORY`` (routed like any other need)."""

    SOCIAL_SECURITY = "social_security", _("社保")
    MEDICAL_INSURANCE = "medical_insurance", _("医保")
    CERTIFICATES = "certificates", _("证照办理")
    EMPLOYMENT = "employment", _("就业登记")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助")
    OTHER = "other", _("其他")


# Service → need category code (the categories are seeded by migrations 0002 and 0005).
PROXY_SERVICE_CATEGORY = {
    ProxyService.SOCIAL_SECURITY: "social_security",
    ProxyService.MEDICAL_INSURANCE: "medical_insurance",
    ProxyService.CERTIFICATES: "certificates",
    ProxyService.EMPLOYMENT: "employment",
    ProxyService.SOCIAL_ASSISTANCE: "social_assistance",
    ProxyService.OTHER: "other",
}


class ProxyStation(TimeStampedModel):
    """A city-service proxy station in a village, run by the village's Party organization: its
    staff file city services for residents as needs (intake ``proxy``) and follow them to the
    resident's answer. Opening hours: seven entries, Monday first, ``["08:30", "17:30"]`` or
    null (closed) — the representation of ``resources.Resource.opening_hours``."""

    name = models.CharField(_("名称"), max_length=100)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属村党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.JSONField(_("开放时间"), default=list, blank=True)
    # The station's own line, not a person's: stored plain (as member service stations').
    phone = models.CharField(_("服务电话"), max_length=20, blank=True)
    services = models.JSONField(_("代办事项"), default=list, blank=True)  # ProxyService values
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        blank=True,
        related_name="proxy_stations",
    )
    active = models.BooleanField(_("运行中"), default=True)

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("城市服务代办站")
        verbose_name_plural = _("城市服务代办站")

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        return [str(ProxyService(s).label) for s in self.services if s in ProxyService.values]
