"""Each multi-server setting is switched on by its environment variable, and only then.

One process runs the production settings with .env.example alone (the defaults); another
with every optional variable set. Each test compares one setting between the two.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections, router
from wagtail.search.backends import get_search_backend
from wagtail.models import Page
backend = get_search_backend("default")
print(json.dumps({
    "databases": {alias: {"NAME": db["NAME"], "HOST": db["HOST"], "TEST": db.get("TEST", {}),
                          "OPTIONS": db.get("OPTIONS", {})}
                  for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "caches": settings.CACHES["default"]["BACKEND"],
    "session_engine": settings.SESSION_ENGINE,
    "storage_backend": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"].get("OPTIONS", {}),
    "storage_class": type(default_storage._wrapped).__name__ if default_storage._setup() is None
                     else None,
    "search_backend": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
    "search_class": type(backend).__module__ + "." + type(backend).__name__,
    "search_urls": settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"),
    "frontend_cache": getattr(settings, "WAGTAILFRONTENDCACHE", None),
    "frontend_cache_app": "wagtail.contrib.frontend_cache" in settings.INSTALLED_APPS,
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "admin_img_src": settings.FSS_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "retention_days": settings.FSS_CONTACT_RETENTION_DAYS,
    "allow_migrate_replica": router.allow_migrate("replica", "wagtailcore")
                             if "replica" in connections else None,
}))
"""

OPTIONAL = {
    "DATABASE_REPLICA_URL": "postgres://fss_read:hemligt@10.0.0.21:5432/fss",
    "AWS_STORAGE_BUCKET_NAME": "fss-media",
    "AWS_S3_REGION_NAME": "eu-north-1",
    "AWS_S3_CUSTOM_DOMAIN": "media.socialchefer.se",
    "FRONTEND_CACHE_URL": "http://10.0.0.11:6081, http://10.0.0.12:6081",
    "OPENSEARCH_URL": "https://search.internal:9200",
    "FSS_CONTACT_RETENTION_DAYS": "180",
    "DB_SERVER_SIDE_BINDING": "false",
}


def _env_example() -> dict[str, str]:
    variables = {}
    for raw in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name] = value
    return variables


def _settings_for(env: dict[str, str]) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def unset():
    env = _env_example()
    for name in OPTIONAL:
        env.pop(name, None)
    return _settings_for(env)


@pytest.fixture(scope="module")
def switched():
    return _settings_for({**_env_example(), **OPTIONAL})


def test_read_replica(unset, switched):
    assert set(unset["databases"]) == {"default"}
    assert unset["routers"] == []
    replica = switched["databases"]["replica"]
    assert (replica["HOST"], replica["NAME"]) == ("10.0.0.21", "fss")
    assert replica["TEST"]["MIRROR"] == "default"
    assert switched["routers"] == ["fss_site.db_router.PrimaryReplicaRouter"]
    assert switched["allow_migrate_replica"] is False


def test_prepared_statements(unset, switched):
    # On by default; off (for a pooler in transaction mode) on the primary and the replica.
    assert unset["databases"]["default"]["OPTIONS"]["server_side_binding"] is True
    for database in switched["databases"].values():
        assert "server_side_binding" not in database["OPTIONS"]
    assert set(switched["databases"]) == {"default", "replica"}


def test_redis_cache_and_sessions(unset):
    # .env.example sets REDIS_URL: shared cache and cache-backed sessions.
    assert unset["caches"] == "fss_site.cache.ResilientRedisCache"
    assert unset["session_engine"] == "django.contrib.sessions.backends.cached_db"


def test_redis_unset_means_local_cache_and_database_sessions():
    env = {k: v for k, v in _env_example().items() if k != "REDIS_URL"}
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]


def test_media_on_s3(unset, switched):
    assert unset["storage_backend"] == "django.core.files.storage.FileSystemStorage"
    assert switched["storage_backend"] == "storages.backends.s3.S3Storage"
    options = switched["storage_options"]
    assert options["bucket_name"] == "fss-media"
    assert options["region_name"] == "eu-north-1"
    assert options["custom_domain"] == "media.socialchefer.se"
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    assert unset["storage_class"] == "FileSystemStorage"
    assert switched["storage_class"] == "S3Storage"
    # Browsers may load images from the media domain, on the site and in the admin.
    assert unset["img_src"] == ["'self'", "data:"]
    assert switched["img_src"] == ["'self'", "data:", "https://media.socialchefer.se"]
    assert "https://media.socialchefer.se" in switched["admin_img_src"]


def test_opensearch(unset, switched):
    assert unset["search_backend"] == "fss_site.search_backend"
    assert switched["search_backend"] == "wagtail.search.backends.opensearch2"
    assert switched["search_urls"] == ["https://search.internal:9200"]
    # The backend loads, i.e. its client library is installed.
    assert switched["search_class"].endswith("OpenSearch2SearchBackend")


def test_frontend_cache(unset, switched):
    assert unset["frontend_cache"] is None
    assert unset["frontend_cache_app"] is False
    assert switched["frontend_cache_app"] is True
    assert switched["frontend_cache"] == {
        "varnish1": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://10.0.0.11:6081",
        },
        "varnish2": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://10.0.0.12:6081",
        },
    }


def test_contact_retention_days(unset, switched):
    assert unset["retention_days"] == 365
    assert switched["retention_days"] == 180
