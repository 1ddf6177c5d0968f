"""Organizational relationship transfers (组织关系转接) and their introduction letters.

A transfer is a two-sided workflow; every step is a ``TransferStep`` row (who, when, what,
note), and the transfer's ``state`` is the state after its last step. Kinds:

* ``within``: both organizations are in this deployment;
* ``outward``: to an organization outside (its name and region typed in);
* ``inward``: from outside, with the number of the introduction letter received; the member's
  details travel with it (``incoming``) and the member is registered on completion.

``version`` counts the steps taken: a step names the version it was taken on (the page's hidden
field, the API's ``version``), and is refused when the transfer has moved since.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH


class TransferKind(models.TextChoices):
    WITHIN = "within", _("系统内转接")
    OUTWARD = "outward", _("转出至系统外")
    INWARD = "inward", _("从系统外转入")


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("待转出方审批")
    OUT_APPROVED = "out_approved", _("待上级党委审批")
    AWAITING_INFLOW = "awaiting_inflow", _("待转入方接收")
    COMPLETED = "completed", _("已完成")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤回")


OPEN_STATES = (
    TransferState.REQUESTED,
    TransferState.OUT_APPROVED,
    TransferState.AWAITING_INFLOW,
)


class Transfer(TimeStampedModel):
    kind = models.CharField(_("类型"), max_length=8, choices=TransferKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=TransferState.choices, default=TransferState.REQUESTED
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=pgettext_lazy("one person", "党员"),
        null=True,  # an inward transfer's member is registered on completion
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    member_name = models.CharField(_("姓名"), max_length=50)  # kept for the letter and history
    # Inward transfers: the member's details as validated at request (ID number and phone
    # encrypted inside, see transfers.services), used to register them on completion.
    incoming = models.JSONField(_("转入党员信息"), default=dict, blank=True)
    # Keyed hash of the incoming ID number (inward only): one open inward transfer per person.
    incoming_hash = models.CharField(max_length=64, blank=True, editable=False)
    from_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("转出党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # reads go by path (see Meta.indexes); never filtered by it
    )
    from_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    from_text = models.CharField(_("转出党组织（系统外）"), max_length=200, blank=True)
    to_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("转入党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # reads go by path (see Meta.indexes); never filtered by it
    )
    to_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    to_text = models.CharField(_("转入党组织（系统外）"), max_length=200, blank=True)
    to_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("转入地区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # reads go by path (see Meta.indexes); never filtered by it
    )
    reason = models.CharField(_("转接原因"), max_length=200)
    needs_upper_approval = models.BooleanField(_("需上级党委审批"), default=False)
    # The committee that approves a transfer crossing counties (above the outflow side).
    upper_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("审批党委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # reads go by path (see Meta.indexes); never filtered by it
    )
    upper_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    letter_number = models.CharField(_("介绍信编号"), max_length=40, blank=True)
    letter_issued_on = models.DateField(_("介绍信开具日期"), null=True, blank=True)
    letter_valid_until = models.DateField(_("介绍信有效期至"), null=True, blank=True)
    # What the standard letter states besides the member: the month the member's Party dues are
    # paid up to (the first day of that month; given by the outflow side when it approves) and
    # the issuing organization's phone (given when the letter is issued, offered again from the
    # last letter that organization issued).
    dues_paid_to = models.DateField(_("党费交至"), null=True, blank=True)
    issuer_phone = models.CharField(_("开具单位联系电话"), max_length=30, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # reads go by path (see Meta.indexes); never filtered by it
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # A transfer that reverses a completed one points at it.
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("撤销的转接"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        indexes = [
            models.Index(fields=["from_path", "state"], name="transfer_from"),
            models.Index(fields=["to_path", "state"], name="transfer_to"),
            models.Index(fields=["upper_path", "state"], name="transfer_upper"),
        ]
        constraints = [
            # One open transfer per member: a database rule, so two requests at once cannot
            # both pass.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state__in=["requested", "out_approved", "awaiting_inflow"]),
                name="transfer_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["letter_number"],
                condition=~models.Q(letter_number="") & ~models.Q(kind="inward"),
                name="transfer_letter_number_unique",
            ),
            models.UniqueConstraint(
                fields=["incoming_hash"],
                condition=models.Q(state__in=["requested", "out_approved", "awaiting_inflow"])
                & ~models.Q(incoming_hash=""),
                name="transfer_one_open_inward_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name}：{self.from_label} → {self.to_label}"

    @property
    def from_label(self) -> str:
        return self.from_org.name if self.from_org_id else self.from_text

    @property
    def to_label(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_text

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        """Awaiting the inflow side past the letter's validity (shown to both sides)."""
        return (
            self.state == TransferState.AWAITING_INFLOW
            and self.letter_valid_until is not None
            and self.letter_valid_until < timezone.localdate()
        )

    @property
    def letter_issuer_id(self) -> int | None:
        """The organization whose approval issues the letter: the county-level committee when
        the transfer needs its approval, else the outflow organization."""
        return self.upper_org_id if self.needs_upper_approval else self.from_org_id

    @property
    def letter_issuer_label(self) -> str:
        if self.needs_upper_approval:
            return self.upper_org.name if self.upper_org_id else ""
        return self.from_label

    @property
    def has_letter(self) -> bool:
        """An introduction letter issued here (inward transfers carry someone else's)."""
        return self.kind != TransferKind.INWARD and self.letter_issued_on is not None


class StepAction(models.TextChoices):
    REQUEST = "request", _("申请")
    APPROVE_OUT = "approve_out", _("转出方审批同意")
    APPROVE_UPPER = "approve_upper", _("上级党委审批同意")
    ACCEPT = "accept", _("转入方接收")
    RETURN = "return", _("退回")
    CANCEL = "cancel", _("撤回")


class TransferStep(models.Model):
    """One step of a transfer's history, append-only."""

    transfer = models.ForeignKey(
        Transfer, verbose_name=_("转接"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=16, choices=StepAction.choices)
    state_after = models.CharField(_("操作后状态"), max_length=16, choices=TransferState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("转接步骤")
        verbose_name_plural = _("转接步骤")

    def __str__(self) -> str:
        return self.get_action_display()


class LetterCounter(models.Model):
    """The last serial number issued per year (locked while a letter takes the next one)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
