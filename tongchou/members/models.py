from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core import crypto
from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH
from tongchou.members.choices import Category, Education, Ethnicity, Gender, MemberStatus


class Member(TimeStampedModel):
    """A Party member. ID number and phone are stored encrypted (``*_enc``) with a keyed hash of
    the ID number for exact lookup and uniqueness; read them through ``id_number`` / ``phone``
    only where the role may see them, and audit it (see members.services.member_reveal)."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=Ethnicity.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number_enc = models.CharField(max_length=120, editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    phone_enc = models.CharField(max_length=120, blank=True, editable=False)
    education = models.CharField(_("学历"), max_length=24, choices=Education.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=100, blank=True)
    category = models.CharField(_("党员类别"), max_length=16, choices=Category.choices)
    admission_date = models.DateField(_("入党日期"))
    full_member_date = models.DateField(_("转正日期"), null=True, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # reads go through org_path (see Meta.indexes)
    )
    # Copy of organization.path, kept by the services (and organization_move) for subtree reads.
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.NORMAL
    )
    home_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("户籍/居住地区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    archived = models.BooleanField(_("已归档"), default=False)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one person", "党员")
        verbose_name_plural = _("党员")
        ordering = ["org_path", "name", "id"]
        # Every index costs the import (a million rows) on every row, so there are few:
        # - ``member_active_tree``: the subtree index. Counts under any organization and the
        #   default list order are index-only range scans on it; it holds only active
        #   (unarchived) members, which is what every list and count reads.
        # - the ID-number hash's unique constraint (exact lookup, no duplicates);
        # - the primary key and the one-to-one login.
        # Foreign keys to organization and region carry no index: organizations and regions are
        # never deleted (dissolved / kept), and reads go through ``org_path``.
        indexes = [
            models.Index(
                # ``archived`` is constant here; listing it lets SQLite answer from the index
                # alone (it does not infer the column from the index condition).
                fields=["org_path", "name", "id", "archived"],
                name="member_active_tree",
                condition=models.Q(archived=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="member_id_number_hash_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    VALIDATING = "validating", _("正在校验")
    WRITING = "writing", _("正在写入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


class ImportJob(TimeStampedModel):
    """One uploaded member file and the run that imports it (members.tasks.run_import).

    The file is deleted once the run finishes: it holds ID numbers in the clear. ``errors``
    keeps the first ``MAX_STORED_ERRORS`` of ``error_count`` problems as ``[row, column, reason]``.
    """

    MAX_STORED_ERRORS = 10_000

    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("导入人数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    default_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("默认党组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # What the reader skipped or ignored (title rows, unknown columns), shown with the result.
    notices = models.JSONField(_("提示"), default=list, blank=True)
    # Liveness of the run: the worker (host:pid) that claimed it, and when it last reported.
    # A job whose worker died is failed at once on that host, else after IMPORT_STALE_MINUTES
    # without a beat (importing.jobs.import_jobs_sweep).
    worker = models.CharField(max_length=120, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("党员导入")
        verbose_name_plural = _("党员导入")

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class ImportReport(models.Model):
    """A failed import's file as uploaded, with a column naming each row's errors: the
    person fixes the marked rows and uploads it again. It holds ID numbers in the clear, so it
    is stored encrypted (``core.crypto.encrypt_bytes``), served only to who may see the job,
    each download audited, and deleted after ``KEEP`` by the sweep."""

    KEEP_DAYS = 3

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="report")
    content = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入错误标注文件")
        verbose_name_plural = _("导入错误标注文件")

    def __str__(self) -> str:
        return str(self.job)
