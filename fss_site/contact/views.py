"""The contact page's two routes: the form (GET/POST) and the thank-you page.

POST/redirect/GET: a valid submission is stored first, then mailed, then the visitor is
redirected to ``tack/``. Invalid input is shown again with the errors (400); too many
submissions from one address get the form back with their text kept (429), and so does a
POST that fails Django's CSRF check (403, ``form_after_csrf_failure``). The view relies
on autocommit (the default; not ATOMIC_REQUESTS) so a request is committed before mailing.
"""

import logging
import uuid

from django import forms
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, UnreadablePostError
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import antispam
from .delivery import send_now, sending_paused
from .forms import ContactForm, find_spokesperson
from .models import PERSON_PARAM, ContactRequest, SpamCount, retention_days

logger = logging.getLogger("fss_site.contact")


def _seo(page, request, *, prefix="", suffix="", noindex=False):
    """Title and robots hints for the site's SEO head (when the site has one)."""
    try:
        from fss_site import seo
    except ImportError:  # pragma: no cover - the SEO helpers are optional
        return {}
    title = f"{prefix} – {page.title}" if prefix else None
    return {"seo": seo.seo_for_page(request, page, title=title, suffix=suffix, noindex=noindex)}


def _render(page, request, form, *, status=200, **extra):
    prefix = ""
    if extra.get("rate_limited"):
        prefix = str(_("För många förfrågningar"))
    elif extra.get("csrf_failed"):
        prefix = str(_("Formuläret skickades inte"))
    elif form.is_bound and form.errors:
        prefix = str(_("Fel i formuläret"))
    response = page.render(
        request,
        context_overrides={
            "form": form,
            "privacy_page": page.get_privacy_page(),
            "retention_days": retention_days(),
            **_seo(page, request, prefix=prefix, noindex=bool(prefix)),
            **extra,
        },
    )
    response.status_code = status
    add_never_cache_headers(response)
    return response


def _thanks_url(page, request):
    return (page.get_url(request=request) or "/") + page.reverse_subpage("thanks")


def contact_form_view(page, request):
    if request.method == "POST":
        return _handle_post(page, request)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    initial = {"ts": antispam.issue_token()}
    person = find_spokesperson(request.GET.get(PERSON_PARAM))
    if person is not None:
        initial["spokesperson"] = person.pk
    return _render(page, request, ContactForm(initial=initial), preselected=person)


def _handle_post(page, request):
    form = ContactForm(request.POST)
    if not form.is_valid():
        if form.token_state in {antispam.FILL_EXPIRED, antispam.FILL_TAMPERED}:
            form.data = form.data.copy()
            form.data["ts"] = antispam.issue_renewed_token()
        return _render(page, request, form, status=400)

    limiter = antispam.RateLimit(request)
    count = limiter.hit()
    if limiter.exceeded(count):
        if limiter.first_excess(count):
            SpamCount.increment(ContactRequest.SpamReason.RATE_LIMITED)
        response = _render(page, request, form, status=429, rate_limited=True)
        response["Retry-After"] = str(limiter.retry_after)
        return response

    request_obj = form.build_request(page)
    if form.spam_reason:
        request_obj.status = ContactRequest.Status.SPAM
        request_obj.spam_reason = form.spam_reason
        request_obj.save()
        SpamCount.increment(form.spam_reason)
        logger.info("Kontaktförfrågan %s sparad som skräp (%s).", request_obj.pk, form.spam_reason)
        return HttpResponseRedirect(_thanks_url(page, request))

    token = None
    if not sending_paused():
        token = uuid.uuid4().hex
        request_obj.claim_token = token
        request_obj.claimed_at = timezone.now()
    request_obj.save()  # stored (and committed) before anything is mailed
    if token:
        send_now(request_obj, token)
    return HttpResponseRedirect(_thanks_url(page, request))


def form_after_csrf_failure(page, request):
    """The form again after Django refused a POST to it for its CSRF check.

    That happens when the browser did not send the CSRF cookie back (cookies off, or
    cleared while the form was open) or sent one that no longer matches. The visitor's
    message is not lost: the form is shown again (403), filled in as it was sent, with a
    notice, a new CSRF cookie and a renewed fill-time token, so that sending it again is
    one click. Nothing is checked or stored: the request did not pass the check. The
    honeypot is left empty. ``None`` if the sent form cannot be read (too large).
    """
    try:
        sent = request.POST
    except (SuspiciousOperation, UnreadablePostError):
        return None
    initial = {"ts": antispam.issue_renewed_token()}
    for name, field in ContactForm.base_fields.items():
        if name in {"ts", "website"} or name not in sent:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField)
        initial[name] = sent.getlist(name) if multiple else sent[name]
    return _render(page, request, ContactForm(initial=initial), status=403, csrf_failed=True)


def thanks_view(page, request):
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = page.render(
        request,
        template="contact/contact_thanks.html",
        context_overrides=_seo(
            page,
            request,
            prefix=str(_("Tack för din förfrågan")),
            suffix=page.reverse_subpage("thanks"),
            noindex=True,
        ),
    )
    add_never_cache_headers(response)
    return response
