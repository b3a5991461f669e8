"""The page cache: rendered public responses in the shared cache, invalidated at once.

How it works
------------
* :class:`PageCacheMiddleware` keeps anonymous GET/HEAD responses (pages, listings, topic
  pages, feeds, iCalendar, the sitemap, search results) in the "default" cache (Redis when
  ``REDIS_URL`` is set). Each entry remembers the **generation** it was rendered in.
* The generation is a random token stored under one key. Every change that can show up on
  a public page (publish, unpublish, move or delete of a page; save or delete of a topic,
  category, organisation, tag, image, document, redirect, view restriction, the site
  settings or the site) replaces the token once the transaction commits
  (:func:`bump_generation`). Every cached entry is then stale at once, on every server,
  without knowing which listing, feed or topic page shows what changed.
* The same commit sends a BAN to each Varnish in front (``FSS_CACHE_BAN_URLS``, by default
  the ``LOCATION`` of every ``HTTPBackend`` in ``WAGTAILFRONTENDCACHE``), so the HTTP
  cache drops its copies too. Failures are logged, never raised into the editor's request.
* Requests with a session cookie (logged-in editors), the admin and previews, POSTs,
  requests with unknown query parameters, and responses that set a cookie, say
  ``private``/``no-store``/``no-cache`` (the contact form with its CSRF token) or vary on
  anything but the cookie and the language are never stored. They are sent with
  ``Cache-Control: private, no-store``; cacheable ones with ``public, max-age, s-maxage``.
* :class:`PageCacheWSGI` (``fss_site.wsgi.application``) answers hits in front of
  Django, before a request object or any middleware exists: at most one Redis round trip
  (none for the hot pages while the process follows the generation) and the
  stored bytes. The middleware inside still decides what may be stored.
* :func:`cached_per_generation` keeps other expensive values (aggregates behind listings)
  until the next change, with the same invalidation.
* A cache that does not answer (Redis stopped) never breaks a page: the error is logged
  once and the page is rendered as if nothing were cached. :class:`ResilientRedisCache` is
  a Redis backend that behaves that way for every user of the cache (Wagtail's site root
  paths and image renditions included).

Settings (all optional): ``FSS_PAGE_CACHE_ENABLED`` (True), ``FSS_PAGE_CACHE_ALIAS``
("default"), ``FSS_PAGE_CACHE_TIMEOUT`` (seconds an entry lives, 300; time-based content
such as "upcoming events" is at most this old), ``FSS_PAGE_CACHE_MAX_AGE`` (browsers, 60),
``FSS_PAGE_CACHE_S_MAXAGE`` (shared caches, 300), ``FSS_PAGE_CACHE_MAX_BYTES`` (4 MiB),
``FSS_PAGE_CACHE_QUERY_PARAMS``, ``FSS_PAGE_CACHE_EXCLUDE_PATHS``, ``FSS_CACHE_BAN_URLS``,
``FSS_CACHE_BAN_TIMEOUT`` (1 s).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.client
import logging
import os
import pickle
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.utils.encoding import repercent_broken_unicode
from django.utils.http import quote_etag

logger = logging.getLogger("fss_site.cache")

GENERATION_KEY = "fss:pagecache:generation"
ENTRY_PREFIX = "fss:page:"
WSGI_PREFIX = "fss:wsgi:"
# Addresses whose cache key each process remembers, and their longest (see _address_key).
ADDRESS_KEYS = 4096
ADDRESS_KEY_LENGTH = 512
# Set in the WSGI environ by PageCacheWSGI: the outer layer looks up and stores.
OUTER_LAYER = "fss.page_cache.outer"

DEFAULT_QUERY_PARAMS = ("page", "q", "typ", "amne", "region", "dag")
DEFAULT_EXCLUDE_PATHS = ("/admin/", "/documents/", "/health/", "/django-admin/")
# Cookies whose presence means the page may differ for this visitor.
PERSONAL_COOKIES = ("messages",)
# Vary values that do not split anonymous visitors: the site has one language, and
# anonymous requests are recognised by having no session cookie at all.
HARMLESS_VARY = frozenset({"cookie", "accept-language"})
# Headers that belong to one response only, or that outer middleware adds afresh.
UNSTORED_HEADERS = frozenset(
    {
        "set-cookie",
        "content-security-policy",
        "content-security-policy-report-only",
        "x-cache",
        "age",
        "date",
        "connection",
        "keep-alive",
        "transfer-encoding",
    }
)
# The WSGI layer keeps the policy (it is added outside Django's view of the response).
WSGI_UNSTORED_HEADERS = (UNSTORED_HEADERS | {"etag"}) - {
    "content-security-policy",
    "content-security-policy-report-only",
}
_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")
CSP_ATTRIBUTES = (
    "_csp_exempt",
    "_csp_exempt_ro",
    "_csp_config",
    "_csp_config_ro",
    "_csp_update",
    "_csp_update_ro",
    "_csp_replace",
    "_csp_replace_ro",
)


_settings_cache: dict = {}
_MISSING = object()


def _setting(name: str, default):
    """A setting, remembered per process (every request reads a dozen of them)."""
    value = _settings_cache.get(name, _MISSING)
    if value is _MISSING:
        value = _settings_cache[name] = getattr(settings, name, default)
    return value


def _forget_settings(**kwargs):
    _settings_cache.clear()
    _admin_prefix_cache.clear()
    _remembered_address_key.cache_clear()


setting_changed.connect(_forget_settings, dispatch_uid="fss-page-cache-settings")


def page_cache():
    return caches[_setting("FSS_PAGE_CACHE_ALIAS", "default")]


class _Outage:
    """Logs a cache outage once, and its end once, per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down = False

    def failed(self, what: str, exc: BaseException) -> None:
        with self._lock:
            first = not self.down
            self.down = True
        if first:
            logger.warning(
                "Cachen svarar inte (%s: %s); sidor visas utan cache tills den svarar igen.",
                what,
                exc.__class__.__name__,
            )

    def succeeded(self) -> None:
        if self.down:
            with self._lock:
                was_down, self.down = self.down, False
            if was_down:
                logger.warning("Cachen svarar igen.")


