"""A small rate limit for doors anyone can knock on (the resident's no-account form, Open311
clients): at most ``limit`` hits per ``window`` seconds for one key, counted in Django's shared
cache (``settings.CACHES["default"]``: the database by default, Redis or Memcached when the
deployment points ``CACHE_BACKEND`` at one), so every app server counts together.

It is a fixed window (the clock hour for ``window=3600``), like the ID-number lookup budget:
one key gets at most ``limit`` in a window and so at most ``2 × limit`` across a window's edge.
``add`` then ``incr`` is atomic on Redis and Memcached; on the database cache two hits at the
same instant may both be counted as the last allowed one — a few over, never unbounded. The key
is hashed, so the cache holds no client addresses. ``limit`` 0 turns a limit off.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # hits in this window, this one included
    retry_after: int  # seconds until the window ends (for the Retry-After header)


def hit(scope: str, ident: str, *, limit: int, window: int = 3600, now: float | None = None):
    """Count one hit of ``ident`` (an IP address, a client id) at ``scope``."""
    now = time.time() if now is None else now
    slot = int(now // window)
    retry_after = max(1, int((slot + 1) * window - now))
    if limit <= 0:
        return Verdict(True, 0, retry_after)
    digest = hashlib.sha256(f"{scope}\x00{ident}".encode()).hexdigest()[:32]
    key = f"tongchou:rate:{scope}:{digest}:{slot}"
    if cache.add(key, 1, timeout=window + 60):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=window + 60)
            count = 1
    return Verdict(count <= limit, count, retry_after)
