"""Production refuses to start with demo secrets; the demo runs with none set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "x" * 50
STRONG_DATA_KEY = "c3Ryb25nLWRhdGEta2V5LWZvci10ZXN0cy0wMTIzNDU="


def _start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TONGCHOU_DATA_KEY"}}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_demo_starts_without_any_setting():
    assert _start(TONGCHOU_ENV="demo").returncode == 0


def test_production_refuses_the_demo_secret_key():
    result = _start(TONGCHOU_ENV="production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_demo_data_key():
    result = _start(TONGCHOU_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "TONGCHOU_DATA_KEY" in result.stderr


def test_production_starts_with_real_secrets():
    result = _start(
        TONGCHOU_ENV="production",
        SECRET_KEY=STRONG_KEY,
        TONGCHOU_DATA_KEY=STRONG_DATA_KEY,
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
