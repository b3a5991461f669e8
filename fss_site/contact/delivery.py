"""Mailing stored contact requests: once, never lost, never twice.

A request is always in the database before anything is sent. To send it, a worker first
*claims* it: a conditional UPDATE that sets a claim token only on a row that is pending and
not claimed by someone else (on PostgreSQL the candidate row is also picked with
``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent workers do not even wait for each
other). Only the worker whose UPDATE changed the row sends it, so two runs of
``send_contact_requests`` at the same time mail each request exactly once. A claim that is
older than ``FSS_CONTACT_CLAIM_SECONDS`` (a worker that died) may be taken over.

Two mails belong to a request: the notification to the address in the site settings
(Reply-To the visitor) and a confirmation to the visitor. Each has its own "sent" time, so a
retry only sends what is still missing. The confirmation repeats no free text the visitor
typed, so the form cannot be used to send arbitrary text to someone else's address.

When sending fails, the request keeps its data, gets the status "misslyckad", one more
attempt and the error, and is retried by the command. After a failure during a visitor's
request, sending from web requests pauses for ``FSS_CONTACT_SMTP_PAUSE_SECONDS`` (a flag in
the cache), so a hanging mail server does not make every visitor wait for the timeout.
"""

import datetime
import logging
import smtplib
import uuid
from email.utils import formataddr

from django.conf import settings
from django.core.cache import caches
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .forms import single_line
from .models import ContactRequest

logger = logging.getLogger("fss_site.contact")

ADMIN_NAMESPACE = "contact_requests"
PAUSE_KEY = "fss:contact:smtp-paused"
SITE_NAME = "Föreningen Sveriges socialchefer"


def claim_seconds():
    return int(getattr(settings, "FSS_CONTACT_CLAIM_SECONDS", 15 * 60))


def web_send_timeout():
    """Timeout for sending while a visitor waits: at most EMAIL_TIMEOUT, at most 5 s."""
    limit = float(getattr(settings, "FSS_CONTACT_SEND_TIMEOUT", 5))
    email_timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    return min(limit, float(email_timeout)) if email_timeout else limit


# -- the messages ------------------------------------------------------------------------


def recipient_for(request_obj):
    """The contact address from the site settings of the request's site."""
    from wagtail.models import Site

    from fss_site.models import SiteSettings

    site = None
    if request_obj.contact_page_id:
        page = request_obj.contact_page
        site = page.get_site() if page else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    fallback = getattr(settings, "FSS_CONTACT_EMAIL", "info@socialchefer.se")
    if site is None:
        return fallback
    return SiteSettings.for_site(site).contact_email or fallback


def header_text(value, limit=200):
    """A value made safe for a mail header: one line, no control characters, bounded."""
    return single_line(str(value))[:limit]


def subject_for(request_obj):
    return header_text(
        _("Kontaktförfrågan: %(kind)s – %(person)s – %(topic)s")
        % {
            "kind": request_obj.get_kind_display(),
            "person": request_obj.spokesperson_label,
            "topic": request_obj.topic_label,
        },
        limit=250,
    )


def admin_url_for(request_obj):
    try:
        path = reverse(f"{ADMIN_NAMESPACE}:edit", args=[request_obj.pk])
    except NoReverseMatch:
        return ""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return f"{base}{path}"


def _context(request_obj):
    return {
        "req": request_obj,
        "created": timezone.localtime(request_obj.created_at),
        "admin_url": admin_url_for(request_obj),
        "site_name": SITE_NAME,
    }


def notification_message(request_obj, connection=None):
    """The mail to the association: spokesperson and topic in the subject, Reply-To sender."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("contact/email/notification.txt", _context(request_obj))
        subject = subject_for(request_obj)
    reply_to = formataddr((header_text(request_obj.name), request_obj.email))
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient_for(request_obj)],
        reply_to=[reply_to],
        headers={"X-FSS-Contact-Request": str(request_obj.pk)},
        connection=connection,
    )


def confirmation_message(request_obj, connection=None):
    """The receipt to the visitor; it echoes only what they chose, no free text."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("contact/email/confirmation.txt", _context(request_obj))
        subject = header_text(_("Vi har tagit emot din förfrågan – %(site)s") % {"site": SITE_NAME})
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request_obj.email],
        reply_to=[recipient_for(request_obj)],
        headers={"Auto-Submitted": "auto-replied"},
        connection=connection,
    )


# -- claiming ----------------------------------------------------------------------------


def _claimable(now):
    stale = now - datetime.timedelta(seconds=claim_seconds())
    return Q(status__in=ContactRequest.PENDING_STATUSES) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def claim(pk, token=None, now=None):
    """Claim one request for sending; return the token, or None if someone else has it."""
    now = now or timezone.now()
    token = token or uuid.uuid4().hex
    updated = ContactRequest.objects.filter(_claimable(now), pk=pk).update(
        claim_token=token, claimed_at=now
    )
    return token if updated == 1 else None


