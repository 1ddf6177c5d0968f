from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class RegionKind(models.TextChoices):
    """What a level-4 or level-5 unit is, read off its statistical code."""

    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    RESIDENTS = "residents", _("居委会")
    VILLAGERS = "villagers", _("村委会")
    OTHER = "", _("—")


class Region(models.Model):
    """One administrative division. The statistical code is the key: it is stable, it encodes
    the hierarchy (a child's code starts with its parent's), and re-imports match on it."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("类别"), max_length=12, choices=RegionKind.choices, blank=True)
    urban_rural = models.CharField(_("城乡"), max_length=5, choices=UrbanRural.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
