"""The production settings with exactly the variables of .env.example.

Every test runs a fresh Python process whose environment holds the parsed .env.example
and nothing else (not even PATH), so a variable production needs but the example lacks,
or a check that needs a database or Redis, shows up here.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"


def parse_env_file(path: Path) -> dict[str, str]:
    variables = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number}: no '='"
        assert name == name.strip() and name.isidentifier(), f"{path.name}:{number}: {name!r}"
        assert name not in variables, f"{path.name}:{number}: {name} twice"
        variables[name] = value
    return variables


EXAMPLE = parse_env_file(ENV_EXAMPLE)


def run(args, env):
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_check_deploy_is_clean_with_env_example_alone():
    assert EXAMPLE["DJANGO_SETTINGS_MODULE"] == "fss_site.settings.production"
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], EXAMPLE)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_example_points_nowhere_real_and_base_url_is_not_an_example():
    assert EXAMPLE["WAGTAILADMIN_BASE_URL"].startswith("https://")
    assert "example." not in EXAMPLE["WAGTAILADMIN_BASE_URL"]
    assert len(EXAMPLE["SECRET_KEY"]) >= 50
    assert "change-me" in EXAMPLE["SECRET_KEY"]


# Imports the settings and exercises the middleware without a database or Redis: the
# database in .env.example (user fss) does not exist here, and nothing listens on the
# Redis port below.
HTTP_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
host = {"HTTP_HOST": "www.socialchefer.se"}
plain = c.get("/sok/", **host)
probe = c.get("/health/live/", **host)
https = c.get("/health/live/", HTTP_X_FORWARDED_PROTO="https", **host)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "probe": probe.status_code,
    "hsts": https.get("Strict-Transport-Security"),
    "frame": https.get("X-Frame-Options"),
    "nosniff": https.get("X-Content-Type-Options"),
    "settings": {
        name: getattr(settings, name)
        for name in [
            "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_HTTPONLY", "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT",
            "WAGTAILADMIN_BASE_URL", "WAGTAILAPI_BASE_URL", "SESSION_ENGINE",
            "FSS_CONTACT_RETENTION_DAYS", "AXES_IPWARE_PROXY_COUNT",
            "AXES_IPWARE_META_PRECEDENCE_ORDER", "FSS_CONTACT_PROXY_COUNT",
        ]
    },
    "connect_timeout": settings.DATABASES["default"]["OPTIONS"].get("connect_timeout"),
}, default=list))
"""


@pytest.fixture(scope="module")
def production():
    env = {**EXAMPLE, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = run(["-c", HTTP_SCRIPT], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_http_is_redirected_but_probes_are_not(production):
    assert production["plain"] == [301, "https://www.socialchefer.se/sok/"]
    assert production["probe"] == 200


def test_https_responses_carry_hsts_and_the_other_headers(production):
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert production["frame"] == "DENY"
    assert production["nosniff"] == "nosniff"


def test_cookies_proxy_and_base_url(production):
    settings = production["settings"]
    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["CSRF_COOKIE_SECURE"] and settings["CSRF_COOKIE_HTTPONLY"]
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["SECURE_REDIRECT_EXEMPT"] == ["^health/"]
    assert settings["WAGTAILADMIN_BASE_URL"] == "https://www.socialchefer.se"
    assert settings["WAGTAILAPI_BASE_URL"] == "https://www.socialchefer.se"
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert settings["FSS_CONTACT_RETENTION_DAYS"] == 365
    assert production["connect_timeout"] == 5


def test_client_address_comes_from_the_proxies(production):
    settings = production["settings"]
    assert settings["FSS_CONTACT_PROXY_COUNT"] == 2
    assert settings["AXES_IPWARE_PROXY_COUNT"] == 1
    assert settings["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": "kort"}, "SECRET_KEY"),
        ({"WAGTAILADMIN_BASE_URL": ""}, "WAGTAILADMIN_BASE_URL"),
        ({"WAGTAILADMIN_BASE_URL": "https://www.example.com"}, "WAGTAILADMIN_BASE_URL"),
        ({"WAGTAILADMIN_BASE_URL": "http://www.socialchefer.se"}, "WAGTAILADMIN_BASE_URL"),
    ],
)
def test_production_refuses_to_start_without_secret_or_real_base_url(override, message):
    result = run(["manage.py", "check"], {**EXAMPLE, **override})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