def claim_next(started, exclude=(), now=None):
    """Claim the oldest pending request not attempted since ``started``; (obj, token) or None."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = (
            ContactRequest.objects.filter(_claimable(now))
            .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=started))
            .exclude(pk__in=list(exclude))
            .order_by("created_at", "pk")
        )
        if db_connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        for pk in candidates.values_list("pk", flat=True)[:5]:
            if claim(pk, token, now):
                return ContactRequest.objects.get(pk=pk), token
    return None


def release(request_obj, token):
    ContactRequest.objects.filter(pk=request_obj.pk, claim_token=token).update(
        claim_token="", claimed_at=None
    )


# -- sending -----------------------------------------------------------------------------

CONNECTION_ERRORS = (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def _error_text(exc):
    return header_text(f"{exc.__class__.__name__}: {exc}", limit=500)


def deliver(request_obj, token, connection=None):
    """Send what is still unsent for a claimed request and record the outcome.

    Returns None on success, else the exception. Never raises for a mail error: the
    request stays stored and pending, to be retried.
    """
    now = timezone.now()
    mine = ContactRequest.objects.filter(pk=request_obj.pk, claim_token=token)
    error = None
    gave_up_confirmation = ""
    try:
        if request_obj.sent_at is None:
            notification_message(request_obj, connection).send()
            request_obj.sent_at = timezone.now()
            mine.update(sent_at=request_obj.sent_at)
        if request_obj.confirmation_sent_at is None:
            try:
                confirmation_message(request_obj, connection).send()
                request_obj.confirmation_sent_at = timezone.now()
                mine.update(confirmation_sent_at=request_obj.confirmation_sent_at)
            except smtplib.SMTPRecipientsRefused as exc:
                # The visitor's address is refused: retrying will not help.
                gave_up_confirmation = _("Bekräftelsen kunde inte skickas: %(error)s") % {
                    "error": _error_text(exc)
                }
    except Exception as exc:
        error = exc

    attempts = request_obj.attempts + 1
    if error is None:
        mine.update(
            attempts=attempts,
            last_attempt_at=now,
            last_error=gave_up_confirmation[:500],
            claim_token="",
            claimed_at=None,
        )
        ContactRequest.objects.filter(
            pk=request_obj.pk, status__in=ContactRequest.PENDING_STATUSES
        ).update(status=ContactRequest.Status.SENT)
        request_obj.status = ContactRequest.Status.SENT
    else:
        which = _("bekräftelsen") if request_obj.sent_at else _("förfrågan")
        text = header_text(
            _("Kunde inte skicka %(which)s: %(error)s")
            % {"which": which, "error": _error_text(error)},
            limit=500,
        )
        mine.update(attempts=attempts, last_attempt_at=now, last_error=text)
        ContactRequest.objects.filter(
            pk=request_obj.pk, status__in=ContactRequest.PENDING_STATUSES
        ).update(status=ContactRequest.Status.FAILED)
        release(request_obj, token)
        request_obj.status = ContactRequest.Status.FAILED
        request_obj.last_error = text
        # Counts and ids only: no addresses or names in the log.
        logger.warning(
            "Kontaktförfrågan %s kunde inte skickas (%s); den ligger kvar och skickas om.",
            request_obj.pk,
            error.__class__.__name__,
        )
    request_obj.attempts = attempts
    request_obj.last_attempt_at = now
    return error


def _cache():
    return caches[getattr(settings, "FSS_CONTACT_CACHE", "default")]


def sending_paused():
    try:
        return bool(_cache().get(PAUSE_KEY))
    except Exception:
        return False


def pause_sending():
    try:
        _cache().set(
            PAUSE_KEY, True, timeout=int(getattr(settings, "FSS_CONTACT_SMTP_PAUSE_SECONDS", 60))
        )
    except Exception:
        logger.warning("Kunde inte spara paus för e-postutskick i cachen.")


def resume_sending():
    try:
        _cache().delete(PAUSE_KEY)
    except Exception:
        logger.warning("Kunde inte ta bort paus för e-postutskick i cachen.")


def send_now(request_obj, token):
    """Send a freshly stored request while the visitor waits (short timeout)."""
    try:
        connection = get_connection(timeout=web_send_timeout())
    except Exception as exc:
        connection = None
        logger.warning("E-postanslutningen kunde inte skapas (%s).", exc.__class__.__name__)
    error = deliver(request_obj, token, connection)
    if error is not None and isinstance(error, CONNECTION_ERRORS):
        pause_sending()
    return error


def send_pending(limit=100):
    """Send every pending request once; returns (sent, failed) counts."""
    started = timezone.now()
    sent = failed = 0
    seen = set()
    connection = get_connection()
    try:
        while sent + failed < limit:
            claimed = claim_next(started, exclude=seen)
            if claimed is None:
                break
            request_obj, token = claimed
            seen.add(request_obj.pk)
            error = deliver(request_obj, token, connection)
            if error is None:
                sent += 1
                continue
            failed += 1
            if isinstance(error, CONNECTION_ERRORS):
                # The server is unreachable: leave the rest for the next run.
                try:
                    connection.close()
                except Exception:
                    logger.debug("Closing a broken mail connection failed.")
                break
    finally:
        try:
            connection.close()
        except Exception:
            logger.debug("Closing the mail connection failed.")
    if sent and not failed:
        resume_sending()
    return sent, failed
