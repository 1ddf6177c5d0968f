"""Server-Timing: off by default; on, every response says the application's wall and CPU time."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

TIMING = "tongchou.core.middleware.ServerTimingMiddleware"


def test_no_timings_by_default(client):
    assert TIMING not in settings.MIDDLEWARE
    assert "Server-Timing" not in client.get("/login/").headers


def test_timings_when_switched_on(client):
    with override_settings(MIDDLEWARE=[TIMING, *settings.MIDDLEWARE]):
        header = client.get("/login/").headers["Server-Timing"]
    match = re.fullmatch(r"app;dur=([0-9.]+), cpu;dur=([0-9.]+)", header)
    assert match, header
    assert float(match[1]) > 0
