from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilityConfig(AppConfig):
    name = "tongchou.mobility"
    label = "mobility"
    verbose_name = _("流动党员")

    def ready(self):
        from tongchou.core import tree
        from tongchou.mobility.models import MobileMember, ServiceStation

        tree.register_path_copy(ServiceStation, "org_path")
        tree.register_path_copy(MobileMember, "home_path")
        tree.register_path_copy(MobileMember, "inflow_path")
