from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "tongchou.talent"
    label = "talent"
    verbose_name = _("城乡人才")