_outage = _Outage()


# -- the generation ---------------------------------------------------------------------


def _new_token() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def known_generation(cache) -> str | None:
    """The generation this process was told of through Redis pub/sub, or None.

    With a :class:`ResilientRedisCache`, a thread per process follows every new
    generation (see :class:`GenerationWatcher`), so a cache hit needs no round trip for
    it. None means ask the cache (local memory, or the watcher not connected).
    """
    watcher = getattr(cache, "generation_watcher", None)
    return watcher.current() if watcher is not None else None


def current_generation(cache=None) -> str:
    """The current generation token (created when missing). Raises if the cache is down."""
    cache = cache or page_cache()
    token = known_generation(cache)
    if token is not None:
        return token
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = _new_token()
        if not cache.add(GENERATION_KEY, token, timeout=None):
            token = cache.get(GENERATION_KEY) or token
    return token


_pending = threading.local()
_retry_lock = threading.Lock()
_retry_bump = False


def _set_new_generation() -> bool:
    """Replace the token; True when the cache took it."""
    cache = page_cache()
    token = _new_token()
    watcher = getattr(cache, "generation_watcher", None)
    try:
        cache.set(GENERATION_KEY, token, timeout=None)
        # A resilient backend swallows errors; reading back tells whether it worked.
        ok = cache.get(GENERATION_KEY) == token
    except Exception as exc:  # the cache is down: retried by the next request
        _outage.failed("ny generation", exc)
        ok = False
    if watcher is not None:
        if ok:
            watcher.announce(token)  # this process at once, the others through Redis
        else:
            watcher.forget()
    return ok


def _after_commit() -> None:
    global _retry_bump
    if _set_new_generation():
        with _retry_lock:
            _retry_bump = False
    else:
        with _retry_lock:
            _retry_bump = True
        logger.error("Sidcachen kunde inte tömmas efter en ändring; försöker igen vid nästa anrop.")
    ban_frontend_caches()


def retry_failed_bump() -> None:
    """Bump now if an earlier bump in this process did not reach the cache."""
    global _retry_bump
    if not _retry_bump:
        return
    if _set_new_generation():
        with _retry_lock:
            _retry_bump = False
        logger.warning("Sidcachen tömdes i efterhand.")


_MAX_PENDING_VALUES = 1000


class _Bump:
    """One pending invalidation, run when the transaction that registered it commits."""

    def __init__(self):
        self.done = False
        # What cached_per_generation computed in this transaction: its own view.
        self.values: dict = {}

    def __call__(self):
        self.done = True
        _after_commit()


