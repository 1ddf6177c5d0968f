from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongchou.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from tongchou.core.auth import watch_user_changes

        watch_user_changes()
