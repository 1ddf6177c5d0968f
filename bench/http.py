"""``python -m bench.http [--quick]``: the serving figures, over HTTP, from the real server.

Builds a fresh demo deployment (Shizuishan: 3 counties, 326 villages, ~30,000 members; the same
generated data as ``make demo``) on SQLite and on PostgreSQL (skipped with a message when the
server cannot be reached), starts gunicorn as ``scripts/serve`` does (``config/gunicorn.py``,
here with 2 workers) on a free loopback port, and drives it from a load generator in this
process (asyncio, HTTP/1.1 keep-alive; nothing but loopback is ever addressed, every loop is
bounded in time). Signed in as the county admin of 大武口区 (token for the API, session for the
pages), it measures, in one run:

* the member list API, first page (50 rows), ``GET /api/members/``;
* one member by id, ``GET /api/members/<id>/`` — the one-row endpoint beside it (same
  authentication, scope and serializer);
* the member list page ``/members/`` and the tree page ``/orgs/``.

For each: the latency alone (one connection, one request after the other), with the server's
own time and CPU time for each request from its ``Server-Timing`` header (``SERVER_TIMING=1``,
core.middleware.ServerTimingMiddleware), then requests/s and p50/p99 under
``--connections`` (8) at once for ``--seconds``. Targets (issue 7): the list API's page ≤ 10 ms
server time; its requests/s ≥ 25 % of the one-row endpoint's; its p99 ≤ 100 ms under load.
Figures go to ``bench/out/http.json`` (``http-quick.json`` with ``--quick``).
"""

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
WORK = REPO / "var" / "bench"
HOST = "127.0.0.1"  # the load generator addresses nothing else
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tongchou_bench_http"
USER, PASSWORD = "county_admin", "demo12345"
LIST_SERVER_MS = 10.0
RATIO = 0.25
P99_MS = 100.0