def _pending_bump(using: str = DEFAULT_DB_ALIAS) -> _Bump | None:
    """The invalidation of the current transaction, if it has changed content that is
    not committed yet (it runs when the transaction commits, and not if it rolls back)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    pending = getattr(_pending, "bump", None)
    if (
        pending is not None
        and not pending.done
        and any(func is pending for _sids, func, _robust in connection.run_on_commit)
    ):
        return pending
    return None


def bump_generation(reason: str = "", using: str = DEFAULT_DB_ALIAS) -> None:
    """Make every cached page stale once the current transaction commits.

    Called from signal handlers; many changes in one transaction (a page tree deleted,
    an import) cause one bump and one BAN. Outside a transaction it happens at once.
    """
    if reason:
        logger.debug("Sidcachen töms: %s", reason)
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _after_commit()
        return
    if _pending_bump(using) is not None:
        return  # this transaction already invalidates when it commits
    _pending.bump = _Bump()
    transaction.on_commit(_pending.bump, using=using)


def generation_and_entry(cache, key: str) -> tuple[str, object]:
    """The current generation and what is stored under ``key``: one round trip, or none
    for the generation when this process follows it (:func:`known_generation`).
    Raises if the cache is down."""
    generation = known_generation(cache)
    if generation is not None:
        return generation, cache.get(key)
    found = cache.get_many([GENERATION_KEY, key])
    return found.get(GENERATION_KEY) or current_generation(cache), found.get(key)


def cached_per_generation(name: str, factory, timeout: int | None = None):
    """``factory()``, computed once per generation and shared by every process.

    For aggregates that change only when content changes (a listing's filter links, a
    count over all posts): after any change the next call computes it afresh. The value
    is stored under the generation read *before* computing, so a value computed while a
    change commits is never taken for the new state. A cache that does not answer means
    computing every time. A transaction that has changed content and not committed sees
    its own changes, which may yet be rolled back: what it computes is kept for that
    transaction only, and what is stored for everybody is not its view.
    """
    pending = _pending_bump()
    if pending is not None:
        if name not in pending.values:
            if len(pending.values) >= _MAX_PENDING_VALUES:  # a long import, say
                pending.values.clear()
            pending.values[name] = factory()
        return pending.values[name]
    cache = page_cache()
    key = f"fss:gen:{name}"
    timeout = timeout or _setting("FSS_PAGE_CACHE_TIMEOUT", 300)
    known = known_generation(cache)
    if known is not None:
        found, value = _local_values.get(key, known)
        if found:
            return value
    try:
        generation, stored = generation_and_entry(cache, key)
    except Exception as exc:
        _outage.failed("läsning", exc)
        return factory()
    if stored is not None and stored[0] == generation:
        if known is not None:
            _local_values.put(key, generation, stored[1], timeout)
        return stored[1]
    value = factory()
    try:
        cache.set(key, (generation, value), timeout)
    except Exception as exc:
        _outage.failed("skrivning", exc)
    else:
        if known is not None:
            _local_values.put(key, generation, value, timeout)
    return value


class LocalValues:
    """The values of :func:`cached_per_generation` for the current generation, kept in
    this process too, so that reading one costs no Redis round trip.

    Used only while this process follows the generation (:func:`known_generation`); an
    entry of another generation is never returned, and a new generation empties the
    store. Values are kept pickled and unpickled on every read: each caller gets its own
    objects (model instances are changed by the code that uses them), as from Redis.
    Entries expire with the timeout they were stored with in Redis. At most
    ``max_entries``; when full, the store starts again empty.
    """

    def __init__(self, max_entries: int = 1000):
        self.max_entries = max_entries
        self._entries: dict[str, tuple[bytes, float]] = {}
        self._generation = None
        self._lock = threading.Lock()

    def get(self, key: str, generation: str) -> tuple[bool, object]:
        if generation != self._generation:
            return False, None
        entry = self._entries.get(key)
        if entry is None or entry[1] < time.monotonic():
            return False, None
        return True, pickle.loads(entry[0])  # noqa: S301  # nosec B301 - pickled here

    def put(self, key: str, generation: str, value, timeout: int) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if generation != self._generation or len(self._entries) >= self.max_entries:
                self._entries = {}
                self._generation = generation
            self._entries[key] = (data, time.monotonic() + timeout)


_local_values = LocalValues()


# -- Varnish ----------------------------------------------------------------------------


def ban_urls() -> list[str]:
    """The HTTP caches to send BAN to: FSS_CACHE_BAN_URLS, else Wagtail's HTTP backends."""
    explicit = _setting("FSS_CACHE_BAN_URLS", None)
    if explicit is not None:
        return list(explicit)
    urls = []
    for backend in (_setting("WAGTAILFRONTENDCACHE", None) or {}).values():
        is_http = backend.get("BACKEND", "").endswith("frontend_cache.backends.HTTPBackend")
        if is_http and backend.get("LOCATION"):
            urls.append(backend["LOCATION"])
    return urls


