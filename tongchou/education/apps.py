from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "tongchou.education"
    label = "education"
    verbose_name = _("党员教育")

    def ready(self):
        from tongchou.core import tree
        from tongchou.education.models import Course, StudyRecord, Training
        from tongchou.education.panels import member_panel
        from tongchou.members.panels import Panel, register

        tree.register_path_copy(Course, "org_path")
        tree.register_path_copy(StudyRecord, "org_path")
        tree.register_path_copy(Training, "org_path")
        register(Panel("education", "education/_member_panel.html", member_panel, order=40))
