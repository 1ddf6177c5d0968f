"""Mobile members (流动党员) and member service stations (党员服务站).

One ``MobileMember`` row is one spell away from home: registered by the outflow side (the home
organization) or by the inflow side (an organization or a station where the member arrived).
When both sides are in the deployment they fill in the same row (the three-level link: home
organization, inflow organization, station). A member has at most one open spell.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core import crypto
from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH


class StationKind(models.TextChoices):
    INDUSTRIAL_PARK = "industrial_park", _("产业园区")
    CITY_STREET = "city_street", _("城市街道")
    LOGISTICS_HUB = "logistics_hub", _("物流园区")
    MARKET = "market", _("商圈市场")
    OTHER = "other", _("其他")


class StationService(models.TextChoices):
    TRANSFER = "transfer", _("组织关系转接")
    TRAINING = "training", _("技能培训")
    ORG_LIFE = "org_life", _("组织生活")
    CONSULTATION = "consultation", _("政策咨询")


class ServiceStation(TimeStampedModel):
    """A member service station in an inflow area, run by one organization."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=StationKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The station's own line, not a person's: stored plain.
    phone = models.CharField(_("服务电话"), max_length=20, blank=True)
    services = models.JSONField(_("服务项目"), default=list, blank=True)  # StationService values
    active = models.BooleanField(_("运行中"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        blank=True,
        related_name="stations",
    )

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("党员服务站")
        verbose_name_plural = _("党员服务站")

    def __str__(self) -> str:
        return self.name


class MobilityReason(models.TextChoices):
    WORK = "work", _("务工经商")
    STUDY = "study", _("学习")
    OTHER = "other", _("其他")


class MobilityStatus(models.TextChoices):
    OPEN = "open", _("在外流动")
    RETURNED = "returned", _("已返回")
    ENDED = "ended", _("已结束")  # e.g. the relationship was transferred to the inflow side


class MobileMember(TimeStampedModel):
    """One spell away from home.

    ``member`` is set whenever the member is registered in this deployment; a member who arrived
    from outside the deployment has no record here, so the inflow side keeps their name, ID number
    (encrypted, with a keyed hash to link a later registration) and home organization as text.
    """

    member = models.ForeignKey(
        "members.Member",
        verbose_name=pgettext_lazy("one person", "党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobility",
    )
    external_name = models.CharField(_("姓名（区外党员）"), max_length=50, blank=True)
    external_id_enc = models.CharField(max_length=120, blank=True, editable=False)
    external_id_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # Outflow side: the home organization (a copy of the member's at registration).
    home_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("流出党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    home_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    home_text = models.CharField(_("流出党组织（区外）"), max_length=200, blank=True)
    destination_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("流入地区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_text = models.CharField(_("流入地（区外）"), max_length=200, blank=True)
    since = models.DateField(_("外出时间"))
    reason = models.CharField(_("外出原因"), max_length=8, choices=MobilityReason.choices)
    contact_enc = models.CharField(max_length=120, blank=True, editable=False)
    expected_return = models.DateField(_("预计返回"), null=True, blank=True)
    # Inflow side: an organization and/or a station that looks after the member there.
    inflow_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("流入党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inflow_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    station = models.ForeignKey(
        ServiceStation,
        verbose_name=_("党员服务站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobile_members",
    )
    # Copy of the station's organization path: the station's organization sees the spell too.
    station_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    inflow_registered_on = models.DateField(_("流入登记日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MobilityStatus.choices, default=MobilityStatus.OPEN
    )
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    last_contact_on = models.DateField(_("最近联系"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        indexes = [
            models.Index(fields=["home_path", "status"], name="mobile_home"),
            models.Index(fields=["inflow_path", "status"], name="mobile_inflow"),
            models.Index(fields=["station_path", "status"], name="mobile_station"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="open"),
                name="mobile_one_open_spell",
            ),
            # A person from outside the deployment, too, is registered once while away.
            models.UniqueConstraint(
                fields=["external_id_hash"],
                condition=(
                    models.Q(status="open", member__isnull=True) & ~models.Q(external_id_hash="")
                ),
                name="mobile_one_open_external",
            ),
        ]

    def __str__(self) -> str:
        return self.member.name if self.member_id else self.external_name

    @property
    def name(self) -> str:
        return str(self)

    @property
    def contact(self) -> str:
        return crypto.decrypt(self.contact_enc)

    @property
    def contact_masked(self) -> str:
        return crypto.mask_phone(self.contact)


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("走访")
    MESSAGE = "message", _("短信/微信")
    MEETING = "meeting", _("组织生活")


class MobilityContact(models.Model):
    """One time someone from either side reached the member (kept as a fact, not a check-in)."""

    mobile = models.ForeignKey(
        MobileMember, verbose_name=_("流动党员"), on_delete=models.CASCADE, related_name="contacts"
    )
    on = models.DateField(_("联系日期"))
    channel = models.CharField(_("方式"), max_length=8, choices=ContactChannel.choices)
    note = models.CharField(_("情况"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_channel_display()}"