def send_ban(url: str, timeout: float) -> int:
    """BAN every cached page on one Varnish; the HTTP status."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("BAN", "/", headers={"X-Ban-Url": "^/", "Content-Length": "0"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def ban_frontend_caches() -> None:
    """Tell every Varnish to drop its cached pages. Logs failures; never raises."""
    timeout = float(_setting("FSS_CACHE_BAN_TIMEOUT", 1.0))
    for url in ban_urls():
        try:
            status = send_ban(url, timeout)
        except Exception as exc:  # network errors of any kind: the editor's work is saved
            logger.warning("BAN till %s misslyckades: %s", url, exc.__class__.__name__)
            continue
        if status >= 300:
            logger.warning("BAN till %s gav svar %s", url, status)


# -- what is cacheable ------------------------------------------------------------------


_admin_prefix_cache: dict = {}


def _admin_prefix() -> str | None:
    if "prefix" not in _admin_prefix_cache:
        from fss_site.security import admin_path_prefix

        _admin_prefix_cache["prefix"] = admin_path_prefix()
    return _admin_prefix_cache["prefix"]


def _request_bypass(method: str, cookies, has_authorization: bool) -> str:
    """What in the request itself keeps it from the cache (its method, a cookie)."""
    if method not in ("GET", "HEAD"):
        return "method"
    if settings.SESSION_COOKIE_NAME in cookies:
        return "session"
    if any(name in cookies for name in PERSONAL_COOKIES):
        return "cookie"
    if has_authorization:
        return "authorization"
    return ""


def _address_bypass(path: str, query_names) -> str:
    """What in the address keeps a request from the cache (its path, its parameters)."""
    excluded = tuple(_setting("FSS_PAGE_CACHE_EXCLUDE_PATHS", DEFAULT_EXCLUDE_PATHS))
    admin = _admin_prefix()
    if path.startswith(excluded) or (admin and path.startswith(admin)):
        return "path"
    allowed = set(_setting("FSS_PAGE_CACHE_QUERY_PARAMS", DEFAULT_QUERY_PARAMS))
    if any(name not in allowed for name in query_names):
        return "query"
    return ""


def _bypass(method: str, path: str, cookies, has_authorization: bool, query_names) -> str:
    return _request_bypass(method, cookies, has_authorization) or _address_bypass(path, query_names)


def bypass_reason(request) -> str:
    """Why this request must not use the page cache ("" when it may)."""
    if getattr(request, "is_preview", False) or getattr(request, "is_dummy", False):
        return "preview"
    return _bypass(
        request.method,
        request.path,
        request.COOKIES,
        "HTTP_AUTHORIZATION" in request.META,
        list(request.GET),
    )


def _key(prefix: str, scheme: str, host: str, path: str, pairs) -> str:
    query = urlencode(sorted(pairs))
    address = f"{scheme}://{host}{path}?{query}"
    return prefix + hashlib.sha256(address.encode("utf-8")).hexdigest()[:40]


def entry_key(request) -> str:
    pairs = [(k, v) for k, vs in request.GET.lists() for v in vs]
    return _key(ENTRY_PREFIX, request.scheme, request.get_host(), request.path, pairs)


def _cache_control_tokens(response) -> set[str]:
    value = response.get("Cache-Control", "")
    return {part.strip().split("=")[0].lower() for part in value.split(",") if part.strip()}


def uses_nonce(request, response) -> bool:
    """Whether the page carries the request's CSP nonce (an inline script or style).

    Such a page is never shared: a copy would hand every visitor the same nonce, and the
    nonce would no longer be a secret of one response. Pages without one are shared, and
    every copy served gets a fresh, unused nonce in its policy.
    """
    nonce = getattr(request, "_csp_nonce", None)
    if not isinstance(nonce, str) or not nonce or response.streaming:
        return False
    return nonce.encode("ascii") in response.content


def storable(response, request=None) -> bool:
    """Whether a response may be kept for every anonymous visitor."""
    if response.status_code != 200 or response.streaming:
        return False
    if request is not None and uses_nonce(request, response):
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if _cache_control_tokens(response) & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - HARMLESS_VARY:
        return False
    return len(response.content) <= int(_setting("FSS_PAGE_CACHE_MAX_BYTES", 4 * 1024 * 1024))


def mark_public(response, age: int = 0) -> None:
    max_age = int(_setting("FSS_PAGE_CACHE_MAX_AGE", 60))
    s_maxage = int(_setting("FSS_PAGE_CACHE_S_MAXAGE", 300))
    response["Cache-Control"] = f"public, max-age={max_age}, s-maxage={s_maxage}"
    if age:
        response["Age"] = str(age)


def mark_private(response) -> None:
    if "no-store" not in _cache_control_tokens(response):
        response["Cache-Control"] = "private, no-store"


def _entry(response, generation: str) -> dict:
    content = response.content
    return {
        "generation": generation,
        "status": response.status_code,
        "headers": [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in UNSTORED_HEADERS
        ],
        "content": content,
        "etag": quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest()),
        "stored": int(time.time()),
        "csp": {n: getattr(response, n) for n in CSP_ATTRIBUTES if hasattr(response, n)},
    }


def _response_from(entry: dict, request):
    age = max(0, int(time.time()) - entry["stored"])
    if entry["etag"] in _if_none_match(request):
        response = HttpResponseNotModified()
        for name, value in entry["headers"]:
            if name.lower() in {"vary", "content-language", "x-frame-options"}:
                response[name] = value
    else:
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
    response["ETag"] = entry["etag"]
    for name, value in entry["csp"].items():
        setattr(response, name, value)
    mark_public(response, age=age)
    response["X-Cache"] = "HIT"
    return response


def _if_none_match(request) -> set[str]:
    raw = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {tag.strip().removeprefix("W/") for tag in raw.split(",") if tag.strip()}


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD responses from the page cache, and fill it.

    Place it after WhiteNoise and the security and CSP middleware (they add their headers
    to cached responses too) and before the session middleware (a cache hit then touches
    neither sessions nor the database).
    """

    def __init__(self, get_response):
        # The invalidation handlers are connected by FssSiteConfig.ready().
        self.get_response = get_response

    def __call__(self, request):
        if not _setting("FSS_PAGE_CACHE_ENABLED", True):
            return self._uncached(request, "disabled")
        reason = bypass_reason(request)
        if reason:
            return self._uncached(request, reason)
        if request.META.get(OUTER_LAYER):
            # PageCacheWSGI in front looks up and stores; here only the decision.
            response = self.get_response(request)
            if storable(response, request):
                mark_public(response)
                response["X-Cache"] = "MISS"
            else:
                mark_private(response)
                response["X-Cache"] = "BYPASS"
            return response
        cache = page_cache()
        retry_failed_bump()
        key = entry_key(request)
        generation = entry = None
        try:
            generation, entry = generation_and_entry(cache, key)
            _outage.succeeded()
        except Exception as exc:  # cache down: render as if nothing were cached
            _outage.failed("läsning", exc)
        if entry is not None and generation is not None and entry["generation"] == generation:
            return _response_from(entry, request)

        response = self.get_response(request)
        if not storable(response, request):
            mark_private(response)
            response["X-Cache"] = "BYPASS"
            return response
        if generation is not None:
            stored = _entry(response, generation)
            try:
                cache.set(key, stored, timeout=int(_setting("FSS_PAGE_CACHE_TIMEOUT", 300)))
            except Exception as exc:
                _outage.failed("skrivning", exc)
            response["ETag"] = stored["etag"]
        mark_public(response)
        response["X-Cache"] = "MISS"
        return response

    def _uncached(self, request, reason):
        response = self.get_response(request)
        if reason in {"disabled", "query"} and storable(response, request):
            mark_public(response)
        else:
            mark_private(response)
        response["X-Cache"] = "BYPASS"
        return response


