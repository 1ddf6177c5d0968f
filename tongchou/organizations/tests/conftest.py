"""Fixtures for organization tests (the world itself is built in world.py)."""

import pytest

from tongchou.organizations.tests.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
