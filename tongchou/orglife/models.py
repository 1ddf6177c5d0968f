"""Organizational life (三会一课, 主题党日): sessions and who attended them.

Attendance is one row per member per session, online and offline alike, so a member's record
is one list whatever the format; a mobile member attending at their inflow organization or
station has that row count at home too (reads go by member, not by organization). Nothing here
asks for a check-in, a location, a photo or time online.

A session names the people who ran it: the host (主持人) and the minute-taker (记录人), members
picked from the organization's, and for a Party lecture the lecturer (授课人): a member, or —
for someone who is not a member here (a Party-school teacher, a leader from above) — a name.
Who was expected (应到) and who attended (实到) are read from the roster and the attendance
(``orglife.roster``), never stored twice. A joint session names the other organizations that
held it together (``partners``); it is recorded once, by the holding organization.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH


class SessionKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


class SessionFormat(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")
    BOTH = "both", _("线上线下结合")


class Session(TimeStampedModel):
    kind = models.CharField(_("类型"), max_length=20, choices=SessionKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="sessions",
        db_index=False,  # reads go through org_path
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False)
    station = models.ForeignKey(
        "mobility.ServiceStation",
        verbose_name=_("党员服务站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("时间"))
    held_on = models.DateField(editable=False)  # local date of starts_at, for period reads
    format = models.CharField(
        _("形式"), max_length=8, choices=SessionFormat.choices, default=SessionFormat.OFFLINE
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.CharField(_("线上会议号/链接"), max_length=200, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    minutes = models.TextField(_("会议记录"), blank=True)
    host = models.ForeignKey(
        "members.Member",
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never read by person; members are archived, never deleted
    )
    minute_taker = models.ForeignKey(
        "members.Member",
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    lecturer = models.ForeignKey(
        "members.Member",
        verbose_name=_("授课人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    lecturer_name = models.CharField(_("授课人（非本组织党员）"), max_length=50, blank=True)
    attachment = models.FileField(_("附件"), upload_to="orglife/%Y/%m/", blank=True)
    # A joint session (联合组织生活): other organizations that held it together with this one,
    # e.g. a city community with its paired village. The session stays this organization's
    # (its attendance and its count); the pairing summary counts it for both sides.
    partners = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("联合开展的党组织"),
        blank=True,
        related_name="joint_sessions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        indexes = [
            models.Index(fields=["org_path", "held_on", "kind"], name="session_tree_period"),
            # Lists, newest first: a wide scope walks this and stops at a page.
            models.Index(fields=["-starts_at", "-id"], name="session_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    @property
    def lecturer_label(self) -> str:
        return self.lecturer.name if self.lecturer_id else self.lecturer_name


class AttendanceStatus(models.TextChoices):
    PRESENT_OFFLINE = "offline", _("线下参加")
    PRESENT_ONLINE = "online", _("线上参加")
    EXCUSED = "excused", _("请假")
    ABSENT = "absent", _("缺席")


PRESENT = (AttendanceStatus.PRESENT_OFFLINE, AttendanceStatus.PRESENT_ONLINE)


class Attendance(models.Model):
    session = models.ForeignKey(
        Session, verbose_name=_("组织生活"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=pgettext_lazy("one person", "党员"),
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,  # see the member_history index
    )
    status = models.CharField(_("出席情况"), max_length=8, choices=AttendanceStatus.choices)
    held_on = models.DateField(editable=False)  # copy of the session's, for the member's history
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["session", "member"]
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        indexes = [
            models.Index(fields=["member", "held_on", "status"], name="attendance_member_history"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_status_display()}"