# -- the same cache in front of Django: hits without Django's request machinery --------


class LocalCopies:
    """The most used entries of the current generation, kept in this process as well.

    Used only while the generation is known without asking Redis (the watcher is
    connected); a new generation empties it. Bounded in entries and bytes; the oldest
    entries go first. Entries expire with the cache's timeout as in Redis.
    """

    def __init__(self, max_entries: int = 2000, max_bytes: int = 64 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: dict[str, dict] = {}
        self._bytes = 0
        self._generation = None
        self._lock = threading.Lock()

    def get(self, key: str, generation: str):
        entry = self._entries.get(key)
        if entry is None or entry["generation"] != generation:
            return None
        if time.time() - entry["stored"] > int(_setting("FSS_PAGE_CACHE_TIMEOUT", 300)):
            return None
        return entry

    def put(self, key: str, entry: dict) -> None:
        size = len(entry["content"])
        with self._lock:
            if entry["generation"] != self._generation:
                self._entries.clear()
                self._bytes = 0
                self._generation = entry["generation"]
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old["content"])
            while self._entries and (
                len(self._entries) >= self.max_entries or self._bytes + size > self.max_bytes
            ):
                oldest = next(iter(self._entries))
                self._bytes -= len(self._entries.pop(oldest)["content"])
            if size <= self.max_bytes:
                self._entries[key] = entry
                self._bytes += size


