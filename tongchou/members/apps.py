from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongchou.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self):
        from tongchou.core import tree
        from tongchou.members.models import Member

        tree.register_path_copy(Member, "org_path")
