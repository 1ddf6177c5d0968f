"""How passwords an administrator hands out are stored.

Key stretching (Django's PBKDF2 at 1,000,000 iterations, ~0.25 s a hash) protects passwords
*people choose*, which are guessable: it makes each guess against a stolen hash expensive. A
handed-out password is not guessable — 12 characters drawn at random from 31 (about 59 bits,
``accounts.services.new_password``) — is valid for ``ISSUED_PASSWORD_DAYS`` at most, and must be
replaced at the first sign-in. Even with a single hash iteration, trying 2^58 candidates (half
the space) on a GPU doing 10^10 SHA-256 a second takes about a year; at the 1,000 iterations
below, about a thousand years — against a password that stops working in two weeks. Stretching
it would add nothing but cost: at 0.25 s a hash, a branch of 200 accounts takes nearly a minute,
longer than the web server gives a request (``scripts/serve``: 30 s).

So handed-out passwords are hashed with ``IssuedPasswordHasher``: PBKDF2-SHA256 with few
iterations, under its own algorithm name. It is listed in ``PASSWORD_HASHERS`` *after* the
default, so Django still verifies such hashes and re-hashes them with the default at the first
successful sign-in; the forced change then stores the person's own password with the default
anyway. A system check (``accounts.checks``) refuses a configuration where it is missing or
first (which would store chosen passwords unstretched).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

ISSUED_HASHER = "tongchou.accounts.hashers.IssuedPasswordHasher"


class IssuedPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 at 1,000 iterations, for random one-time passwords only."""

    algorithm = "pbkdf2_sha256_issued"
    iterations = 1_000


def issued_password_hash(password: str) -> str:
    """The stored form of a handed-out password (the hasher must be registered, so that the
    person can sign in with it)."""
    return make_password(password, hasher=IssuedPasswordHasher.algorithm)