class GenerationWatcher:
    """This process's copy of the generation token, kept current through Redis pub/sub.

    A daemon thread (started on first use in each process, so after a server forks its
    workers) subscribes to the generation's channel, then reads the token; every process
    that sets a new token publishes it there. The process that makes a change takes the
    new token at once (:meth:`announce`); the others within the time a message takes on
    the network. While the subscription is not established or has failed (a ping every
    ``CHECK_SECONDS`` finds a Redis that hangs), :meth:`current` returns None and callers
    read the token from Redis on each request.

    The channel is named after the key prefix *and* the Redis database: Redis has one set
    of channels for all its databases, and a site on another database of the same server
    (a staging copy) has its own generation. A process has one watcher per channel
    (:meth:`shared`), whichever thread asks: Django gives each thread its own cache
    object, and threads that disagreed on the generation would throw away each other's
    values kept in the process (``LocalValues`` holds one generation), while each thread a
    server starts anew would leave a watcher thread behind.
    """

    RECONNECT_SECONDS = 1.0
    CHECK_SECONDS = 2.0

    _shared: dict[tuple[str, str], GenerationWatcher] = {}
    _shared_lock = threading.Lock()

    def __init__(self, cache):
        self.cache = cache
        self.location, self.channel = self._address(cache)
        self._token = None
        self._pid = None
        self._lock = threading.Lock()

    @staticmethod
    def _address(cache) -> tuple[str, str]:
        """The cache's Redis server and the generation's channel on it."""
        import redis

        location = cache._cache._servers[0]
        # As redis-py reads it: the URL's database, else the one in OPTIONS, else 0.
        options = getattr(cache._cache, "_pool_options", {})
        database = redis.ConnectionPool.from_url(location, **options).connection_kwargs
        return location, f"{cache.make_key(GENERATION_KEY)}:channel:{database.get('db', 0)}"

    @classmethod
    def shared(cls, cache) -> GenerationWatcher:
        """The watcher of this process for the cache's server, database and prefix."""
        key = cls._address(cache)
        with cls._shared_lock:
            watcher = cls._shared.get(key)
            if watcher is None:
                watcher = cls._shared[key] = cls(cache)
            return watcher

    def current(self) -> str | None:
        if self._pid != os.getpid():
            self._start()
        return self._token

    def announce(self, token: str) -> None:
        self._token = token
        try:
            self.cache._cache.get_client(write=True).publish(self.channel, token)
        except Exception as exc:  # the others fall back to reading Redis
            _outage.failed("publicering", exc)

    def forget(self) -> None:
        self._token = None

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._token = None
            thread = threading.Thread(
                target=self._follow, name=f"fss-generation {self.channel}", daemon=True
            )
            thread.start()

    def _follow(self) -> None:
        import redis

        pid = os.getpid()
        while self._pid == pid:
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.location, socket_connect_timeout=0.5, socket_timeout=0.5
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                # Subscribed (confirmed by Redis) first, then read: no new token can slip
                # in between unseen.
                deadline = time.monotonic() + 5
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "subscribe":
                        break
                    if time.monotonic() > deadline:
                        raise ConnectionError("no subscription")
                token = self.cache.get(GENERATION_KEY)
                if token is None:
                    self.cache.add(GENERATION_KEY, _new_token(), timeout=None)
                    token = self.cache.get(GENERATION_KEY)
                if token is None:
                    raise ConnectionError("no generation token")
                self._token = token
                checked = time.monotonic()
                while self._pid == pid:
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._token = message["data"].decode()
                    if time.monotonic() - checked >= self.CHECK_SECONDS:
                        # A Redis that hangs sends no messages either: after a failed
                        # ping the token counts as unknown, so pages are rendered afresh.
                        client.ping()
                        checked = time.monotonic()
            except Exception:  # noqa: BLE001 - Redis away: read it per request meanwhile
                self._token = None
                time.sleep(self.RECONNECT_SECONDS)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # closing a broken connection
                        pubsub.close()


