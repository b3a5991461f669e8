"""Security helpers: the Content-Security-Policy middleware, the lock-out page, log hygiene.

* :class:`ContentSecurityPolicyMiddleware` sends django-csp's strict, nonce-based policy
  (``CONTENT_SECURITY_POLICY``) on the public site and replaces it with
  ``FSS_ADMIN_CONTENT_SECURITY_POLICY`` for everything under the Wagtail admin, previews
  included. Templates put ``nonce="{{ request.csp_nonce }}"`` on any inline ``<script>`` or
  ``<style>``; every public HTML response carries a fresh nonce in its header.
* :func:`lockout_response` is django-axes' lock-out page: HTTP 429, Swedish, with
  ``Retry-After``.
* :class:`NulCharacterMiddleware` answers 400 to an address with a NUL character in it
  and ignores cookies with one; :class:`OutOfRangeMiddleware` answers 400 to a number or
  date that the database cannot hold.
* :func:`csrf_failure` answers a form that fails Django's CSRF check: the contact form
  comes back filled in as it was sent; anything else gets a Swedish page that says what
  happened and what to do.
* :class:`NoRequestDataFilter` keeps request objects (bodies, cookies, form data) out of
  log records.
"""

import logging
import math

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.defaults import bad_request


def admin_path_prefix() -> str | None:
    """The path the Wagtail admin is served under ("/admin/"), or None without an admin."""
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


def is_admin_request(request) -> bool:
    """True for the Wagtail admin and everything under it, and for page previews.

    A preview is rendered for a stand-in request with the page's public path, which Wagtail
    marks with ``is_dummy`` (and ``is_preview`` once the page serves it).
    """
    if getattr(request, "is_dummy", False) or getattr(request, "is_preview", False):
        return True
    prefix = admin_path_prefix()
    return bool(prefix) and request.path.startswith(prefix)


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with a second, looser policy for the Wagtail admin.

    A view decorated with django-csp's ``@csp_replace``/``@csp_update``/``@csp`` still wins:
    the admin policy only replaces the site-wide default.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if parts.config is None and is_admin_request(request):
            policy = getattr(settings, "FSS_ADMIN_CONTENT_SECURITY_POLICY", None) or {}
            parts.config = dict(policy.get("DIRECTIVES", {}))
        elif parts.nonce is None and _is_html(response):
            # Every public page gets a nonce, used in the page or not, so the policy has
            # the same shape everywhere and an inline element without it never runs.
            parts.nonce = self._make_nonce(request)
        return parts


class NulCharacterInRequest(SuspiciousOperation):
    """A NUL character in the request's path or query string."""


def _holds_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in querydict.lists()
    )


class NulCharacterMiddleware:
    """No NUL character reaches a view, a form or a query.

    PostgreSQL cannot store or compare text with a NUL character in it: a value with one,
    passed on to a query, fails in the database (a 500) instead of finding nothing. No
    address of the site holds one, and neither does a cookie the site sets, so:

    - a path or query string with one (``%00``) is answered with the 400 page;
    - a cookie with one (a quoted value may spell it ``\\000``) is ignored, as if it had
      not been sent: a session cookie of that kind starts no session lookup.

    Form fields need nothing here: Django's form fields refuse NUL characters with a
    message of their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET):
            return bad_request(request, NulCharacterInRequest("NUL character in the address"))
        cookies = request.COOKIES
        for name in [name for name, value in cookies.items() if "\x00" in name + value]:
            del cookies[name]
        return self.get_response(request)


class OutOfRangeMiddleware:
    """A number or a date past what the database can hold is the client's error: the 400
    page, not a 500.

    SQLite cannot take an integer past 64 bits, and Django hands it one for a lookup
    through a relation (an id in an address, the admin's filters by content type); a date
    before year 1 cannot be turned to UTC for it (the admin's history filters).
    PostgreSQL's backend answers such values without a query. Where the site reads such
    values itself it answers more precisely (a 404 for an id, a message at a form field,
    the API's 400 with a message); this is for the rest, Wagtail's admin views among them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a POST that Django refused for its CSRF check (HTTP 403).

    Django's own page says it in English terms, without the site around it, and loses what
    the visitor wrote. A POST to the contact form gets the form back, filled in as it was
    sent, to send again (``form_after_csrf_failure``), when the form came from this site
    and only its CSRF cookie or token was missing or stale; any other form (the admin's, a
    password-protected page's) gets ``403_csrf.html``: what happened, and what to do. Never
    cached: the answer sets a new CSRF cookie.
    """
    response = None
    if _same_site_form(reason):
        response = _contact_form_after_csrf_failure(request)
    if response is None:
        response = render(request, "403_csrf.html", status=403)
    add_never_cache_headers(response)
    return response


def _same_site_form(reason: str) -> bool:
    """Whether Django refused the form for its CSRF cookie or token alone: the Origin (or
    Referer) check had passed, so the form was sent from a page of this site. A form sent
    from another site is not shown filled in."""
    from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING

    # Django's reasons: "CSRF cookie not set.", "CSRF cookie has incorrect length.", "CSRF
    # token missing.", "CSRF token from POST incorrect." and the like.
    return reason == REASON_CSRF_TOKEN_MISSING or reason.startswith(
        ("CSRF cookie ", "CSRF token from ")
    )


def _contact_form_after_csrf_failure(request):
    from wagtail.models import Page

    from fss_site.contact.models import ContactPage
    from fss_site.contact.views import form_after_csrf_failure

    if request.method != "POST":
        return None
    page = Page.find_for_request(request, request.path)
    if not isinstance(page, ContactPage) or page.get_url(request=request) != request.path:
        return None
    return form_after_csrf_failure(page, request)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The page django-axes shows a locked-out address: 429, Swedish, no details."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    if seconds:
        minutes = max(1, math.ceil(seconds / 60))
        wait = ngettext(
            "Vänta %(minutes)d minut och försök sedan igen.",
            "Vänta %(minutes)d minuter och försök sedan igen.",
            minutes,
        ) % {"minutes": minutes}
    else:
        wait = _("Kontakta webbplatsens administratör för att låsa upp inloggningen.")
    title = _("För många inloggningsförsök")
    body = format_html(
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n<title>{title} – {site}</title>\n</head>\n'
        '<body>\n<main id="main">\n<h1>{title}</h1>\n<p>{explanation}</p>\n<p>{wait}</p>\n'
        '<p><a href="/">{home}</a></p>\n</main>\n</body>\n</html>\n',
        title=title,
        site=getattr(settings, "WAGTAIL_SITE_NAME", ""),
        explanation=_(
            "Inloggningen har spärrats tillfälligt för den här adressen eftersom fel "
            "användarnamn eller lösenord angavs för många gånger i rad."
        ),
        wait=wait,
        home=_("Gå till startsidan"),
    )
    response = HttpResponse(
        body,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
        content_type="text/html; charset=utf-8",
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class NoRequestDataFilter(logging.Filter):
    """Drop the request object Django attaches to log records (``django.request`` and
    ``django.security`` loggers), so no handler or formatter can write out a request body,
    form data or cookies. The message itself (method, path, status) is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            del record.request
        return True
