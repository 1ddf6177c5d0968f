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
        tree.register_path_copy(MobileMember, "station_path")

        from tongchou.members import panels
        from tongchou.mobility.panels import mobility_panel

        panels.register(
            panels.Panel("mobility", "mobility/_member_panel.html", mobility_panel, order=20)
        )

        from tongchou.members.services import Follower, register_follower
        from tongchou.mobility.services import member_archiving, member_moved

        register_follower(Follower("mobility", moved=member_moved, archiving=member_archiving))
