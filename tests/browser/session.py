"""Signing in through the real login page, as a person does — the one way the journeys do it."""

from django.conf import settings

from tests.world import PASSWORD


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in as ``username`` in a new session. The login page sends a signed-in visitor
    home, so the last person's session cookie goes first; the language cookie stays."""
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
