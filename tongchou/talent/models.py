"""The urban–rural talent pool (城乡人才库), needs for talent, exchanges and matching rounds.

A member's profile links to their Member row and copies none of its personal data (name, phone
and organization are read from the member); an outside expert's phone is stored encrypted and
shown masked, like members'. Every row carries the path of the organization whose subtree sees
it (``org_path``); an assignment is seen from both its organizations (``from_path``,
``to_path``). Work log entries are facts; there are no check-ins and no counters.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongchou.core import crypto
from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH
from tongchou.regions.flows import FlowDirection


class Skill(models.Model):
    """The skill taxonomy, kept by the deployment admin (Django admin); seeded by a migration."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("技能类别")
        verbose_name_plural = _("技能类别")

    def __str__(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class TalentKind(models.TextChoices):
    MEMBER = "member", _("党员")
    EXPERT = "expert", _("外部专家")


class Talent(TimeStampedModel):
    kind = models.CharField(_("类别"), max_length=8, choices=TalentKind.choices)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talent_profile",
    )
    # Outside experts only (a member's name and phone are read from the member record).
    expert_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone_enc = models.CharField(max_length=120, blank=True, editable=False)
    # The organization that keeps the profile (a member's own organization; for an expert, the
    # one that registered them); its subtree sees the profile.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("技能"), related_name="talents")
    current_post = models.CharField(_("现任职务"), max_length=100, blank=True)
    returning = models.BooleanField(_("返乡创业（引凤还巢）"), default=False)
    max_km = models.PositiveIntegerField(_("最远服务距离（公里）"), null=True, blank=True)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("愿意服务的地区"), blank=True, related_name="+"
    )
    home_lat = models.FloatField(_("常住地纬度"), null=True, blank=True)
    home_lon = models.FloatField(_("常住地经度"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可同时承担的需求数"), default=1)
    active = models.BooleanField(_("在库"), default=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="member", member__isnull=False, expert_name=""))
                | (models.Q(kind="expert", member__isnull=True) & ~models.Q(expert_name="")),
                name="talent_member_or_expert",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.member.name if self.member_id else self.expert_name

    @property
    def phone(self) -> str:
        if self.member_id:
            return self.member.phone
        return crypto.decrypt(self.phone_enc) if self.phone_enc else ""

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)

    @property
    def home_organization(self):
        """Where the person is now: a member's organization, or the expert's registering one."""
        return self.member.organization if self.member_id else self.organization

    @property
    def scope_path(self) -> str:
        return self.member.org_path if self.member_id else self.org_path

    @property
    def has_home(self) -> bool:
        return self.home_lat is not None and self.home_lon is not None


class Availability(models.Model):
    talent = models.ForeignKey(
        Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="availability"
    )
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))

    class Meta:
        ordering = ["first_day", "id"]
        verbose_name = _("可服务时段")
        verbose_name_plural = _("可服务时段")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="talent_availability_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_day} – {self.last_day}"


class ExchangeKind(models.TextChoices):
    STATIONED = "stationed", _("驻村帮扶")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    SECONDMENT = "secondment", _("挂职")
    CITY_TRAINING = "city_training", _("进城实训")
    EXPERT_VISIT = "expert_visit", _("专家下乡")


class Priority(models.IntegerChoices):
    LOW = 1, _("一般")
    MEDIUM = 2, _("较急")
    HIGH = 3, _("紧急")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已关闭")


