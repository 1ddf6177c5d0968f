from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "tongchou.resources"
    label = "resources"
    verbose_name = _("资源共享")

    def ready(self):
        from tongchou.core import tree
        from tongchou.members.panels import Panel, register
        from tongchou.resources import flows
        from tongchou.resources.models import Booking, Resource

        tree.register_path_copy(Resource, "owner_path")
        tree.register_path_copy(Resource, "visible_path")
        tree.register_path_copy(Booking, "owner_path")
        tree.register_path_copy(Booking, "org_path")
        from tongchou.resources.panels import member_panel

        flows.register(flows.BOOKINGS)
        from tongchou.core import prefill
        from tongchou.resources import hooks

        prefill.register("orglife.session", hooks.SESSIONS)
        prefill.register("education.training", hooks.TRAININGS)
        register(Panel("resources", "resources/_member_panel.html", member_panel, order=60))
