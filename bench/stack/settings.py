"""Settings for the benchmark stack: production settings on localhost, plus the page cache.

Everything production needs comes from the environment (``deploy/run-stack.sh`` and
``bench/pages.py`` set it). What this module adds is what the project settings are to
get as well: the page-cache middleware in its place and the Redis backend that survives
Redis being away. ``FSS_PAGE_CACHE=0`` switches the application cache off (the
benchmark's "uncached" server).
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("WAGTAILADMIN_BASE_URL", "https://www.socialchefer.se")

from fss_site.settings.production import *  # noqa: E402, F403
from fss_site.settings.production import CACHES, MIDDLEWARE  # noqa: E402

PAGE_CACHE_MIDDLEWARE = "fss_site.cache.PageCacheMiddleware"
if PAGE_CACHE_MIDDLEWARE not in MIDDLEWARE:
    MIDDLEWARE = list(MIDDLEWARE)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        PAGE_CACHE_MIDDLEWARE,
    )
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "fss_site.cache.ResilientRedisCache"

FSS_PAGE_CACHE_ENABLED = os.environ.get("FSS_PAGE_CACHE", "1") != "0"
# The benchmark reaches the servers over plain HTTP on the loopback interface.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
