"""Contact requests against a real SMTP server on localhost (aiosmtpd): nothing is lost.

The server is stopped, refusing or hanging while a visitor submits; the request is kept as
unsent and the visitor still gets the confirmation page. Once the server is back,
``send_contact_requests`` sends every request exactly once, even from two runs at once.
"""

import io
import socket
import threading
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from fss_site.contact import antispam, delivery
from fss_site.contact.models import ContactRequest
from tests.ports import free_port


class Recorder:
    """An SMTP handler that keeps every message; ``refuse`` makes it answer 554."""

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Transaction failed"
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return list(self.handler.messages)

    def notifications(self):
        return [m for _rcpt, m in self.messages if m["X-FSS-Contact-Request"]]

    def confirmations(self):
        return [m for _rcpt, m in self.messages if not m["X-FSS-Contact-Request"]]


@pytest.fixture
def smtp():
    """An SMTP server on a free port, not yet started; settings point the site at it."""
    server = SmtpServer()
    cache.clear()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=2,
        FSS_CONTACT_SEND_TIMEOUT=0.5,
    ):
        yield server
    server.stop()
    cache.clear()


def form_data(name="Karin Journalist", email="karin@example.org"):
    return {
        "name": name,
        "email": email,
        "organisation": "Lokaltidningen",
        "kind": "interview",
        "message": "Vi vill intervjua någon om hemtjänsten.",
        "consent": "on",
        "website": "",
        "ts": antispam.issue_token(time.time() - 60),
    }


def test_working_server_gets_notification_and_confirmation(client, site_tree, smtp):
    smtp.start()
    response = client.post(site_tree.contact.url, form_data())
    assert response.status_code == 302
    request_obj = ContactRequest.objects.get()
    assert request_obj.status == ContactRequest.Status.SENT
    [notification] = smtp.notifications()
    assert notification["To"] == "info@socialchefer.se"
    assert "karin@example.org" in notification["Reply-To"]
    assert notification["X-FSS-Contact-Request"] == str(request_obj.pk)
    [confirmation] = smtp.confirmations()
    assert confirmation["To"] == "karin@example.org"


def test_nothing_is_lost_while_the_server_is_down(client, site_tree, smtp):
    url = site_tree.contact.url
    # Down: connection refused. The visitor still gets the confirmation page.
    response = client.post(url, form_data(name="Första", email="forsta@example.org"))
    assert response.status_code == 302
    assert response["Location"].endswith("/tack/")
    first = ContactRequest.objects.get()
    assert first.status == ContactRequest.Status.FAILED
    assert first.attempts == 1
    assert first.last_error
    assert first.sent_at is None
    # Sending from the web is paused now: the next visitor does not wait for the server.
    response = client.post(url, form_data(name="Andra", email="andra@example.org"))
    assert response.status_code == 302
    second = ContactRequest.objects.get(name="Andra")
    assert second.status == ContactRequest.Status.NEW
    assert second.attempts == 0
    # The command fails loudly while the server is still down, and keeps everything.
    with pytest.raises(CommandError):
        call_command("send_contact_requests", stdout=io.StringIO())
    assert ContactRequest.objects.pending().count() == 2
    assert smtp.messages == []

    smtp.start()
    out = io.StringIO()
    call_command("send_contact_requests", stdout=out)
    assert "Skickade 2 förfrågningar, 0 misslyckades." in out.getvalue()
    sent_ids = sorted(m["X-FSS-Contact-Request"] for m in smtp.notifications())
    assert sent_ids == sorted([str(first.pk), str(second.pk)])
    assert sorted(m["To"] for m in smtp.confirmations()) == [
        "andra@example.org",
        "forsta@example.org",
    ]
    assert set(ContactRequest.objects.values_list("status", flat=True)) == {"sent"}

    # A second run sends nothing.
    out = io.StringIO()
    call_command("send_contact_requests", stdout=out)
    assert "Inga förfrågningar att skicka." in out.getvalue()
    assert len(smtp.messages) == 4


def test_a_refusing_server_keeps_the_request(client, site_tree, smtp):
    smtp.start()
    smtp.handler.refuse = True
    assert client.post(site_tree.contact.url, form_data()).status_code == 302
    request_obj = ContactRequest.objects.get()
    assert request_obj.status == ContactRequest.Status.FAILED
    assert "554" in request_obj.last_error
    smtp.handler.refuse = False
    call_command("send_contact_requests", stdout=io.StringIO())
    assert len(smtp.notifications()) == 1
    assert ContactRequest.objects.get().status == ContactRequest.Status.SENT


def test_a_hanging_server_times_out_and_keeps_the_request(client, site_tree, smtp):
    # A socket that accepts connections but never greets: the SMTP client waits for the
    # timeout (FSS_CONTACT_SEND_TIMEOUT, at most EMAIL_TIMEOUT) and gives up.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", smtp.port))
        silent.listen(5)
        response = client.post(site_tree.contact.url, form_data())
    assert response.status_code == 302
    request_obj = ContactRequest.objects.get()
    assert request_obj.status == ContactRequest.Status.FAILED
    assert "timed out" in request_obj.last_error.lower() or "Timeout" in request_obj.last_error
    smtp.start()
    call_command("send_contact_requests", stdout=io.StringIO())
    assert len(smtp.notifications()) == 1


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Concurrent writers need PostgreSQL; SQLite serialises them anyway.",
)
# Committed data is needed for the second thread; serialized_rollback restores what the
# migrations created (groups, permissions) for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_runs_send_each_request_exactly_once(smtp):
    for n in range(12):
        ContactRequest.objects.create(
            name=f"Person {n}",
            email=f"p{n}@example.org",
            organisation="Org",
            kind="other",
            message="Hej",
        )
    smtp.start()
    errors = []

    def run():
        try:
            call_command("send_contact_requests", stdout=io.StringIO())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = [m["X-FSS-Contact-Request"] for m in smtp.notifications()]
    assert len(ids) == 12
    assert len(set(ids)) == 12
    assert len(smtp.confirmations()) == 12
    assert set(ContactRequest.objects.values_list("status", flat=True)) == {"sent"}
    assert not delivery.sending_paused()
