"""Settings are read from the environment; check the rules in fresh interpreters."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import newsroom.settings in a clean process and print selected values."""
    environment = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": os.devnull,
        "DATA_DIR": env.pop("DATA_DIR", "/tmp/newsroom-settings-test"),
        **env,
    }
    code = (
        "import json; from newsroom import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default'], "
        "'cache': s.CACHES['default'], 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, "
        "'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


STRONG_KEY = "kT3v9-QwZ7pL2mN8xR4sB6yH1jF5cD0gA_uE" + "x" * 20


@pytest.mark.parametrize(
    "key", ["changeme", "x" * 60, "django-insecure-" + "a1b2c3d4e5" * 5, "short-but-mixed-9"]
)
def test_a_weak_secret_key_with_debug_off_is_refused(key):
    result = load_settings(SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    import json

    result = load_settings(SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["ssl"] is True  # production defaults are the safe ones


def test_debug_allows_development_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_defaults_are_sqlite_and_local_memory(tmp_path):
    import json

    values = json.loads(load_settings(DEBUG="1", DATA_DIR=str(tmp_path)).stdout)
    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["NAME"] == str(tmp_path / "db.sqlite3")
    assert values["cache"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    ("url", "engine"),
    [("postgres://u:p@127.0.0.1:5432/news", "django.db.backends.postgresql")],
)
def test_database_url(url, engine):
    import json

    values = json.loads(load_settings(DEBUG="1", DATABASE_URL=url).stdout)
    assert values["db"]["ENGINE"] == engine
    assert values["db"]["NAME"] == "news"
    assert values["db"]["CONN_MAX_AGE"] == 600
    assert values["db"]["CONN_HEALTH_CHECKS"] is True


def test_redis_cache_url_uses_djangos_backend():
    import json

    values = json.loads(load_settings(DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/0").stdout)
    assert values["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["cache"]["LOCATION"] == "redis://127.0.0.1:6379/0"


def test_lists_and_switches():
    import json

    values = json.loads(
        load_settings(
            SECRET_KEY=STRONG_KEY,
            ALLOWED_HOSTS="news.example.org,www.news.example.org",
            TIME_ZONE="Asia/Singapore",
            SECURE_HSTS_SECONDS="3600",
            SECURE_SSL_REDIRECT="0",
        ).stdout
    )
    assert values["hosts"] == ["news.example.org", "www.news.example.org"]
    assert values["tz"] == "Asia/Singapore"
    assert values["hsts"] == 3600
    assert values["ssl"] is False