def _address_key_of(scheme: str, host: str, raw_path: str, query_string: str) -> tuple[str, str]:
    """(key, reason not to use the cache) of an address, as the WSGI layer receives it."""
    path = repercent_broken_unicode(raw_path.encode("latin-1")).decode("utf-8", errors="replace")
    pairs = parse_qsl(query_string, keep_blank_values=True)
    reason = _address_bypass(path, [name for name, _value in pairs])
    if reason:
        return "", reason
    return _key(WSGI_PREFIX, scheme, host, path, pairs), ""


# Decoding the path and the query and encoding them again in one order took half of a
# cache hit's own time (some 8 µs of 16 for a search with "ä" in it). The same addresses
# come again and again, so each process remembers the last ADDRESS_KEYS of them, up to
# ADDRESS_KEY_LENGTH characters each. The settings they depend on clear it
# (_forget_settings).
_remembered_address_key = functools.lru_cache(maxsize=ADDRESS_KEYS)(_address_key_of)


def _address_key(scheme: str, host: str, raw_path: str, query_string: str) -> tuple[str, str]:
    if len(host) + len(raw_path) + len(query_string) > ADDRESS_KEY_LENGTH:
        return _address_key_of(scheme, host, raw_path, query_string)
    return _remembered_address_key(scheme, host, raw_path, query_string)


