"""The contact form: validation, spokespeople and days, spam, rate limit, mail, admin, purge."""

import csv
import datetime
import io
import logging
import re
import time
from email import message_from_bytes
from email.utils import getaddresses

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection
from django.template import Context, Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import AttendanceDay, EventPage
from fss_site.contact import antispam, delivery
from fss_site.contact.models import ContactPage, ContactRequest, SpamCount
from fss_site.models import SiteSettings, Topic
from people.models import PersonPage


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _person(parent, title, slug, *, spokesperson=True, live=True):
    person = PersonPage(
        title=title, slug=slug, is_spokesperson=spokesperson, job_title="Socialchef", live=live
    )
    parent.add_child(instance=person)
    return person


@pytest.fixture
def people(site_tree):
    return {
        "anna": _person(site_tree.people, "Anna Andersson", "anna-andersson"),
        "bo": _person(site_tree.people, "Bo Berg", "bo-berg"),
        "cecilia": _person(site_tree.people, "Cecilia Ceder", "cecilia", spokesperson=False),
        "dora": _person(site_tree.people, "Dora Dal", "dora-dal", live=False),
    }


@pytest.fixture
def days(site_tree, people):
    """Almedalen: Anna on two days, Bo on one (preliminary); one past day for Anna."""
    start = timezone.localdate() + datetime.timedelta(days=40)
    event = EventPage(
        title="Almedalsveckan",
        slug="almedalsveckan",
        start=timezone.make_aware(datetime.datetime.combine(start, datetime.time(9))),
        end=timezone.make_aware(
            datetime.datetime.combine(start + datetime.timedelta(days=4), datetime.time(17))
        ),
    )
    site_tree.events.add_child(instance=event)

    def day(person, offset, **extra):
        return AttendanceDay.objects.create(
            page=event, person=person, day=start + datetime.timedelta(days=offset), **extra
        )

    return {
        "anna1": day(people["anna"], 1),
        "anna2": day(people["anna"], 2),
        "bo1": day(people["bo"], 1, preliminary=True),
        "dora1": day(people["dora"], 1),
        "anna_past": AttendanceDay.objects.create(
            page=event, person=people["anna"], day=timezone.localdate() - datetime.timedelta(days=3)
        ),
    }


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Äldreomsorg")


@pytest.fixture
def url(site_tree):
    return site_tree.contact.url


