"""gunicorn settings for fss-site: `gunicorn fss_site.wsgi:application -c deploy/gunicorn.conf.py`.

Every value can be changed through an environment variable (set in the systemd unit's
EnvironmentFile). The application sits behind Varnish and a TLS proxy; see
docs/deployment.md.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Listen on the private network only; the proxies in front are the only clients.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Workers from the CPU count: the usual 2 × cores + 1, at most 12 per server (each worker
# holds its own database connections; PostgreSQL's max_connections must cover every
# server's workers × threads).
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 12))
# Threads let a worker keep idle keep-alive connections from the proxy open.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)

# Keep-alive longer than the proxy's idle timeout for backend connections (Varnish:
# backend_idle_timeout, 60 s), so the proxy, not gunicorn, closes idle connections and
# never sends a request on a connection gunicorn is just closing.
keepalive = _int("GUNICORN_KEEPALIVE", 75)
# A request that takes longer than this is killed; the proxy answers 503. Health checks
# and page views take well under a second.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Recycle workers now and then, staggered, so slow leaks never add up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)

# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - a tmpfs, which is what gunicorn wants here

# Which addresses may set X-Forwarded-Proto/-For for gunicorn itself (Django decides the
# scheme through SECURE_PROXY_SSL_HEADER): the Varnish servers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to standard error (journald). The access log has the path without the query
# string, so search terms and tokens in links do not end up in logs.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# Limits on what a client may send in the request line and headers.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

proc_name = "fss-site"
