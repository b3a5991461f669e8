"""Health endpoints: liveness without dependencies, readiness on the database only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache.backends.locmem import LocMemCache

ROOT = Path(__file__).resolve().parent.parent


class CountingCache(LocMemCache):
    """A real local-memory cache that counts how often it is used."""

    calls = 0

    def __getattribute__(self, name):
        if name in {"get", "set", "add", "delete", "incr", "get_many", "set_many", "has_key"}:
            type(self).calls += 1
        return super().__getattribute__(name)


@pytest.fixture
def counting_cache(settings):
    CountingCache.calls = 0
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.CountingCache", "LOCATION": "health"}}
    return CountingCache


def test_live_touches_neither_database_nor_cache(
    client, db, counting_cache, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert counting_cache.calls == 0
    assert "no-cache" in response["Cache-Control"]


def test_ready_checks_database_and_cache(client, db, counting_cache):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert counting_cache.calls > 0
    assert "no-cache" in response["Cache-Control"]


def test_ready_is_200_but_degraded_when_redis_is_down(client, db, settings):
    # A Redis that does not answer: nothing listens on port 1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "degraded"},
    }


def test_ready_is_200_with_a_working_redis(client, db, settings):
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    from django.core.cache import cache

    try:
        cache.set("fss:health:probe", 1, 5)
    except Exception:
        pytest.skip("Redis kör inte här")
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"


def test_only_safe_methods(client, db):
    assert client.post("/health/live/").status_code == 405
    assert client.post("/health/ready/").status_code == 405


def _run_with_database(database_url: str) -> dict:
    """Ask /health/ in a fresh process whose database is DATABASE_URL."""
    script = (
        "import json, django; django.setup();"
        "from django.test import Client; c = Client();"
        "live = c.get('/health/live/'); ready = c.get('/health/ready/');"
        "print(json.dumps({'live': [live.status_code, live.json()],"
        " 'ready': [ready.status_code, ready.json()]}))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "fss_site.settings.test",
        "DATABASE_URL": database_url,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "database_url",
    [
        # Nothing listens on port 1: the connection is refused at once.
        "postgres://postgres@127.0.0.1:1/fss_none",
        # A directory that does not exist: SQLite cannot open the file.
        "sqlite:////nonexistent-directory/fss.sqlite3",
    ],
)
def test_ready_is_503_with_json_when_the_database_is_unreachable(database_url):
    answers = _run_with_database(database_url)
    assert answers["live"] == [200, {"status": "ok"}]
    status, body = answers["ready"]
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error"
    assert body["checks"]["cache"] == "ok"
