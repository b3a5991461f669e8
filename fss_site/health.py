"""Health endpoints for load balancers and orchestration.

* ``/health/live/``: the process answers. Touches nothing else: no database, no cache, so a
  database outage never makes a supervisor restart healthy workers.
* ``/health/ready/``: the server can serve pages: every configured database answers
  ``SELECT 1`` (else 503). The cache (Redis) is optional: when it does not answer, the
  site still works (rate limits fail open, sessions fall back to the database), so the
  answer is 200 with ``"cache": "degraded"``.

Both answer JSON, are never cached and are exempt from the HTTPS redirect
(``SECURE_REDIRECT_EXEMPT``), so a load balancer can probe the servers over plain HTTP.
No error details are given out; they are logged.
"""

import logging
import uuid

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("fss_site.health")

OK = "ok"
ERROR = "error"
DEGRADED = "degraded"


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": OK})


def _check_database(alias: str) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not ready"; the reason goes to the log
        logger.exception("Health check: database %r does not answer", alias)
        # Do not keep a broken connection for the next request.
        connections[alias].close_if_unusable_or_obsolete()
        return ERROR
    return OK


def _check_cache() -> str:
    key = f"fss:health:{uuid.uuid4().hex}"
    try:
        cache = caches["default"]
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.warning("Health check: the cache does not answer", exc_info=True)
        return DEGRADED
    return OK if value == "1" else DEGRADED


@never_cache
@require_safe
def ready(request):
    checks = {}
    for alias in connections:
        checks["database" if alias == "default" else f"database_{alias}"] = _check_database(alias)
    checks["cache"] = _check_cache()
    ready_ = all(value != ERROR for value in checks.values())
    if not ready_:
        status = ERROR
    elif DEGRADED in checks.values():
        status = DEGRADED
    else:
        status = OK
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready_ else 503)
