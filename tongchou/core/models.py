from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    ARCHIVE = "archive", _("归档")
    MOVE = "move", _("移动")
    DISSOLVE = "dissolve", _("撤销")
    REVEAL = "reveal", _("查看敏感信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    DELETE = "delete", _("删除")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("audit events are append-only")

    def delete(self):
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    """Append-only record of who did what to which object, with before/after values.

    ``org_path`` is the organization path the event belongs to, so admins see the events of
    their own scope through the same prefix query as everything else.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = models.CharField(_("组织路径"), max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only")

    def all_paths(self) -> list[str]:
        """Every organization the event is filed under: ``org_path`` and the further ones."""
        further = [p.path for p in self.paths.order_by("id")] if self.pk else []
        return [p for p in [self.org_path, *further] if p]


class AuditEventPath(models.Model):
    """A further organization an event belongs to, beyond its ``org_path``.

    One change can concern several organizations: a member who moves belongs to the one they
    left and the one they joined, a mobile member's spell to the home side, the inflow side and
    the station. The change is recorded once (one ``AuditEvent``), filed under each of them, so
    every side's admins find it in their own log and nobody above both sees it twice."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="paths")
    path = models.CharField(max_length=255, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录所属组织")
        verbose_name_plural = _("审计记录所属组织")
        constraints = [
            models.UniqueConstraint(fields=["event", "path"], name="audit_event_path_unique")
        ]

    def __str__(self) -> str:
        return self.path

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only")


class LoginFailure(models.Model):
    """Failed logins of one username from one source (client address), counted in one row.

    The lockout is by username *and* source together: failures from one address lock that
    username from that address only, so an attacker elsewhere cannot lock the real person out.
    The count is raised by one conditional UPDATE before the password is checked (see
    ``core.auth``), so parallel attempts cannot get more tries than the limit."""

    username = models.CharField(max_length=150)  # lower-cased, as typed
    ip = models.CharField(max_length=45, blank=True)  # "" when the server does not know it
    failures = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(db_index=True)  # start of the current window

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip"], name="login_failure_source")
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip or '?'}: {self.failures}"


class PasswordState(models.Model):
    """Whether a person must choose their own password before doing anything else.

    Set when an administrator gives them an initial or a reset password (shown once to the
    administrator, never stored in clear); cleared when they set their own. While set, pages
    send them to the password change page and API tokens are refused."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="password_state",
    )
    must_change = models.BooleanField(_("须修改密码"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("设置时间"), null=True, blank=True)
    changed_at = models.DateTimeField(_("本人修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = _("密码状态")

    def __str__(self) -> str:
        return f"{self.user_id}: {'must change' if self.must_change else 'ok'}"