class PageCacheWSGI:
    """WSGI wrapper that answers cache hits before Django builds a request.

    The decisions stay with :class:`PageCacheMiddleware` inside Django (it marks what may
    be stored with ``X-Cache: MISS``); this layer stores those responses as they leave
    Django, with every header the outer middleware added (security headers, the CSP with
    its nonce), and serves them to later anonymous requests with one cache round trip.
    Stored pages never use their nonce (see :func:`uses_nonce`), so each hit gets a new one.
    Invalidation is the same generation token. Use: ``application = PageCacheWSGI(
    get_wsgi_application())`` in ``wsgi.py``.
    """

    def __init__(self, app):
        self.app = app
        self._local = LocalCopies()

    def _scheme(self, environ) -> str:
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if header and environ.get(header[0]) == header[1]:
            return "https"
        return environ.get("wsgi.url_scheme", "http")

    def _key(self, environ) -> tuple[str, str]:
        """(key, reason not to use the cache)."""
        cookies = parse_cookie(environ.get("HTTP_COOKIE", "")) if "HTTP_COOKIE" in environ else {}
        reason = _request_bypass(
            environ.get("REQUEST_METHOD", "GET"), cookies, "HTTP_AUTHORIZATION" in environ
        )
        if reason or not _setting("FSS_PAGE_CACHE_ENABLED", True):
            return "", reason or "disabled"
        host = environ.get("HTTP_HOST") or (
            f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
        )
        return _address_key(
            self._scheme(environ),
            host,
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/"),
            environ.get("QUERY_STRING", ""),
        )

    def __call__(self, environ, start_response):
        key, reason = self._key(environ)
        if not key:
            return self.app(environ, start_response)
        cache = page_cache()
        entry = None
        retry_failed_bump()
        generation = known_generation(cache)
        if generation is not None:
            entry = self._local.get(key, generation)
            if entry is not None:
                return self._hit(entry, environ, start_response)
        try:
            generation, entry = generation_and_entry(cache, key)
            _outage.succeeded()
        except Exception as exc:  # cache down: Django renders the page
            generation = None
            _outage.failed("läsning", exc)
        if entry is not None and entry["generation"] == generation:
            self._local.put(key, entry)
            return self._hit(entry, environ, start_response)

        environ[OUTER_LAYER] = True
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        headers = dict(captured.get("headers") or [])
        if (
            generation is None
            or headers.get("X-Cache") != "MISS"
            or environ.get("REQUEST_METHOD") != "GET"
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        stored = {
            "generation": generation,
            "status": captured["status"],
            "headers": [
                (name, value)
                for name, value in captured["headers"]
                if name.lower() not in WSGI_UNSTORED_HEADERS
            ],
            "content": body,
            # A nonce the page does not use can be replaced on every hit.
            "nonce": self._unused_nonce(captured["headers"], body),
            "etag": quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest()),
            "stored": int(time.time()),
        }
        try:
            cache.set(key, stored, timeout=int(_setting("FSS_PAGE_CACHE_TIMEOUT", 300)))
        except Exception as exc:
            _outage.failed("skrivning", exc)
        self._local.put(key, stored)
        return [body]

    @staticmethod
    def _unused_nonce(headers, body: bytes) -> str | None:
        for name, value in headers:
            if name.lower() == "content-security-policy":
                match = _NONCE.search(value)
                if match and match.group(1).encode() not in body:
                    return match.group(1)
        return None

    def _hit(self, entry, environ, start_response):
        age = max(0, int(time.time()) - entry["stored"])
        headers = [(k, v) for k, v in entry["headers"] if k.lower() != "cache-control"]
        if entry.get("nonce"):
            fresh = base64.b64encode(os.urandom(16)).decode("ascii")
            headers = [
                (k, v.replace(entry["nonce"], fresh) if k.lower().startswith("content-sec") else v)
                for k, v in headers
            ]
        max_age = int(_setting("FSS_PAGE_CACHE_MAX_AGE", 60))
        s_maxage = int(_setting("FSS_PAGE_CACHE_S_MAXAGE", 300))
        headers += [
            ("Cache-Control", f"public, max-age={max_age}, s-maxage={s_maxage}"),
            ("ETag", entry["etag"]),
            ("Age", str(age)),
            ("X-Cache", "HIT"),
        ]
        tags = environ.get("HTTP_IF_NONE_MATCH", "")
        if tags and entry["etag"] in {t.strip().removeprefix("W/") for t in tags.split(",")}:
            keep = {"cache-control", "etag", "age", "x-cache", "vary", "content-language"}
            start_response("304 Not Modified", [(k, v) for k, v in headers if k.lower() in keep])
            return [b""]
        start_response(entry["status"], headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [entry["content"]]


# -- a Redis backend that survives Redis being away -------------------------------------


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client wrapper, keeping one redis-py client per connection pool.

    Django builds a new ``redis.Redis`` object for every cache operation, and redis-py
    fills a table of some hundred response callbacks each time: most of the cost of a
    page-cache hit. The client is thread-safe (connections come from the pool).
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_fss_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, but an unreachable Redis is an empty cache, not an error.

    Reads return the default, writes are dropped; the outage is logged once and its end
    once. After a failure Redis is not asked again for ``RETRY_AFTER`` seconds (default
    5), so a Redis that times out does not slow every request. Counters (``incr``,
    ``decr``) still raise, so callers that count (rate limits) know and decide.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        self._retry_after = float(params.get("RETRY_AFTER", 5))
        self._failed_at = 0.0
        self.generation_watcher = GenerationWatcher.shared(self)

    def _guard(self, what, default, call, *args, **kwargs):
        if self._failed_at and time.monotonic() - self._failed_at < self._retry_after:
            return default
        try:
            result = call(*args, **kwargs)
        except Exception as exc:
            from redis.exceptions import RedisError

            if not isinstance(exc, RedisError | OSError):
                raise
            self._failed_at = time.monotonic()
            _outage.failed(what, exc)
            return default
        if self._failed_at:
            self._failed_at = 0.0
            _outage.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", None, super().clear)


# -- signals ----------------------------------------------------------------------------

# Models whose save or delete can change what a public page shows.
WATCHED_MODELS = (
    "fss_site.Topic",
    "fss_site.SiteSettings",
    "blog.Category",
    "events.Organisation",
    "taggit.Tag",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailredirects.Redirect",
    "wagtailsearchpromotions.SearchPromotion",
)
_connected = False
_connect_lock = threading.Lock()


def _on_page_change(sender, instance=None, **kwargs):
    bump_generation(f"{sender.__name__} {getattr(instance, 'pk', '')}")


def _on_model_change(sender, instance=None, **kwargs):
    if kwargs.get("raw"):  # fixtures
        return
    bump_generation(f"{sender._meta.label} {getattr(instance, 'pk', '')}")


def connect_signals() -> None:
    """Connect the invalidation to Wagtail's and Django's signals (idempotent).

    Call from an AppConfig.ready() so that management commands (publish_scheduled,
    imports) invalidate too; the middleware calls it as well.
    """
    global _connected
    if _connected:
        return
    with _connect_lock:
        if _connected:
            return
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page
        from wagtail.signals import (
            page_published,
            page_unpublished,
            post_page_move,
            published,
            unpublished,
        )

        for signal in (page_published, page_unpublished, post_page_move, published, unpublished):
            signal.connect(_on_page_change, dispatch_uid=f"fss-page-cache-{id(signal)}")
        for model in apps.get_models():
            if issubclass(model, Page):
                post_delete.connect(
                    _on_page_change, sender=model, dispatch_uid=f"fss-page-cache-del-{model}"
                )
        for label in WATCHED_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            post_save.connect(
                _on_model_change, sender=model, dispatch_uid=f"fss-page-cache-save-{label}"
            )
            post_delete.connect(
                _on_model_change, sender=model, dispatch_uid=f"fss-page-cache-del-{label}"
            )
        _connected = True
