from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH
from tongchou.regions.models import UrbanRural


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


# Which kinds may sit directly under which (None: may be a root of the deployment).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.WORKING_COMMITTEE: {None, OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH},
}


class OrgType(models.TextChoices):
    STANDARD = "standard", _("常规")
    JOINT = "joint", _("联合党组织")
    FUNCTIONAL = "functional", _("功能型党组织")
    INDUSTRY_CHAIN = "industry_chain", _("产业链党组织")


class Sector(models.TextChoices):
    """New employment groups served by functional organizations."""

    COURIER = "courier", _("快递员")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    DELIVERY = "delivery", _("外卖骑手")
    FREIGHT = "freight", _("货车司机")
    OTHER = "other", _("其他新就业群体")


class ChainLink(models.TextChoices):
    GROWING = "growing", _("种植养殖")
    PROCESSING = "processing", _("加工")
    SALES = "sales", _("销售物流")


class Formation(models.TextChoices):
    SINGLE = "single", _("单建")
    JOINT = "joint", _("联建")
    ATTACHED = "attached", _("挂建")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DISSOLVED = "dissolved", _("已撤销")


class UnitKind(models.TextChoices):
    VILLAGE_COMMITTEE = "village_committee", _("村委会")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    AGENCY = "agency", _("机关")


class Unit(TimeStampedModel):
    """A place where members work or live: a village or residents' committee, an enterprise…"""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=24, choices=UnitKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    """A Party organization. ``path`` (see core.tree) is kept by the services only."""

    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("层级类别"), max_length=20, choices=OrgKind.choices)
    org_type = models.CharField(
        _("组织类型"), max_length=16, choices=OrgType.choices, default=OrgType.STANDARD
    )
    sector = models.CharField(_("服务群体"), max_length=16, choices=Sector.choices, blank=True)
    chain_links = models.JSONField(_("产业链环节"), default=list, blank=True)
    formation = models.CharField(
        _("组建方式"), max_length=10, choices=Formation.choices, default=Formation.SINGLE
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("驻地区划"), on_delete=models.PROTECT, related_name="+"
    )
    urban_rural = models.CharField(_("城乡"), max_length=5, choices=UrbanRural.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    # Active members whose organizational relation is here (not below). Kept by database
    # triggers on the member table (members migration 0005), so every write path — services,
    # imports, bulk SQL — keeps it true; subtree totals are sums over organizations, which at a
    # province root reads ~100,000 organization rows instead of a million member rows.
    member_count = models.IntegerField(_("本级党员数"), default=0, editable=False)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("所属单位"), blank=True, related_name="organizations"
    )
    lead = models.ForeignKey(
        "self",
        verbose_name=_("牵头组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_joint_organizations",
        help_text=_("联合党组织的牵头组织，承担主体责任。"),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("党组织")
        verbose_name_plural = pgettext_lazy("count", "党组织")
        indexes = [
            models.Index(fields=["parent", "status"], name="org_parent_status"),
            models.Index(fields=["org_type", "lead"], name="org_type_lead"),
            # The top levels of a scope (filter pickers): a few hundred rows of 100,000.
            models.Index(fields=["depth", "path"], name="org_depth_path"),
            # Subtree totals (selectors._rows_with_counts) read only this index. ``status`` is
            # constant here; listing it lets SQLite answer from the index alone.
            models.Index(
                fields=["path", "member_count", "status"],
                name="org_active_totals",
                condition=models.Q(status=OrgStatus.ACTIVE),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE


class RoleKind(models.TextChoices):
    ADMIN = "admin", _("管理员")
    SECRETARY = "secretary", _("书记")
    MEMBER = "member", pgettext_lazy("one person", "党员")


class Role(models.Model):
    """A user's role bound to one organization; its scope is that organization's subtree plus
    the joint organizations led from inside it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tongchou_roles"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("角色"), max_length=10, choices=RoleKind.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "kind"], name="role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.organization}"
