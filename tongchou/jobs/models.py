"""The jobs platform (就业平台, paper §3.3): rural labour finds urban work.

``Opening``: a post offered by a unit of the service alliance (the 人社 bureau, an enterprise
unit, …) or by an enterprise's own Party organization — place, pay range (yuan a month), skills
from the talent app's taxonomy (one taxonomy for the whole platform), positions and period.

``JobSeeker``: a person from a village who agreed to be registered (the date and who recorded it
are kept; no consent, no record). Either a member — linked, none of their personal data copied —
or a resident, whose phone is encrypted at rest and shown masked, like household people's.
Withdrawing consent deactivates the record and takes it out of every suggestion.

``Application``: a seeker × an opening, once; applied → interviewing → hired | not hired, or
withdrawn; every step is an ``ApplicationEvent`` and an audit event.

Paths: ``org_path`` is the organization whose subtree sees the row (the poster's, the seeker's
village); ``county_path`` the county above it, copied for the per-county figures.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core import crypto
from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH

TEXT_MAX = 4000
PAY_MAX = 1_000_000  # yuan a month: anything above is a typing error


class OpeningState(models.TextChoices):
    OPEN = "open", _("招聘中")
    FILLED = "filled", _("已招满")
    CLOSED = "closed", _("已关闭")


class Opening(TimeStampedModel):
    unit = models.ForeignKey(
        "service.AllianceUnit",
        verbose_name=_("发布单位（服务联盟）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="job_openings",
    )
    employer = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("发布企业党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    street_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    county_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    title = models.CharField(_("岗位名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("工作地点（区划）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    pay_min = models.PositiveIntegerField(_("月薪下限（元）"))
    pay_max = models.PositiveIntegerField(_("月薪上限（元）"))
    skills = models.ManyToManyField(
        "talent.Skill", verbose_name=_("所需技能"), related_name="job_openings"
    )
    positions = models.PositiveSmallIntegerField(_("招聘人数"), default=1)
    first_day = models.DateField(_("用工开始日期"))
    last_day = models.DateField(_("用工结束日期"))
    state = models.CharField(
        _("状态"), max_length=8, choices=OpeningState.choices, default=OpeningState.OPEN
    )
    description = models.TextField(_("岗位说明"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("招聘岗位")
        verbose_name_plural = _("招聘岗位")
        indexes = [models.Index(fields=["county_path", "created_at"], name="jobs_opening_county")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pay_min__lte=models.F("pay_max")), name="jobs_opening_pay"
            ),
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="jobs_opening_period",
            ),
            models.CheckConstraint(
                condition=models.Q(positions__gte=1), name="jobs_opening_positions"
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, employer__isnull=True)
                | models.Q(unit__isnull=True, employer__isnull=False),
                name="jobs_opening_one_poster",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_name(self) -> str:
        return self.unit.name if self.unit_id else self.employer.name

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


class SeekerKind(models.TextChoices):
    RETURNED_MIGRANT = "returned_migrant", _("返乡农民工")
    RURAL_LABOUR = "rural_labour", _("农村劳动力")
    GRADUATE = "graduate", _("返乡高校毕业生")
    LIFTED_OUT = "lifted_out", _("脱贫劳动力")
    OTHER = "other", _("其他")


class JobSeeker(TimeStampedModel):
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A resident who is not a member (a member's name and phone are read from the member).
    resident_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone_enc = models.CharField(max_length=120, blank=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在村"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    street_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    county_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, blank=True)
    kinds = models.JSONField(_("人员类别"), default=list)
    skills = models.ManyToManyField(
        "talent.Skill", verbose_name=_("技能"), related_name="job_seekers"
    )
    max_km = models.PositiveIntegerField(_("最远通勤距离（公里）"), null=True, blank=True)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("愿意工作的地区"), blank=True, related_name="+"
    )
    lat = models.FloatField(_("常住地纬度"), null=True, blank=True)
    lon = models.FloatField(_("常住地经度"), null=True, blank=True)
    available_from = models.DateField(_("可上岗日期"))
    active = models.BooleanField(_("求职中"), default=True)
    consent_on = models.DateField(_("同意登记日期"))
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意登记记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_withdrawn_on = models.DateField(_("撤回同意日期"), null=True, blank=True)
    note = models.TextField(_("备注"), max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("求职者")
        verbose_name_plural = _("求职者")
        indexes = [models.Index(fields=["county_path", "created_at"], name="jobs_seeker_county")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, resident_name="")
                | (models.Q(member__isnull=True) & ~models.Q(resident_name="")),
                name="jobs_seeker_member_or_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.member.name if self.member_id else self.resident_name

    @property
    def phone_masked(self) -> str:
        if self.member_id:
            return crypto.mask_phone(self.member.phone) if self.member.phone else ""
        return crypto.mask_phone(crypto.decrypt(self.phone_enc)) if self.phone_enc else ""

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def consenting(self) -> bool:
        return self.consent_withdrawn_on is None

    def kind_labels(self) -> list[str]:
        labels = dict(SeekerKind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]


class ApplicationState(models.TextChoices):
    APPLIED = "applied", _("已报名")
    INTERVIEWING = "interviewing", _("面试中")
    HIRED = "hired", _("已录用")
    NOT_HIRED = "not_hired", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_APPLICATION_STATES = (ApplicationState.APPLIED, ApplicationState.INTERVIEWING)


class Application(TimeStampedModel):
    seeker = models.ForeignKey(
        JobSeeker, verbose_name=_("求职者"), on_delete=models.PROTECT, related_name="applications"
    )
    opening = models.ForeignKey(
        Opening, verbose_name=_("招聘岗位"), on_delete=models.PROTECT, related_name="applications"
    )
    # Seen from both sides: the poster's subtree and the seeker's village's.
    opening_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    seeker_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationState.choices,
        default=ApplicationState.APPLIED,
    )
    applied_on = models.DateField(_("报名日期"))
    decided_on = models.DateField(_("结果日期"), null=True, blank=True)
    outcome = models.TextField(_("结果说明"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("求职申请")
        verbose_name_plural = _("求职申请")
        constraints = [
            models.UniqueConstraint(fields=["seeker", "opening"], name="jobs_application_once")
        ]

    def __str__(self) -> str:
        return f"{self.seeker_id} → {self.opening_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_APPLICATION_STATES


class ApplicationEvent(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
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
    to_state = models.CharField(max_length=12)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("求职申请记录")
        verbose_name_plural = _("求职申请记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_state}→{self.to_state}"

    @property
    def from_label(self) -> str:
        return str(dict(ApplicationState.choices).get(self.from_state, self.from_state))

    @property
    def to_label(self) -> str:
        return str(dict(ApplicationState.choices).get(self.to_state, self.to_state))
