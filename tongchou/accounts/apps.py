from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongchou.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tongchou.accounts import checks  # noqa: F401  (registers the system checks)
        from tongchou.accounts.middleware import remember_password_state

        # At each sign-in the session learns whether its person must first choose a password,
        # so the pages that follow need no query to know it.
        user_logged_in.connect(remember_password_state, dispatch_uid="tc_password_state")

        from tongchou.accounts.selectors import account_list_for
        from tongchou.mobility.permissions import register_account_scope

        # Station staff are named from the accounts their editor manages (see mobility).
        register_account_scope(account_list_for)
