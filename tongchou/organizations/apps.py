from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "tongchou.organizations"
    label = "organizations"
    verbose_name = _("组织设置")

    def ready(self) -> None:
        # The scoped API endpoints (core.api.SCOPED) need a role: core asks this app.
        from tongchou.core.api import register_scope_check
        from tongchou.organizations.permissions import has_any_role

        register_scope_check(has_any_role)
