"""Wrong passwords sent in parallel, each on its own thread and database connection, get no more
tries than the limit; the person, from another address, still signs in.

PostgreSQL only: SQLite serializes writers, so attempts cannot overlap there (the claim-first
order is tested sequentially in
``test_auth.test_each_attempt_claims_a_try_before_the_password_is_checked``).
The password hasher is the real, deliberately slow one, so the attempts do overlap."""

import threading

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, connections
from django.test import RequestFactory

from tongchou.core.models import LoginFailure
from tongchou.core.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the claim-first order is tested sequentially",
    ),
]

PASSWORD = "pass-Word-123"


def attempt(username: str, password: str, ip: str):
    request = RequestFactory().post("/login/", REMOTE_ADDR=ip)
    user = authenticate(request, username=username, password=password)
    return user, getattr(request, "login_locked_out", False)


def burst(n: int, username: str, password: str, ip: str) -> list:
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(index):
        try:
            barrier.wait(timeout=20)
            outcomes[index] = attempt(username, password, ip)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_a_parallel_burst_gets_exactly_the_limit_of_password_checks():
    UserFactory(username="target")
    limit = settings.LOGIN_FAILURE_LIMIT
    outcomes = burst(limit * 3, "target", "guess", "198.51.100.7")
    checked = [o for o in outcomes if o is not None and not o[1]]
    refused = [o for o in outcomes if o is not None and o[1]]
    assert len(checked) == limit, outcomes
    assert len(refused) == 2 * limit
    assert all(user is None for user, _locked in outcomes)
    row = LoginFailure.objects.get(username="target", ip="198.51.100.7")
    assert row.failures == limit
    # The right password from the attacker's address is refused too …
    assert attempt("target", PASSWORD, "198.51.100.7") == (None, True)
    # … but the person, elsewhere, signs in.
    user, locked = attempt("target", PASSWORD, "10.1.2.3")
    assert user is not None and not locked


def test_parallel_right_passwords_all_sign_in():
    """Nothing about claiming a try first refuses the person's own parallel sign-ins (two tabs,
    an API script) below the limit."""
    UserFactory(username="busy")
    outcomes = burst(settings.LOGIN_FAILURE_LIMIT - 1, "busy", PASSWORD, "10.9.9.9")
    assert all(user is not None and not locked for user, locked in outcomes), outcomes
