"""System checks of the accounts app's configuration."""

from django.conf import settings
from django.core.checks import Error, register

from tongchou.accounts.hashers import ISSUED_HASHER


@register()
def issued_password_hasher_registered(app_configs=None, **kwargs) -> list[Error]:
    """Handed-out passwords are stored with ``IssuedPasswordHasher`` (see ``accounts.hashers``):
    it must be registered for people to sign in with them, and never first, or the passwords
    people choose would be stored with it too."""
    hashers = list(settings.PASSWORD_HASHERS)
    if ISSUED_HASHER not in hashers:
        return [
            Error(
                f"PASSWORD_HASHERS must include {ISSUED_HASHER}.",
                hint="List it after the default hasher (see config/settings.py).",
                id="accounts.E001",
            )
        ]
    if hashers[0] == ISSUED_HASHER:
        return [
            Error(
                f"{ISSUED_HASHER} must not be the first (default) password hasher.",
                hint="It is for random one-time passwords only; list a stretching hasher first.",
                id="accounts.E002",
            )
        ]
    return []
