from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "tongchou.transfers"
    label = "transfers"
    verbose_name = _("组织关系转接")

    def ready(self):
        from tongchou.core import tree
        from tongchou.transfers.models import Transfer

        tree.register_path_copy(Transfer, "from_path")
        tree.register_path_copy(Transfer, "to_path")
        tree.register_path_copy(Transfer, "upper_path")

        from tongchou.members import panels
        from tongchou.transfers.panels import member_panel

        panels.register(member_panel)
