"""The booking race on SQLite, for real: 8 threads, each on its own connection to a SQLite file
(the suite's own test database is in memory with a shared cache, whose locks do not wait, so
the race runs in a child process on a fresh file database, as a deployment would). 80 attempts
at one slot through ``services.booking_request``: exactly one holds it, every other one is told
``slot_taken``. What makes it so: every transaction begins IMMEDIATE (settings
``transaction_mode``), so the check and the insert of one attempt never interleave with
another's. The same on PostgreSQL, with the exclusion constraint, is test_concurrency."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_eighty_attempts_from_eight_sqlite_connections_hold_one(tmp_path):
    out = tmp_path / "race.json"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "0",
        "TONGCHOU_PLAIN_STATIC": "1",
    }
    env.pop("TONGCHOU_ENV", None)
    command = [
        sys.executable,
        "-m",
        "bench.resources",
        "--worker",
        f"--out={out}",
        "--scope=6402",
        f"--divisions={REPO / 'tongchou' / 'regions' / 'data' / 'shizuishan'}",
        "--resources=30",
        "--bookings=60",
        "--attempts=80",
        "--threads=8",
        "--repeat=1",
        "--year=2025",
        "--seed=1",
    ]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["db"] == "sqlite"
    race = result["figures"]["race"]
    assert race["outcomes"] == {"held": 1, "slot_taken": 79}, race
    assert race["held_rows"] == 1