def form_data(**overrides):
    data = {
        "name": "Karin Journalist",
        "email": "karin@example.org",
        "organisation": "Lokaltidningen",
        "phone": "070-123 45 67",
        "kind": "interview",
        "spokesperson": "",
        "topic": "",
        "message": "Vi gör ett reportage om hemtjänsten och vill intervjua någon.",
        "consent": "on",
        "website": "",
        "ts": antispam.issue_token(time.time() - 60),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def notifications():
    return [m for m in mail.outbox if "X-FSS-Contact-Request" in m.extra_headers]


def confirmations():
    return [m for m in mail.outbox if "X-FSS-Contact-Request" not in m.extra_headers]


# -- the page ------------------------------------------------------------------------------


def test_form_page_is_accessible_and_complete(client, url, people, days, site_tree):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<html lang="sv">' in html
    # A <label> for every visible field, autocomplete hints, a fieldset for the radios.
    for field in ["name", "email", "organisation", "phone", "spokesperson", "topic", "message"]:
        assert f'for="id_{field}"' in html
    assert 'for="id_consent"' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="organization"' in html
    assert 'autocomplete="tel"' in html
    assert re.search(r"<fieldset[^>]*>\s*<legend>Vad gäller förfrågan\?</legend>", html)
    for label in ["Intervju", "Panel eller seminarium", "Möte i Almedalen", "Annat"]:
        assert label in html
    # Help texts are tied to their fields.
    assert 'aria-describedby="id_email_help"' in html
    assert "raderar dem efter högst 365 dagar" in html
    # The privacy notice is linked, found through the page tree.
    assert f'href="{site_tree.privacy.url}"' in html
    # Honeypot: labelled, out of the tab order, hidden from assistive technology.
    assert re.search(
        r'<div class="contact-hp" aria-hidden="true">\s*<label for="id_website">Lämna tomt', html
    )
    assert re.search(
        r'<input[^>]*name="website"[^>]*tabindex="-1"|tabindex="-1"[^>]*name="website"', html
    )
    assert 'name="ts"' in html
    assert "csrfmiddlewaretoken" in html


def test_only_live_spokespeople_can_be_chosen(client, url, people, days):
    html = client.get(url).content.decode()
    select = re.search(r'<select name="spokesperson".*?</select>', html, re.S).group(0)
    assert "Anna Andersson" in select and "Bo Berg" in select
    assert "Cecilia" not in select  # not a spokesperson
    assert "Dora" not in select  # not published
    response = client.post(url, form_data(spokesperson=people["cecilia"].pk))
    assert response.status_code == 400
    assert "Välj en talesperson i listan." in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_days_are_grouped_per_person_without_javascript(client, url, people, days):
    html = client.get(url).content.decode()
    assert re.search(r"<legend>Anna Andersson</legend>", html)
    assert re.search(r"<legend>Bo Berg</legend>", html)
    assert f'value="{days["anna1"].pk}"' in html
    assert f'value="{days["bo1"].pk}"' in html
    assert "preliminärt" in html
    assert f'value="{days["anna_past"].pk}"' not in html  # past days are not offered
    assert f'value="{days["dora1"].pk}"' not in html  # unpublished person


def test_form_page_queries_do_not_grow_with_people_and_days(client, url, site_tree, people, days):
    def count():
        # The first views after a change compute what is kept until the next change (site
        # root paths, menu, choices; the first view of all makes the site's settings, a
        # change itself); the third is what every later view costs.
        client.get(url)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    event = EventPage.objects.get()
    for n in range(5):
        person = _person(site_tree.people, f"Extra {n}", f"extra-{n}")
        AttendanceDay.objects.create(page=event, person=person, day=days["anna1"].day)
    assert count() == before
    # The privacy page, the spokespeople, the topics and the days: none for view
    # restrictions (the contact page has none) and none per option or day.
    assert before <= 4


@pytest.mark.parametrize("key", ["pk", "slug"])
def test_preselection_from_person_page(client, url, people, days, key):
    bo = people["bo"]
    html = client.get(url, {"talesperson": getattr(bo, key)}).content.decode()
    assert re.search(rf'<option value="{bo.pk}" selected>Bo Berg', html)
    # The chosen person's days come first.
    assert html.index("<legend>Bo Berg</legend>") < html.index("<legend>Anna Andersson</legend>")


def test_preselection_ignores_non_spokespeople_and_garbage(client, url, people):
    for value in [people["cecilia"].pk, people["dora"].pk, "finns-inte", "1' or 1=1", "x" * 500]:
        response = client.get(url, {"talesperson": value})
        assert response.status_code == 200
        select = re.search(
            r'<select name="spokesperson".*?</select>', response.content.decode(), re.S
        ).group(0)
        assert select.count(" selected>") == 1
        assert '<option value="" selected>' in select


def test_contact_url_helper_and_template_tag(site_tree, people, rf):
    anna, cecilia = people["anna"], people["cecilia"]
    expected = f"{site_tree.contact.url}?talesperson={anna.pk}"
    assert ContactPage.url_for_person(anna) == expected
    assert ContactPage.url_for_person(cecilia) == site_tree.contact.url
    rendered = Template("{% load contact_tags %}{% contact_url person %}").render(
        Context({"person": anna, "request": rf.get("/")})
    )
    assert rendered == expected
    site_tree.contact.unpublish()
    assert ContactPage.url_for_person(anna) == ""


# -- validation ------------------------------------------------------------------------------


def test_required_fields_are_reported_at_the_top_and_at_each_field(client, url):
    response = client.post(url, {"ts": antispam.issue_token(time.time() - 60)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Formuläret innehåller fel" in html
    for field, message in [
        ("name", "Fyll i ditt namn."),
        ("email", "Fyll i din e-postadress."),
        ("organisation", "Fyll i vilken organisation du kommer från."),
        ("kind_0", "Välj vad förfrågan gäller."),
        ("message", "Skriv ett meddelande."),
        ("consent", "Du behöver godkänna"),
    ]:
        assert re.search(rf'<a href="#id_{field}">{re.escape(message)}', html), field
    # Errors are tied to the fields.
    assert re.search(r'<input[^>]*aria-describedby="id_name_error"', html)
    assert 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Fel i formuläret" in html.split("</title>")[0]
    assert not ContactRequest.objects.exists()


def test_what_was_typed_is_kept_when_the_form_has_errors(client, url):
    response = client.post(url, form_data(email="inte-en-adress"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fyll i en giltig e-postadress" in html
    assert 'value="Karin Journalist"' in html
    assert "Vi gör ett reportage om hemtjänsten" in html


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 200), ("organisation", 200), ("phone", 40), ("message", 5000)],
)
def test_maximum_lengths(client, url, field, limit):
    value = "1" * limit if field == "phone" else "a" * limit
    assert client.post(url, form_data(**{field: value})).status_code == 302
    too_long = "1" * (limit + 1) if field == "phone" else "a" * (limit + 1)
    response = client.post(url, form_data(**{field: too_long}))
    assert response.status_code == 400
    assert f"Skriv högst {limit} tecken" in response.content.decode()
    assert ContactRequest.objects.count() == 1


def test_bad_email_and_phone(client, url):
    for overrides in [
        {"email": "karin@"},
        {"email": "karin@example.org\r\nBcc: x@example.org"},
        {"email": "a" * 250 + "@example.org"},
        {"phone": "ring mig"},
    ]:
        assert client.post(url, form_data(**overrides)).status_code == 400, overrides
    assert not ContactRequest.objects.exists()
    assert mail.outbox == []


def test_line_breaks_in_the_name_never_reach_mail_headers(client, url):
    evil = "Karin\r\nBcc: victim@example.org\nSubject: hej"
    response = client.post(url, form_data(name=evil, organisation="Tidning\r\nX-Evil: 1"))
    assert response.status_code == 302
    request_obj = ContactRequest.objects.get()
    assert request_obj.name == "Karin Bcc: victim@example.org Subject: hej"
    assert "\n" not in request_obj.organisation
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        assert parsed.get_all("Bcc") is None
        assert parsed.get_all("X-Evil") is None
        assert len(parsed.get_all("Subject")) == 1
        assert "victim@example.org" not in message.recipients()
    assert notifications()[0].recipients() == ["info@socialchefer.se"]


def test_quotes_and_brackets_in_the_name_give_one_reply_address(client, url):
    client.post(url, form_data(name='Eva, "x" <evil@example.org>'))
    parsed = message_from_bytes(notifications()[0].message().as_bytes())
    assert [address for _name, address in getaddresses(parsed.get_all("Reply-To"))] == [
        "karin@example.org"
    ]


def test_days_must_belong_to_the_chosen_person(client, url, people, days):
    anna, bo = people["anna"], people["bo"]
    # Bo's day with Anna chosen.
    response = client.post(
        url, form_data(kind="almedalen", spokesperson=anna.pk, days=[days["bo1"].pk])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Välj bara dagar då Anna Andersson är på plats" in html
    assert f'<a href="#id_days_{days["anna1"].pk}">' in html or 'href="#id_days_' in html
    # Days without a person, and days for something other than Almedalen.
    assert client.post(url, form_data(kind="almedalen", days=[days["anna1"].pk])).status_code == 400
    response = client.post(
        url, form_data(kind="interview", spokesperson=anna.pk, days=[days["anna1"].pk])
    )
    assert response.status_code == 400
    assert "Dagar kan bara väljas för ett möte i Almedalen" in response.content.decode()
    # A past day or an unknown id is not a choice.
    for bad in [days["anna_past"].pk, 999999, "x"]:
        response = client.post(url, form_data(kind="almedalen", spokesperson=anna.pk, days=[bad]))
        assert response.status_code == 400
    assert not ContactRequest.objects.exists()
    # Anna's own days are fine, and are stored as dates.
    response = client.post(
        url,
        form_data(
            kind="almedalen", spokesperson=anna.pk, days=[days["anna1"].pk, days["anna2"].pk]
        ),
    )
    assert response.status_code == 302
    request_obj = ContactRequest.objects.get()
    assert request_obj.preferred_days == [
        days["anna1"].day.isoformat(),
        days["anna2"].day.isoformat(),
    ]
    assert request_obj.spokesperson == anna
    assert request_obj.spokesperson_name == "Anna Andersson"
    assert bo.pk != anna.pk


# -- spam ------------------------------------------------------------------------------------


def test_honeypot_is_stored_as_spam_counted_and_never_mailed(client, url):
    response = client.post(url, form_data(website="http://spam.example"))
    assert response.status_code == 302  # the bot sees the usual confirmation
    request_obj = ContactRequest.objects.get()
    assert request_obj.status == ContactRequest.Status.SPAM
    assert request_obj.spam_reason == "honeypot"
    assert mail.outbox == []
    assert SpamCount.objects.get(day=timezone.localdate(), reason="honeypot").count == 1
    client.post(url, form_data(website="again"))
    assert SpamCount.objects.get(reason="honeypot").count == 2
    # The retry command leaves spam alone.
    call_command("send_contact_requests", stdout=io.StringIO())
    assert mail.outbox == []


def test_too_fast_and_tampered_forms_are_spam(client, url):
    page = client.get(url).content.decode()
    token = re.search(r'name="ts" value="([^"]+)"', page).group(1)
    assert client.post(url, form_data(ts=token)).status_code == 302  # sent right away
    assert client.post(url, form_data(ts=token[:-2] + "xx")).status_code == 302
    assert client.post(url, form_data(ts=None)).status_code == 302
    reasons = sorted(ContactRequest.objects.values_list("spam_reason", flat=True))
    assert reasons == ["tampered", "tampered", "too_fast"]
    assert set(ContactRequest.objects.values_list("status", flat=True)) == {"spam"}
    assert mail.outbox == []
    counts = dict(SpamCount.objects.values_list("reason", "count"))
    assert counts == {"too_fast": 1, "tampered": 2}


def test_an_old_form_is_shown_again_with_a_fresh_timestamp(client, url):
    old = antispam.issue_token(time.time() - 3 * 24 * 3600)
    response = client.post(url, form_data(ts=old))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Formuläret har varit öppet länge" in html
    fresh = re.search(r'name="ts" value="([^"]+)"', html).group(1)
    assert fresh != old
    # Sending it again at once is not spam: the visitor has spent time on it already.
    assert client.post(url, form_data(ts=fresh)).status_code == 302
    assert ContactRequest.objects.get().status == ContactRequest.Status.SENT


@override_settings(FSS_CONTACT_RATE_LIMIT=5, FSS_CONTACT_RATE_WINDOW=600)
def test_rate_limit_per_ip_address(client, url):
    for n in range(5):
        response = client.post(url, form_data(name=f"Person {n}"), REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
    response = client.post(url, form_data(name="Sjätte"), REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "För många förfrågningar" in html
    assert 'value="Sjätte"' in html  # nothing typed is lost
    assert ContactRequest.objects.count() == 5
    client.post(url, form_data(name="Sjunde"), REMOTE_ADDR="10.0.0.1")
    assert SpamCount.objects.get(reason="rate_limited").count == 1
    # Another address is not affected.
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.2").status_code == 302
    # Invalid submissions do not use up the quota.
    assert client.post(url, {"name": "x"}, REMOTE_ADDR="10.0.0.3").status_code == 400
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.3").status_code == 302


@override_settings(FSS_CONTACT_PROXY_COUNT=1, FSS_CONTACT_RATE_LIMIT=1)
def test_rate_limit_behind_a_trusted_proxy_uses_the_forwarded_address(client, url):
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert (
        client.post(url, form_data(), HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2", **proxy).status_code
        == 302
    )
    # A spoofed first hop does not help: the proxy's own entry (the last) counts.
    assert (
        client.post(url, form_data(), HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2", **proxy).status_code
        == 429
    )
    assert client.post(url, form_data(), HTTP_X_FORWARDED_FOR="3.3.3.3", **proxy).status_code == 302


def test_rate_limit_fails_open_and_logs_when_the_cache_is_down(client, url, caplog):
    broken = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    from django.conf import settings

    caches_setting = {**settings.CACHES, "broken": broken}
    with (
        override_settings(CACHES=caches_setting, FSS_CONTACT_CACHE="broken"),
        caplog.at_level(logging.WARNING, logger="fss_site.contact"),
    ):
        response = client.post(url, form_data())
    assert response.status_code == 302
    assert ContactRequest.objects.get().status == ContactRequest.Status.SENT
    assert "släpps igenom" in caplog.text
    assert "karin@example.org" not in caplog.text


# -- storing and mailing -----------------------------------------------------------------------


class RecordingBackend(locmem.EmailBackend):
    """Records what the database holds at the moment a mail is handed to the backend."""

    snapshots: list = []

    def send_messages(self, messages):
        for _message in messages:
            RecordingBackend.snapshots.append(
                list(ContactRequest.objects.values_list("name", "status", "sent_at"))
            )
        return super().send_messages(messages)


def test_request_is_stored_before_it_is_mailed(client, url):
    RecordingBackend.snapshots = []
    with override_settings(EMAIL_BACKEND=f"{__name__}.RecordingBackend"):
        assert client.post(url, form_data()).status_code == 302
    first = RecordingBackend.snapshots[0]
    assert first == [("Karin Journalist", "new", None)]
    request_obj = ContactRequest.objects.get()
    assert request_obj.status == ContactRequest.Status.SENT
    assert request_obj.sent_at and request_obj.confirmation_sent_at
    assert request_obj.attempts == 1


def test_notification_subject_reply_to_and_recipient(client, url, people, topic, site_tree):
    site_settings = SiteSettings.for_site(site_tree.home.get_site())
    site_settings.contact_email = "press@example.org"
    site_settings.save()
    response = client.post(url, form_data(spokesperson=people["anna"].pk, topic=topic.pk))
    assert response.status_code == 302
    assert response["Location"] == f"{url}tack/"
    [message] = notifications()
    assert message.to == ["press@example.org"]
    assert "Anna Andersson" in message.subject
    assert "Äldreomsorg" in message.subject
    assert "Intervju" in message.subject
    assert message.reply_to == ['"Karin Journalist" <karin@example.org>'] or message.reply_to == [
        "Karin Journalist <karin@example.org>"
    ]
    parsed = message_from_bytes(message.message().as_bytes())
    assert "karin@example.org" in parsed["Reply-To"]
    assert "Vi gör ett reportage om hemtjänsten" in message.body
    assert "Lokaltidningen" in message.body
    assert "/admin/kontaktforfragningar/edit/" in message.body


def test_subject_without_spokesperson_or_topic(client, url):
    client.post(url, form_data(kind="panel"))
    subject = notifications()[0].subject
    assert "Panel eller seminarium" in subject
    assert "Ingen särskild talesperson" in subject
    assert "Inget särskilt ämne" in subject


def test_confirmation_mail_and_page(client, url, people, site_tree):
    response = client.post(url, form_data(spokesperson=people["bo"].pk), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{url}tack/", 302)]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Tack för din förfrågan" in html
    [confirmation] = confirmations()
    assert confirmation.to == ["karin@example.org"]
    assert confirmation.reply_to == ["info@socialchefer.se"]
    assert confirmation.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "Bo Berg" in confirmation.body
    # No free text the visitor typed is echoed to the address they gave.
    assert "reportage" not in confirmation.body
    assert "Karin" not in confirmation.body


def test_get_thanks_page_directly_and_unknown_methods(client, url):
    assert client.get(f"{url}tack/").status_code == 200
    assert client.put(url).status_code == 405


def test_retry_command_sends_unsent_requests_exactly_once(client, url):
    delivery.pause_sending()  # as after a mail failure: the web request does not send
    client.post(url, form_data(name="Första"))
    client.post(url, form_data(name="Andra"))
    assert mail.outbox == []
    assert set(ContactRequest.objects.values_list("status", flat=True)) == {"new"}
    out = io.StringIO()
    call_command("send_contact_requests", stdout=out)
    assert "Skickade 2 förfrågningar, 0 misslyckades." in out.getvalue()
    assert len(notifications()) == 2 and len(confirmations()) == 2
    assert set(ContactRequest.objects.values_list("status", flat=True)) == {"sent"}
    out = io.StringIO()
    call_command("send_contact_requests", stdout=out)
    assert "Inga förfrågningar att skicka." in out.getvalue()
    assert len(mail.outbox) == 4
    assert not delivery.sending_paused()  # a successful run resumes sending from the web


def test_a_request_claimed_by_another_worker_is_not_sent_twice(client, url):
    delivery.pause_sending()
    client.post(url, form_data())
    request_obj = ContactRequest.objects.get()
    token = delivery.claim(request_obj.pk)  # another run holds it
    assert token
    assert delivery.claim(request_obj.pk) is None
    call_command("send_contact_requests", stdout=io.StringIO())
    assert mail.outbox == []
    assert delivery.deliver(request_obj, token) is None
    assert len(notifications()) == 1
    call_command("send_contact_requests", stdout=io.StringIO())
    assert len(notifications()) == 1
    # A claim left by a worker that died is taken over after the claim time.
    ContactRequest.objects.filter(pk=request_obj.pk).update(
        status="new",
        sent_at=None,
        claim_token="dead",
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    call_command("send_contact_requests", stdout=io.StringIO())
    assert len(notifications()) == 2


def test_spam_rescued_by_an_editor_is_sent(client, url):
    client.post(url, form_data(website="x"))
    ContactRequest.objects.update(status="new")
    call_command("send_contact_requests", stdout=io.StringIO())
    assert len(notifications()) == 1


def test_send_command_rejects_bad_limit():
    with pytest.raises(CommandError):
        call_command("send_contact_requests", "--limit", "0")


# -- abuse of the transport ------------------------------------------------------------------


def test_three_megabyte_post_is_rejected_with_400(client, url):
    body = "name=x&message=" + "a" * (3 * 1024 * 1024)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not ContactRequest.objects.exists()
    # With CSRF checks on (the CSRF cookie set by the form page), the middleware reading
    # the body hits the limit first: still 400, not 500.
    strict = Client(enforce_csrf_checks=True)
    strict.get(url)
    response = strict.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_post_without_csrf_token_is_refused(url):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, form_data()).status_code == 403
    assert not ContactRequest.objects.exists()
    # With the token from the page it goes through.
    page = strict.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert strict.post(url, form_data(csrfmiddlewaretoken=csrf)).status_code == 302


def _token_and_timestamp(html):
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    ts = re.search(r'name="ts" value="([^"]+)"', html).group(1)
    return csrf, ts


def test_a_form_refused_for_its_csrf_cookie_comes_back_filled_in(url, people, days, topic):
    """Cookies off or cleared while the form was open: Django refuses the POST, and the
    visitor gets the form back as it was sent, to send again, not Django's page."""
    strict = Client(enforce_csrf_checks=True)
    sent = form_data(
        spokesperson=str(people["anna"].pk),
        topic=str(topic.pk),
        kind="almedalen",
        days=[str(days["anna1"].pk), str(days["anna2"].pk)],
        message="Vi vill träffa Anna i Almedalen <b>båda</b> dagarna.",
        website="http://spam.example",
    )
    response = strict.post(url, sent)
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["csrftoken"].value  # a new CSRF cookie for the second try
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Formuläret skickades inte" in html
    assert "Formuläret skickades inte" in html.split("</title>")[0]
    assert 'value="Karin Journalist"' in html
    assert 'value="karin@example.org"' in html
    assert "Almedalen &lt;b&gt;båda&lt;/b&gt; dagarna." in html
    assert re.search(rf'<option value="{people["anna"].pk}" selected>', html)
    assert re.search(rf'<option value="{topic.pk}" selected>', html)
    assert re.search(r'value="almedalen"[^>]* checked', html)
    for day in ("anna1", "anna2"):
        assert re.search(rf'value="{days[day].pk}" id="[^"]+" checked', html)
    assert re.search(r'name="consent"[^>]* checked', html)
    assert "spam.example" not in html  # the honeypot is not filled in again
    assert not ContactRequest.objects.exists()

    # Sent again as it came back, it goes through (and is not taken for spam).
    csrf, ts = _token_and_timestamp(html)
    again = strict.post(url, {**sent, "website": "", "csrfmiddlewaretoken": csrf, "ts": ts})
    assert again.status_code == 302
    stored = ContactRequest.objects.get()
    assert stored.status != ContactRequest.Status.SPAM
    assert stored.name == "Karin Journalist"
    assert "båda" in stored.message


def test_a_form_with_a_stale_csrf_token_comes_back_filled_in(url):
    strict = Client(enforce_csrf_checks=True)
    strict.get(url)  # the CSRF cookie
    response = strict.post(url, form_data(csrfmiddlewaretoken="x" * 64))
    assert response.status_code == 403
    assert 'value="Karin Journalist"' in response.content.decode()


def test_a_form_sent_from_another_site_is_not_shown_filled_in(url):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        url, form_data(), secure=True, headers={"Origin": "https://annan.example"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formuläret kunde inte skickas" in html
    assert "Karin Journalist" not in html
    assert not ContactRequest.objects.exists()


def test_any_other_refused_form_gets_a_swedish_page_in_the_site(site_tree):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("wagtailadmin_login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Formuläret kunde inte skickas</h1>" in html
    assert "info@socialchefer.se" in html
    assert "Forbidden" not in html and "DEBUG" not in html


# -- the admin -------------------------------------------------------------------------------


@pytest.fixture
def submissions(client, url, people, topic):
    delivery.pause_sending()
    client.post(url, form_data(name="Anna-fråga", spokesperson=people["anna"].pk, topic=topic.pk))
    client.post(
        url,
        form_data(name="Bo-fråga", spokesperson=people["bo"].pk, message='=HYPERLINK("http://x")'),
    )
    ContactRequest.objects.filter(name="Bo-fråga").update(
        status="failed",
        last_error="SMTPConnectError",
        created_at=timezone.now() - datetime.timedelta(days=10),
    )
    delivery.resume_sending()
    return {r.name: r for r in ContactRequest.objects.all()}


def test_moderator_lists_filters_and_exports(client, moderator, submissions, people):
    client.force_login(moderator)
    index = reverse("contact_requests:index")
    html = client.get(index).content.decode()
    assert "Anna-fråga" in html and "Bo-fråga" in html
    html = client.get(index, {"status": "failed"}).content.decode()
    assert "Bo-fråga" in html and "Anna-fråga" not in html
    html = client.get(index, {"spokesperson": people["anna"].pk}).content.decode()
    assert "Anna-fråga" in html and "Bo-fråga" not in html
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    html = client.get(index, {"created_at_from": since}).content.decode()
    assert "Anna-fråga" in html and "Bo-fråga" not in html

    html = client.get(index, {"q": "Anna-fråga"}).content.decode()
    assert "Anna-fråga" in html and "Bo-fråga" not in html

    response = client.get(index, {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "Inkommen" in rows[0] and "Talesperson" in rows[0]
    flat = [cell for row in rows for cell in row]
    assert "Anna-fråga" in flat and "karin@example.org" in flat and "Anna Andersson" in flat
    assert '\'=HYPERLINK("http://x")' in flat  # formulas are neutralised


def test_moderator_marks_a_request_handled(client, moderator, submissions):
    client.force_login(moderator)
    request_obj = submissions["Bo-fråga"]
    edit = reverse("contact_requests:edit", args=[request_obj.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"status": "handled", "note": "Bokade intervju.", "name": "Ändrat namn"}
    )
    assert response.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == "handled"
    assert request_obj.handled_at is not None
    assert request_obj.note == "Bokade intervju."
    assert request_obj.name == "Bo-fråga"  # what the visitor sent is read-only
    # Handled requests are not retried.
    call_command("send_contact_requests", stdout=io.StringIO())
    assert not notifications() or all(
        m.extra_headers["X-FSS-Contact-Request"] != str(request_obj.pk) for m in notifications()
    )


def test_editor_can_view_but_not_change(client, editor, submissions):
    client.force_login(editor)
    request_obj = submissions["Anna-fråga"]
    assert client.get(reverse("contact_requests:index")).status_code == 200
    assert client.get(reverse("contact_requests:inspect", args=[request_obj.pk])).status_code == 200
    client.post(reverse("contact_requests:edit", args=[request_obj.pk]), {"status": "spam"})
    request_obj.refresh_from_db()
    assert request_obj.status != "spam"


def test_dashboard_shows_unsent_requests(client, editor, submissions):
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 förfrågan kunde inte skickas" in html
    assert "?status=failed" in html


def test_nobody_creates_requests_in_the_admin(client, django_user_model, submissions):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123")
    client.force_login(admin)
    response = client.get(reverse("contact_requests:add"))
    assert response.status_code in {302, 403}
    assert ContactRequest.objects.count() == 2


def test_anonymous_cannot_see_requests(client, submissions):
    response = client.get(reverse("contact_requests:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_spam_counter_is_visible_to_editors(client, editor, url):
    client.post(url, form_data(website="x"))
    client.force_login(editor)
    response = client.get(reverse("contact_spam_counts:index"))
    assert response.status_code == 200
    assert "Fältet ”Lämna tomt” var ifyllt" in response.content.decode()


# -- retention -------------------------------------------------------------------------------


def _stored(name, age_days, status="sent"):
    return ContactRequest.objects.create(
        name=name,
        email=f"{name.lower()}@example.org",
        organisation="Org",
        kind="other",
        message="Hej",
        status=status,
        created_at=timezone.now() - datetime.timedelta(days=age_days),
    )


def test_purge_deletes_only_old_requests_and_logs_counts(caplog, db):
    _stored("Gammal", 400)
    _stored("Ny", 10)
    _stored("Gammalskrap", 40, status="spam")
    _stored("Nyskrap", 5, status="spam")
    with caplog.at_level(logging.INFO, logger="fss_site.contact"):
        call_command("purge_contact_requests", "--dry-run", stdout=io.StringIO())
        assert ContactRequest.objects.count() == 4
        out = io.StringIO()
        call_command("purge_contact_requests", stdout=out)
    assert sorted(ContactRequest.objects.values_list("name", flat=True)) == ["Ny", "Nyskrap"]
    assert "Raderade 2 kontaktförfrågningar (1 äldre än 365 dagar, 1 skräp" in out.getvalue()
    assert "Provkörning: 2 kontaktförfrågningar skulle raderas" in caplog.text
    assert "Raderade 2" in caplog.text
    for secret in ["Gammal", "gammal@example.org", "Gammalskrap"]:
        assert secret not in caplog.text


def test_purge_days_option_and_setting(db):
    _stored("Femton", 15)
    _stored("Fem", 5)
    call_command("purge_contact_requests", "--days", "10", stdout=io.StringIO())
    assert list(ContactRequest.objects.values_list("name", flat=True)) == ["Fem"]
    with override_settings(FSS_CONTACT_RETENTION_DAYS=3):
        call_command("purge_contact_requests", stdout=io.StringIO())
    assert not ContactRequest.objects.exists()
    with pytest.raises(CommandError):
        call_command("purge_contact_requests", "--days", "0")
