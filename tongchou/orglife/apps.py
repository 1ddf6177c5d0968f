from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "tongchou.orglife"
    label = "orglife"
    verbose_name = _("组织生活")

    def ready(self):
        from tongchou.core import tree
        from tongchou.members import panels
        from tongchou.orglife.models import Session
        from tongchou.orglife.panels import member_panel

        tree.register_path_copy(Session, "org_path")
        # Attending organizational life counts as being reached (mobility.rules: 失联).
        from tongchou.mobility.rules import register_reached
        from tongchou.orglife.report import attended_between

        register_reached("orglife.attendance", attended_between)
        panels.register(
            panels.Panel("orglife", "orglife/_member_panel.html", member_panel, order=30)
        )
