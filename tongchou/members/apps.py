from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "tongchou.members"
    label = "members"
    verbose_name = _("党员")

    def ready(self):
        from tongchou.core import tree
        from tongchou.members.models import Member

        tree.register_path_copy(Member, "org_path")
        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    """The database cache (settings.CACHES: the ID-number lookup budget) needs its table;
    creating it after every ``migrate`` means a deployment never runs without it. Nothing
    happens for other cache backends, or when the table is there."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
