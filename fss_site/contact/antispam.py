"""Spam protection for the contact form without a third-party captcha.

Three checks, all server-side and invisible to people who fill in the form normally:

* a honeypot field ("Lämna tomt") hidden with CSS; people leave it empty, bots fill it in;
* a signed timestamp (``django.core.signing``) put in a hidden field when the form is
  shown; a form sent back sooner than ``FSS_CONTACT_MIN_FILL_SECONDS`` after it was shown,
  or with a missing or tampered timestamp, is spam;
* a rate limit per IP address through Django's cache: at most ``FSS_CONTACT_RATE_LIMIT``
  accepted submissions per ``FSS_CONTACT_RATE_WINDOW`` seconds, then HTTP 429.

The rate limit deliberately FAILS OPEN: if the cache cannot be reached the submission is
accepted and a warning is logged. Losing a journalist's request because a cache server is
down is worse than letting a few extra messages through for a while; the honeypot and the
fill-time check still apply then, and spam is never mailed to the association.

Settings (all optional, read with defaults):

``FSS_CONTACT_MIN_FILL_SECONDS`` (3), ``FSS_CONTACT_MAX_FORM_AGE`` (86 400 s: an older form
is shown again with a fresh timestamp, not treated as spam), ``FSS_CONTACT_RATE_LIMIT`` (5),
``FSS_CONTACT_RATE_WINDOW`` (600 s), ``FSS_CONTACT_CACHE`` (cache alias, "default") and
``FSS_CONTACT_PROXY_COUNT`` (0: use REMOTE_ADDR; n > 0: the n-th address from the right in
X-Forwarded-For, for a site behind n trusted reverse proxies).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches

logger = logging.getLogger("fss_site.contact")

SIGNING_SALT = "fss_site.contact.form-timestamp"

# Results of checking a timestamp token.
FILL_OK = "ok"
FILL_TOO_FAST = "too_fast"
FILL_TAMPERED = "tampered"
FILL_EXPIRED = "expired"


def min_fill_seconds():
    return float(getattr(settings, "FSS_CONTACT_MIN_FILL_SECONDS", 3))


def max_form_age():
    return float(getattr(settings, "FSS_CONTACT_MAX_FORM_AGE", 24 * 60 * 60))


def issue_token(at=None):
    """A signed timestamp for the hidden field; ``at`` is a Unix time (default: now)."""
    return signing.dumps(round(time.time() if at is None else at, 3), salt=SIGNING_SALT)


def issue_renewed_token():
    """A token for a form shown again after its old one expired.

    It is dated back by the minimum fill time: the visitor has already spent time on the
    form, so sending it right away must not look like a bot.
    """
    return issue_token(time.time() - min_fill_seconds())


def check_token(token, now=None):
    """Classify a submitted timestamp token as ok, too fast, tampered or expired."""
    if not token:
        return FILL_TAMPERED
    try:
        issued = float(signing.loads(token, salt=SIGNING_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return FILL_TAMPERED
    age = (time.time() if now is None else now) - issued
    if age < min_fill_seconds():
        return FILL_TOO_FAST
    if age > max_form_age():
        return FILL_EXPIRED
    return FILL_OK


def client_ip(request):
    """The visitor's address, honouring only as many X-Forwarded-For hops as are trusted."""
    proxies = int(getattr(settings, "FSS_CONTACT_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class RateLimit:
    """A fixed-window counter of accepted submissions per IP address in the cache."""

    def __init__(self, request):
        self.limit = int(getattr(settings, "FSS_CONTACT_RATE_LIMIT", 5))
        self.window = int(getattr(settings, "FSS_CONTACT_RATE_WINDOW", 600))
        self.cache_alias = getattr(settings, "FSS_CONTACT_CACHE", "default")
        ip_hash = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
        bucket = int(time.time() // max(self.window, 1))
        self.key = f"fss:contact:rate:{ip_hash}:{bucket}"

    @property
    def retry_after(self):
        return max(self.window - int(time.time()) % max(self.window, 1), 1)

    def hit(self):
        """Count one submission; return the count in this window (0 if the cache is down)."""
        try:
            cache = caches[self.cache_alias]
            cache.add(self.key, 0, timeout=self.window)
            try:
                return cache.incr(self.key)
            except ValueError:  # the key expired or was evicted between add and incr
                cache.set(self.key, 1, timeout=self.window)
                return 1
        except Exception as exc:
            # Fail open on purpose (see the module docstring); never log the address.
            logger.warning(
                "Kontaktformulärets begränsning per IP-adress är ur funktion (%s); "
                "förfrågan släpps igenom.",
                exc.__class__.__name__,
            )
            return 0

    def exceeded(self, count):
        return count > self.limit

    def first_excess(self, count):
        """True for the first submission over the limit in a window (counted once as spam)."""
        return count == self.limit + 1
