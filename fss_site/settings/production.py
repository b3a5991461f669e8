"""Production: secret key, hosts and base URL from the environment, HTTPS everywhere.

Every variable is listed with an example value in ``.env.example``; the optional ones for
several application servers (replica, S3, OpenSearch, Varnish) are described in
``docs/deployment.md``. Importing these settings needs neither the database nor Redis.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env_bool, env_int

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment (at least 50 characters) in production."
    )

# The public address: links in e-mail (password reset, contact requests), the API and the
# admin are built from it, never from the Host header of a request.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "").rstrip("/")
_base_url = urlsplit(WAGTAILADMIN_BASE_URL)
if _base_url.scheme != "https" or not _base_url.hostname:
    raise ImproperlyConfigured(
        "WAGTAILADMIN_BASE_URL must be set to the site's https:// address in production."
    )
if _base_url.hostname.split(".")[-2:-1] == ["example"]:
    raise ImproperlyConfigured("WAGTAILADMIN_BASE_URL must be the real address, not an example.")
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL

# HTTPS: TLS ends at the proxy, which says so in X-Forwarded-Proto (and must overwrite any
# value a client sent). Health checks stay reachable over plain HTTP for load balancers.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# A database that does not answer must fail a request (and the readiness check) quickly
# instead of holding a worker thread (the application server has no request timeout).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5)
        )
