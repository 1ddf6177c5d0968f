from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "tongchou.service"
    label = "service"
    verbose_name = _("群众诉求与服务联盟")

    def ready(self):
        from tongchou.core import tree, workdays
        from tongchou.service.models import AllianceUnit, Household, Need, Visit

        # The back office's calendar corrections (CalendarCorrection) are the whole
        # deployment's: resources close on them too, not only deadlines.
        workdays.register_corrections(_calendar_corrections)
        for field in ("org_path", "street_path", "county_path", "escalated_to_path"):
            tree.register_path_copy(Need, field)
        tree.register_path_copy(Visit, "org_path")
        tree.register_path_copy(AllianceUnit, "org_path")
        tree.register_path_copy(Household, "org_path")
        from tongchou.service.moves import needs_follow_move

        tree.register_move_hook(needs_follow_move)


def _calendar_corrections() -> dict:
    from tongchou.service.models import CalendarCorrection

    return dict(CalendarCorrection.objects.values_list("day", "is_workday"))
