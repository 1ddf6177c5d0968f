from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "tongchou.service"
    label = "service"
    verbose_name = _("群众诉求与服务联盟")

    def ready(self):
        from tongchou.core import tree, workdays
        from tongchou.service.models import AllianceUnit, Household, Need, ProxyStation, Visit

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
        tree.register_path_copy(ProxyStation, "org_path")
        _register_proxy_staff_anchor()


def _register_proxy_staff_anchor() -> None:
    """Staff of a proxy station are tied to the station's village organization: the admins
    over it manage their accounts (as member service stations' staff, accounts.anchors)."""
    from tongchou.accounts import anchors
    from tongchou.service.models import ProxyStation

    through = ProxyStation.staff.through.objects

    def user_ids(scope):
        return through.filter(scope.q("proxystation__org_path")).values("user_id")

    def paths_of(ids):
        found: dict[int, list[str]] = {}
        rows = through.filter(user_id__in=list(ids)).values_list(
            "user_id", "proxystation__org_path"
        )
        for user_id, path in rows:
            found.setdefault(user_id, []).append(path)
        return found

    anchors.register(anchors.Anchor("proxy_station", _("城市服务代办站"), user_ids, paths_of))


def _calendar_corrections() -> dict:
    from tongchou.service.models import CalendarCorrection

    return dict(CalendarCorrection.objects.values_list("day", "is_workday"))
