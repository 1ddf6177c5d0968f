"""Member education (党员教育): courses, study records and skills training.

Study hours are facts shown beside the yearly standard (settings.TONGCHOU_STUDY_HOURS_STANDARD),
never a ranking or a score.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongchou.core.models import TimeStampedModel
from tongchou.core.tree import PATH_MAX_LENGTH


class CourseMode(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")


class Course(TimeStampedModel):
    title = models.CharField(_("课程名称"), max_length=200)
    provider = models.CharField(_("提供方"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    mode = models.CharField(_("形式"), max_length=8, choices=CourseMode.choices)
    # The organization that offers it; its subtree sees it (a course of the root: everyone).
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("开设党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def __str__(self) -> str:
        return self.title


class StudyRecord(models.Model):
    member = models.ForeignKey(
        "members.Member",
        verbose_name=pgettext_lazy("one person", "党员"),
        on_delete=models.PROTECT,
        related_name="study_records",
        db_index=False,  # see study_member_year
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    course = models.ForeignKey(
        Course,
        verbose_name=_("课程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    training = models.ForeignKey(
        "education.Training",
        verbose_name=_("技能培训"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    title = models.CharField(_("学习内容"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    studied_on = models.DateField(_("学习日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-studied_on", "-id"]
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        indexes = [models.Index(fields=["member", "studied_on"], name="study_member_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "member"],
                condition=models.Q(training__isnull=False),
                name="study_once_per_training",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Training(TimeStampedModel):
    """A skills-training session held by an organization or at a member service station."""

    title = models.CharField(_("培训名称"), max_length=200)
    skill = models.CharField(_("技能方向"), max_length=100, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("举办党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=PATH_MAX_LENGTH, editable=False, db_index=True)
    station = models.ForeignKey(
        "mobility.ServiceStation",
        verbose_name=_("党员服务站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
    )
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    trainer = models.CharField(_("授课人"), max_length=100, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    participants = models.ManyToManyField(
        "members.Member",
        verbose_name=_("参训党员"),
        through=StudyRecord,
        through_fields=("training", "member"),
        related_name="trainings",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("技能培训")
        verbose_name_plural = _("技能培训")

    def __str__(self) -> str:
        return self.title
