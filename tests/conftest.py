import pytest

from tests.world import build_world
from tongchou.accounts.hashers import ISSUED_HASHER


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The world creates several users; the production hasher costs ~0.3 s per password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        ISSUED_HASHER,  # handed-out passwords (accounts.hashers)
    ]
