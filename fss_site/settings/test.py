"""Test settings: fast hashing, local-memory cache, plain static files, outbox e-mail.

DATABASE_URL picks the database, so the same suite runs on SQLite and PostgreSQL.
"""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fss-test",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WAGTAILADMIN_BASE_URL = "http://testserver"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Django's test client logs in without a request, which django-axes refuses; the lock-out
# tests switch it on with the `settings` fixture.
AXES_ENABLED = False
# Tests change content inside transactions that never commit, and the page cache is
# invalidated on commit; the page cache's own tests (tests/test_cache*.py) switch it on.
FSS_PAGE_CACHE_ENABLED = False