class Need(TimeStampedModel):
    """A need for talent posted by an organization (usually a village)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("需求党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    title = models.CharField(_("需求名称"), max_length=200)
    skill = models.ForeignKey(
        Skill, verbose_name=_("所需技能"), on_delete=models.PROTECT, related_name="needs"
    )
    kind = models.CharField(
        _("帮扶方式"), max_length=16, choices=ExchangeKind.choices, default=ExchangeKind.STATIONED
    )
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    slots = models.PositiveSmallIntegerField(_("人数"), default=1)
    priority = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Priority.choices, default=Priority.MEDIUM
    )
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-first_day", "-id"]
        verbose_name = _("人才需求")
        verbose_name_plural = _("人才需求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")), name="talent_need_order"
            ),
            models.CheckConstraint(condition=models.Q(slots__gte=1), name="talent_need_slots"),
        ]

    def __str__(self) -> str:
        return self.title


class AssignmentState(models.TextChoices):
    PLANNED = "planned", _("计划")
    ACTIVE = "active", _("进行中")
    COMPLETED = "completed", _("已完成")
    ENDED_EARLY = "ended_early", _("提前结束")


class Assignment(TimeStampedModel):
    """An exchange: a person from one organization serving another for a period.

    planned → active → completed | ended_early (and planned → ended_early: called off)."""

    talent = models.ForeignKey(
        Talent, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ExchangeKind.choices)
    from_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("派出党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    to_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("接收党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True)
    goals = models.TextField(_("工作目标"), blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=AssignmentState.choices, default=AssignmentState.PLANNED
    )
    summary = models.TextField(_("总结"), blank=True)
    need = models.ForeignKey(
        Need,
        verbose_name=_("人才需求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The flow facts, kept by the services like a booking's (talent.flows): the direction
    # between the two organizations' regions when the exchange was agreed, the month it
    # started, and the days served (first to last or to the day it ended early, inclusive),
    # so the flow report groups stored columns instead of joining four tables a row.
    direction = models.CharField(max_length=6, choices=FlowDirection.choices, editable=False)
    month = models.DateField(editable=False)
    days = models.PositiveIntegerField(editable=False)

    class Meta:
        ordering = ["-first_day", "-id"]
        indexes = [
            models.Index(
                fields=["month", "state", "kind", "direction", "days"], name="assignment_flow"
            )
        ]
        verbose_name = _("交流任职")
        verbose_name_plural = _("交流任职")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="talent_assignment_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.talent} · {self.get_kind_display()}"

    @property
    def end_day(self):
        """The last day served: the planned last day, or the day it ended early."""
        return self.ended_on or self.last_day


class WorkLogEntry(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交流任职"), on_delete=models.CASCADE, related_name="log"
    )
    day = models.DateField(_("日期"))
    text = models.TextField(_("工作内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("工作纪实")
        verbose_name_plural = _("工作纪实")

    def __str__(self) -> str:
        return f"{self.day}"


class RoundState(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISCARDED = "discarded", _("已放弃")


class MatchRound(TimeStampedModel):
    """One run of the matcher over the open needs and available talent in an organization's
    subtree, by its coordinator; proposals are reviewed, adjusted, then confirmed."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("统筹党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.PROPOSED
    )
    priority = models.PositiveIntegerField(_("满足的优先级合计"), default=0)
    km = models.FloatField(_("总距离（公里）"), default=0)
    talents = models.PositiveIntegerField(_("参与人才"), default=0)
    needs = models.PositiveIntegerField(_("参与需求"), default=0)
    unfilled = models.JSONField(_("未满足"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("统筹人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("匹配轮次")
        verbose_name_plural = _("匹配轮次")

    def __str__(self) -> str:
        return f"{self.organization} · {self.created_at:%Y-%m-%d}"


class Proposal(models.Model):
    round = models.ForeignKey(
        MatchRound, verbose_name=_("匹配轮次"), on_delete=models.CASCADE, related_name="proposals"
    )
    talent = models.ForeignKey(
        Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey(
        Need, verbose_name=_("人才需求"), on_delete=models.CASCADE, related_name="+"
    )
    km = models.FloatField(_("距离（公里）"))
    adjusted = models.BooleanField(_("人工调整"), default=False)

    class Meta:
        ordering = ["need_id", "km", "id"]
        verbose_name = _("匹配建议")
        verbose_name_plural = _("匹配建议")
        constraints = [
            models.UniqueConstraint(fields=["round", "talent", "need"], name="talent_proposal_once")
        ]

    def __str__(self) -> str:
        return f"{self.talent_id} → {self.need_id}"
