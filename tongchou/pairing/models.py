"""Pairs of organizations across the urban–rural line (结对共建, 两联两帮, 六联).

A pair (or a group) joins organizations of both sides — an agency, an enterprise or a city
community with a village — for a period, with items agreed per year: activities held together,
resources opened, talent sent or trained, money promised. What actually flowed is never typed
here: it is read from the records that already exist (joint organizational-life sessions,
bookings, trainings, exchanges; see ``selectors.pair_summary``).

Each member's side (urban or rural) is derived by the regions' one rule
(``regions.flows.class_of``) when it joins and kept on the row; every member row carries a copy
of its organization's path (``org_path``), which is what scoping reads: a pair is seen by
whoever sees any of its members.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH
from tongchou.regions.models import UrbanRural


class PairKind(models.TextChoices):
    PAIRING = "pairing", _("结对共建")
    TWO_LINKS = "two_links", _("两联两帮")
    SIX_LINKS = "six_links", _("六联共建")


class PairState(models.TextChoices):
    ACTIVE = "active", _("共建中")
    ENDED = "ended", _("已结束")


class Pair(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("共建形式"), max_length=12, choices=PairKind.choices, default=PairKind.PAIRING
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    state = models.CharField(
        _("状态"), max_length=8, choices=PairState.choices, default=PairState.ACTIVE
    )
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="pair_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PairMember(models.Model):
    pair = models.ForeignKey(
        Pair, verbose_name=_("结对共建"), on_delete=models.CASCADE, related_name="members"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    side = models.CharField(_("城乡属性"), max_length=5, choices=UrbanRural.choices)
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        ordering = ["side", "org_path", "id"]
        verbose_name = _("结对成员")
        verbose_name_plural = _("结对成员")
        constraints = [
            models.UniqueConstraint(fields=["pair", "organization"], name="pair_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_side_display()})"


class ItemKind(models.TextChoices):
    ACTIVITIES = "activities", _("活动共办")
    RESOURCES = "resources", _("资源共享")
    TALENT = "talent", _("人才共育")
    MONEY = "money", _("资金帮扶")


class ItemUnit(models.TextChoices):
    USES = "uses", _("次")
    HOURS = "hours", _("小时")
    PEOPLE = "people", _("人次")
    PERSON_DAYS = "person_days", _("人天")
    YUAN = "yuan", _("元")


class Giving(models.TextChoices):
    """Which side gives: the direction of the promised flow (``regions.flows`` codes)."""

    URBAN_TO_RURAL = "u2r", _("城→乡")
    RURAL_TO_URBAN = "r2u", _("乡→城")


# What each kind of item may be promised in.
UNITS_FOR_KIND = {
    ItemKind.ACTIVITIES: (ItemUnit.USES, ItemUnit.PEOPLE),
    ItemKind.RESOURCES: (ItemUnit.USES, ItemUnit.HOURS, ItemUnit.PEOPLE),
    ItemKind.TALENT: (ItemUnit.PEOPLE, ItemUnit.PERSON_DAYS, ItemUnit.USES, ItemUnit.HOURS),
    ItemKind.MONEY: (ItemUnit.YUAN,),
}


class PairItem(models.Model):
    """An agreed item for one year: e.g. 4 joint sessions city→village, 20 person-days of
    stationed help, 50,000 yuan."""

    pair = models.ForeignKey(
        Pair, verbose_name=_("结对共建"), on_delete=models.CASCADE, related_name="items"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=12, choices=ItemKind.choices)
    direction = models.CharField(_("给出方向"), max_length=4, choices=Giving.choices)
    description = models.CharField(_("约定内容"), max_length=300)
    quantity = models.DecimalField(_("约定数量"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=12, choices=ItemUnit.choices)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["year", "kind", "-direction", "id"]
        verbose_name = _("共建事项")
        verbose_name_plural = _("共建事项")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="pair_item_quantity_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.description
