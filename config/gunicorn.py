"""gunicorn settings shared by ``scripts/serve`` (and so ``make demo``) and ``bench/http.py``.

Sync workers, one request at a time each, ``WEB_CONCURRENCY`` of them (cores + 1 by default):
the application is CPU-bound Python, so threads in one process only take turns at the GIL,
and under load their turns stretch the slowest requests (the p99); separate processes
answer in arrival order. Slow clients are a proxy's job in production (nginx in front), as
gunicorn's documentation advises for sync workers. ``WEB_THREADS`` above 1 switches to
threaded workers.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT") or 30)  # the synchronous import stops at 25 s
graceful_timeout = 5
