from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "tongchou.talent"
    label = "talent"
    verbose_name = _("城乡人才")

    def ready(self):
        from tongchou.core import tree
        from tongchou.members.panels import Panel, register
        from tongchou.resources import flows as resource_flows
        from tongchou.talent import flows
        from tongchou.talent.models import Assignment, MatchRound, Need, Talent
        from tongchou.talent.panels import member_panel

        tree.register_path_copy(Talent, "org_path")
        tree.register_path_copy(Need, "org_path")
        tree.register_path_copy(MatchRound, "org_path")
        tree.register_path_copy(Assignment, "from_path")
        tree.register_path_copy(Assignment, "to_path")
        resource_flows.register(flows.EXCHANGES)
        register(Panel("talent", "talent/_member_panel.html", member_panel, order=50))