# --- a small HTTP/1.1 keep-alive client --------------------------------------------------------


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                if name == "set-cookie":
                    cookies.append(value.strip())
                headers[name] = value.strip()
        headers["set-cookie"] = "\n".join(cookies)
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append((await self.reader.readexactly(size + 2))[:-2])
            body = b"".join(parts)
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def build_request(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def cookies_of(headers: dict[str, str]) -> dict[str, str]:
    jar = {}
    for line in headers.get("set-cookie", "").split("\n"):
        if line:
            parsed = SimpleCookie()
            parsed.load(line)
            jar.update({k: m.value for k, m in parsed.items()})
    return jar


async def sign_in(port: int) -> tuple[dict[str, str], dict[str, str]]:
    """(headers for the API: a token; headers for the pages: a session cookie)."""
    conn = Connection(port)
    form = urlencode({"username": USER, "password": PASSWORD}).encode()
    json_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _h, body = await conn.request(
        build_request("POST", "/api/auth/token/", json_headers, form)
    )
    if status != 200:
        raise SystemExit(f"token request failed: {status} {body[:200]!r}")
    token = json.loads(body)["token"]
    status, headers, _body = await conn.request(build_request("GET", "/login/"))
    csrf = cookies_of(headers)["csrftoken"]
    login = urlencode(
        {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": "/"}
    ).encode()
    status, headers, _body = await conn.request(
        build_request(
            "POST",
            "/login/",
            {**json_headers, "Cookie": f"csrftoken={csrf}", "Referer": f"http://{HOST}/login/"},
            login,
        )
    )
    session = cookies_of(headers).get("sessionid")
    conn.close()
    if status != 302 or not session:
        raise SystemExit(f"page login failed: {status}")
    return {"Authorization": f"Token {token}"}, {"Cookie": f"sessionid={session}"}


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # the app's own time (Server-Timing)
    server_cpu_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict:
        return {
            "server_p50_ms": _round(statistics.median(self.server_ms) if self.server_ms else None),
            "server_cpu_p50_ms": _round(
                statistics.median(self.server_cpu_ms) if self.server_cpu_ms else None
            ),
            "requests": len(self.latencies_ms),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests_per_s, 1),
            "p50_ms": _round(self.quantile(0.50)),
            "p99_ms": _round(self.quantile(0.99)),
            "mean_ms": _round(statistics.fmean(self.latencies_ms) if self.latencies_ms else None),
        }


def _round(value):
    return None if value is None else round(value, 2)


def server_timing(headers: dict[str, str]) -> dict[str, float]:
    """``Server-Timing: app;dur=9.1, cpu;dur=8.7`` (core.middleware.ServerTimingMiddleware)."""
    found = {}
    for part in headers.get("server-timing", "").split(","):
        name, _sep, rest = part.strip().partition(";dur=")
        if rest:
            found[name] = float(rest)
    return found


async def drive(port: int, raw: bytes, *, connections: int, seconds: float, warmup: float) -> Run:
    """``connections`` clients sending ``raw`` back to back for ``seconds`` (after ``warmup``
    seconds not counted); bounded in time whatever the server does."""
    run = Run()
    started = time.perf_counter()
    measure_from = started + warmup
    deadline = measure_from + seconds

    async def client() -> None:
        conn = Connection(port)
        try:
            while (now := time.perf_counter()) < deadline:
                status, headers, _body = await asyncio.wait_for(conn.request(raw), timeout=30)
                done = time.perf_counter()
                if now >= measure_from:
                    run.latencies_ms.append((done - now) * 1000)
                    timing = server_timing(headers)
                    if timing:
                        run.server_ms.append(timing["app"])
                        run.server_cpu_ms.append(timing["cpu"])
                    if status != 200:
                        run.errors += 1
        finally:
            conn.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    run.seconds = min(time.perf_counter(), deadline + 30) - measure_from
    return run


# --- the deployment and the server -------------------------------------------------------------


def environment(url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TONGCHOU_PLAIN_STATIC": "1",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LOGIN_FAILURE_LIMIT": "1000",
        "SERVER_TIMING": "1",
    }
    env.pop("TONGCHOU_ENV", None)
    return env


def build(url: str) -> float:
    started = time.perf_counter()
    env = environment(url)
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi",
        "--config",
        "config/gunicorn.py",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, cwd=REPO, env=environment(url), start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited at start") from None
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def one_member_id(url: str) -> int:
    code = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from tongchou.members.selectors import member_list_for;"
        f"u = get_user_model().objects.get(username={USER!r});"
        "rows = member_list_for(u).order_by('org_path', 'name', 'id');"
        "print(rows.values_list('pk', flat=True)[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=environment(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


async def measure(port: int, member_id: int, args) -> dict:
    api, page = await sign_in(port)
    endpoints = {
        "list_api": ("member list API, 50 rows", "/api/members/", api),
        "one_row_api": ("one member by id (one-row endpoint)", f"/api/members/{member_id}/", api),
        "member_page": ("member list page /members/", "/members/", page),
        "tree_page": ("tree page /orgs/", "/orgs/", page),
    }
    results = {}
    for key, (label, path, headers) in endpoints.items():
        raw = build_request("GET", path, headers)
        conn = Connection(port)
        status, _h, body = await conn.request(raw)
        conn.close()
        if status != 200:
            raise SystemExit(f"{path}: {status} {body[:200]!r}")
        if key == "list_api":
            rows = len(json.loads(body)["results"])
            if rows != 50:
                raise SystemExit(f"{path}: {rows} rows, expected a full page of 50")
        alone = await drive(port, raw, connections=1, seconds=args.seconds / 2, warmup=0.5)
        loaded = await drive(
            port, raw, connections=args.connections, seconds=args.seconds, warmup=1.0
        )
        results[key] = {
            "label": label,
            "path": path if "{" not in path else path,
            "bytes": len(body),
            "alone": alone.summary(),
            "loaded": loaded.summary(),
        }
        print(
            f"  {label:42} alone p50 {alone.summary()['p50_ms']:7.2f} ms "
            f"(server {alone.summary()['server_p50_ms']:6.2f}, "
            f"CPU {alone.summary()['server_cpu_p50_ms']:6.2f})  "
            f"{args.connections} conns: {loaded.requests_per_s:7.1f} req/s  "
            f"p50 {loaded.summary()['p50_ms']:7.2f} ms  p99 {loaded.summary()['p99_ms']:7.2f} ms"
            f"  errors {loaded.errors}",
            flush=True,
        )
    return results


def verdicts(results: dict) -> dict:
    listing, one = results["list_api"], results["one_row_api"]
    # The server's own time for the page (Server-Timing), one request at a time: what the
    # target is about, without the loopback and the load generator sharing the cores.
    server_ms = listing["alone"]["server_p50_ms"]
    ratio = listing["loaded"]["requests_per_s"] / one["loaded"]["requests_per_s"]
    p99 = listing["loaded"]["p99_ms"]
    return {
        "list_api_server_ms": {
            "value": server_ms,
            "target": f"≤ {LIST_SERVER_MS} ms",
            "pass": server_ms <= LIST_SERVER_MS,
        },
        "list_vs_one_row_rps": {
            "value": round(ratio, 3),
            "target": f"≥ {RATIO:.0%}",
            "pass": ratio >= RATIO,
        },
        "list_api_p99_ms": {"value": p99, "target": f"≤ {P99_MS} ms", "pass": p99 <= P99_MS},
    }


def run_database(db: str, url: str, args) -> dict:
    print(f"== {db}: building the demo deployment …", flush=True)
    built = build(url)
    member_id = one_member_id(url)
    port = free_port()
    server = start_server(url, port, args.workers)
    try:
        print(f"   built in {built:.0f} s; gunicorn on {HOST}:{port}, {args.workers} workers")
        results = asyncio.run(measure(port, member_id, args))
    finally:
        stop_server(server)
    return {"build_seconds": round(built, 1), "endpoints": results, "verdicts": verdicts(results)}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.http", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs (4 s per endpoint)")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_HTTP_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--seconds", type=float, help="timed seconds per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.seconds = args.seconds or (4.0 if args.quick else 10.0)

    from bench.__main__ import pg_available, pg_fresh

    started = time.perf_counter()
    report: dict = {"results": {}, "skipped": {}}
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "sqlite":
            WORK.mkdir(parents=True, exist_ok=True)
            path = WORK / "http.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        elif db in ("postgresql", "postgres", "pg"):
            db, url = "postgresql", args.pg_url
            problem = pg_available(url)
            if problem:
                report["skipped"][db] = f"PostgreSQL not reachable at {url}: {problem}"
                print(f"-- skipping PostgreSQL: {report['skipped'][db]}", flush=True)
                continue
            pg_fresh(url)
        else:
            raise SystemExit(f"unknown database {db!r}")
        report["results"][db] = run_database(db, url, args)

    print()
    for db, result in report["results"].items():
        for key, v in result["verdicts"].items():
            value = f"{v['value']:.0%}" if key == "list_vs_one_row_rps" else f"{v['value']} ms"
            mark = "PASS" if v["pass"] else "MISS"
            print(f"{db:11} {key:22} {value:>10}  {mark}  (target {v['target']})")
    report.update(
        {
            "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "quick": args.quick,
            "seconds_per_endpoint": args.seconds,
            "connections": args.connections,
            "workers": args.workers,
            "user": USER,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
            },
            "wall_seconds": round(time.perf_counter() - started, 1),
        }
    )
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / ("http-quick.json" if args.quick else "http.json")
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {target.relative_to(REPO)} ({report['wall_seconds']} s)")
    if not report["results"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
