from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "tongchou.jobs"
    label = "jobs"
    verbose_name = _("就业平台")

    def ready(self):
        from tongchou.core import tree
        from tongchou.jobs.models import Application, JobSeeker, Opening

        for field in ("org_path", "street_path", "county_path"):
            tree.register_path_copy(Opening, field)
            tree.register_path_copy(JobSeeker, field)
        tree.register_path_copy(Application, "opening_path")
        tree.register_path_copy(Application, "seeker_path")
        from tongchou.jobs.moves import jobs_follow_move

        tree.register_move_hook(jobs_follow_move)
