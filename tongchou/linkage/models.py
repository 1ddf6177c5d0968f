"""Supply–sales linkage (产销对接): producers and their lots, urban buyers and their orders, the
plans an industry-chain organization makes over them, the shipments both sides confirm, what was
sold and what spoiled, and 消费帮扶 budget reservations.

Scope: a producer belongs to its village organization and to the industry-chain organization
that coordinates it; a lot carries both paths. A buyer unit is looked after by an organization
(the Party organization of the canteen, school, hospital, community or enterprise); its orders
are posted to a chain and carry both the buyer's and the chain's path. Shipments carry all
three, so each side sees its own.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH


class Product(TimeStampedModel):
    """The catalogue: edited by the deployment's administrator (Django admin), seeded."""

    name = models.CharField(_("品名"), max_length=50, unique=True)
    unit = models.CharField(_("计量单位"), max_length=10, default="kg")
    shelf_days = models.PositiveSmallIntegerField(_("默认保鲜天数"))
    grades = models.JSONField(_("等级"), default=list, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("农产品")
        verbose_name_plural = _("农产品")

    def __str__(self) -> str:
        return self.name


class ProducerKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("合作社")
    FAMILY_FARM = "family_farm", _("家庭农场")
    VILLAGE_COLLECTIVE = "village_collective", _("村集体")


class Producer(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=ProducerKind.choices)
    village = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在村党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("产业链党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    village_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    chain_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("生产主体")
        verbose_name_plural = _("生产主体")

    def __str__(self) -> str:
        return self.name


class LotState(models.TextChoices):
    LISTED = "listed", _("已挂牌")
    PLANNED = "planned", _("已排产")
    SHIPPED = "shipped", _("已发运")
    SOLD = "sold", _("已售出")
    SPOILED = "spoiled", _("已损耗")


class Lot(TimeStampedModel):
    """A supply lot: ships on days harvest_on … harvest_on + shelf_days − 1."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("生产主体"), on_delete=models.PROTECT, related_name="lots"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("农产品"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    kg = models.PositiveIntegerField(_("数量（公斤）"))
    harvest_on = models.DateField(_("采收日期"))
    shelf_days = models.PositiveSmallIntegerField(_("保鲜天数"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    price = models.DecimalField(_("地头价（元/公斤）"), max_digits=9, decimal_places=2)
    state = models.CharField(
        _("状态"), max_length=10, choices=LotState.choices, default=LotState.LISTED
    )
    sold_kg = models.PositiveIntegerField(_("售出（公斤）"), default=0)
    spoiled_kg = models.PositiveIntegerField(_("损耗（公斤）"), default=0)
    chain = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("产业链党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    village_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    chain_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["harvest_on", "id"]
        verbose_name = _("供应批次")
        verbose_name_plural = _("供应批次")
        indexes = [models.Index(fields=["chain", "harvest_on"], name="linkage_lot_chain_day")]

    def __str__(self) -> str:
        return f"{self.product} {self.kg} kg {self.harvest_on:%m-%d}"

    @property
    def last_day(self):
        import datetime as dt

        return self.harvest_on + dt.timedelta(days=self.shelf_days - 1)

    @property
    def point(self) -> tuple[float, float]:
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        return self.producer.lat, self.producer.lon


class BuyerKind(models.TextChoices):
    GOVERNMENT_CANTEEN = "government_canteen", _("机关食堂")
    ENTERPRISE_CANTEEN = "enterprise_canteen", _("企业食堂")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    OUTLET = "outlet", _("乡村特产展销点")
    SUPERMARKET = "supermarket", _("超市")
    PROCESSOR = "processor", _("加工企业")


class Buyer(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=BuyerKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    max_km = models.PositiveIntegerField(_("最远采购距离（公里）"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("采购单位")
        verbose_name_plural = _("采购单位")

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    OPEN = "open", _("待对接")
    PLANNED = "planned", _("已排产")
    CLOSED = "closed", _("已完成")


class Order(TimeStampedModel):
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("采购单位"), on_delete=models.PROTECT, related_name="orders"
    )
    chain = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("产业链党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("农产品"), on_delete=models.PROTECT, related_name="+"
    )
    kg = models.PositiveIntegerField(_("数量（公斤）"))
    deliver_on = models.DateField(_("送达日期"))
    max_price = models.DecimalField(_("最高到货价（元/公斤）"), max_digits=9, decimal_places=2)
    lat = models.FloatField(_("送货点纬度"))
    lon = models.FloatField(_("送货点经度"))
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.OPEN
    )
    buyer_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    chain_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deliver_on", "id"]
        verbose_name = _("采购订单")
        verbose_name_plural = _("采购订单")
        indexes = [models.Index(fields=["chain", "deliver_on"], name="linkage_order_chain_day")]

    def __str__(self) -> str:
        return f"{self.buyer} {self.product} {self.kg} kg {self.deliver_on:%m-%d}"


class Plan(TimeStampedModel):
    """One run of the planner over a chain's open lots and orders in a horizon."""

    chain = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("产业链党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    start = models.DateField(_("起始日期"))
    days = models.PositiveSmallIntegerField(_("天数"))
    cost_per_kg_km = models.DecimalField(_("运费（元/公斤·公里）"), max_digits=8, decimal_places=4)
    local_km = models.DecimalField(_("自行采购半径（公里）"), max_digits=6, decimal_places=1)
    lot_kg = models.PositiveBigIntegerField(_("供应总量（公斤）"), default=0)
    shipped_kg = models.PositiveBigIntegerField(_("计划发运（公斤）"), default=0)
    loss = models.FloatField(_("计划滞销率"), default=0.0)
    baseline_loss = models.FloatField(_("自发对接滞销率"), default=0.0)
    transport_cost = models.DecimalField(
        _("运费合计（元）"), max_digits=14, decimal_places=2, default=0
    )
    unshipped = models.JSONField(_("未发运批次"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("对接方案")
        verbose_name_plural = _("对接方案")

    def __str__(self) -> str:
        return f"{self.chain} {self.start:%Y-%m-%d} +{self.days}"


class ShipmentState(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DELIVERED = "delivered", _("已送达")


class Shipment(TimeStampedModel):
    plan = models.ForeignKey(
        Plan, verbose_name=_("对接方案"), on_delete=models.CASCADE, related_name="shipments"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("供应批次"), on_delete=models.PROTECT, related_name="shipments"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("采购订单"), on_delete=models.PROTECT, related_name="shipments"
    )
    kg = models.PositiveIntegerField(_("数量（公斤）"))
    km = models.FloatField(_("距离（公里）"))
    delivered_price = models.DecimalField(_("到货价（元/公斤）"), max_digits=9, decimal_places=2)
    ship_on = models.DateField(_("送达日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ShipmentState.choices, default=ShipmentState.PROPOSED
    )
    producer_confirmed_at = models.DateTimeField(_("供方确认时间"), null=True, blank=True)
    buyer_confirmed_at = models.DateTimeField(_("需方确认时间"), null=True, blank=True)
    delivered_kg = models.PositiveIntegerField(_("送达（公斤）"), null=True, blank=True)
    sold_kg = models.PositiveIntegerField(_("验收售出（公斤）"), null=True, blank=True)
    chain_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    village_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    buyer_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)

    class Meta:
        ordering = ["ship_on", "id"]
        verbose_name = _("发运")
        verbose_name_plural = _("发运")

    def __str__(self) -> str:
        return f"{self.lot} → {self.order.buyer} {self.kg} kg"


class Reservation(TimeStampedModel):
    """消费帮扶: a share of a buyer unit's yearly food budget reserved for rural produce."""

    buyer = models.ForeignKey(
        Buyer, verbose_name=_("采购单位"), on_delete=models.PROTECT, related_name="reservations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    food_budget = models.DecimalField(_("年度食材预算（元）"), max_digits=14, decimal_places=2)
    reserved = models.DecimalField(_("预留采购额（元）"), max_digits=14, decimal_places=2)
    buyer_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)

    class Meta:
        ordering = ["-year", "buyer_id"]
        verbose_name = _("消费帮扶预留")
        verbose_name_plural = _("消费帮扶预留")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "year"], name="linkage_reservation_once")
        ]

    def __str__(self) -> str:
        return f"{self.buyer} {self.year}"


class Outlet(TimeStampedModel):
    """A rural produce outlet (乡村特产展销点) in a city community: the outlet's own facts kept
    beside the buyer unit it is (``Buyer`` of kind ``outlet``; name, organization and place are
    the buyer's, never typed twice). Every outlet-kind buyer has one (the buyer services make it).
    Opening hours: seven entries, Monday first, ``["08:30", "17:30"]`` or null (closed), as
    ``resources.Resource.opening_hours``."""

    buyer = models.OneToOneField(
        Buyer,
        verbose_name=_("采购单位"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="outlet",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.JSONField(_("开放时间"), default=list, blank=True)
    producers = models.ManyToManyField(
        Producer, verbose_name=_("展销的合作社（生产主体）"), blank=True, related_name="outlets"
    )
    products = models.ManyToManyField(
        Product, verbose_name=_("展销的农产品"), blank=True, related_name="outlets"
    )

    class Meta:
        ordering = ["buyer__name", "buyer_id"]
        verbose_name = _("乡村特产展销点")
        verbose_name_plural = _("乡村特产展销点")

    def __str__(self) -> str:
        return self.buyer.name


class OutletSale(TimeStampedModel):
    """One month's sales of one product (of one producer, when known) at an outlet: a fact
    entered by the outlet's organization. ``month`` is the month's first day."""

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("展销点"), on_delete=models.CASCADE, related_name="sales"
    )
    month = models.DateField(_("月份"))
    product = models.ForeignKey(
        Product, verbose_name=_("农产品"), on_delete=models.PROTECT, related_name="+"
    )
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("生产主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outlet_sales",
    )
    kg = models.PositiveIntegerField(_("销量（公斤）"))
    yuan = models.DecimalField(_("销售额（元）"), max_digits=14, decimal_places=2)
    buyer_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "outlet_id", "product_id", "id"]
        verbose_name = _("展销点月度销售")
        verbose_name_plural = _("展销点月度销售")
        indexes = [models.Index(fields=["producer", "month"], name="linkage_outletsale_prod")]
        constraints = [
            # One row per outlet, month, product and producer (NULL producer: once as well).
            models.UniqueConstraint(
                fields=["outlet", "month", "product", "producer"],
                condition=models.Q(producer__isnull=False),
                name="linkage_outletsale_once",
            ),
            models.UniqueConstraint(
                fields=["outlet", "month", "product"],
                condition=models.Q(producer__isnull=True),
                name="linkage_outletsale_once_anon",
            ),
            models.CheckConstraint(condition=models.Q(yuan__gte=0), name="linkage_outletsale_yuan"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet} {self.month:%Y-%m} {self.product} {self.kg} kg"
