"""The contact form under arbitrary input: never a 500, never a header broken by CR/LF.

Hypothesis generates field values (any length, control characters, line breaks, any
Unicode) and posts them; every answer is 200, 302, 400 or 429, and every mail sent has
headers without CR or LF. An oversized body (3 MB) is refused with a 400.
"""

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fss_site.contact import antispam
from fss_site.contact.models import ContactRequest

ALLOWED = {200, 302, 400, 429}
LINE_BREAKS = st.sampled_from(["\r", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\x00"])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.text(max_size=20), LINE_BREAKS), max_size=12).map("".join),
    st.text(min_size=190, max_size=260, alphabet=st.characters(codec="utf-8")),
)
EMAIL = st.one_of(
    st.emails(),
    TEXT,
    st.builds(lambda a, b: f"{a}@example.org{b}", st.text(max_size=10), LINE_BREAKS),
)


@pytest.fixture
def url(site_tree):
    return site_tree.contact.url


def _valid(**overrides):
    data = {
        "name": "Karin Journalist",
        "email": "karin@example.org",
        "organisation": "Lokaltidningen",
        "phone": "",
        "kind": "interview",
        "spokesperson": "",
        "topic": "",
        "message": "Vi vill intervjua någon.",
        "consent": "on",
        "website": "",
        "ts": antispam.issue_token(time.time() - 60),
    }
    data.update(overrides)
    return data


def _assert_clean_headers(message):
    for line in [message.subject, message.from_email, *message.to, *message.reply_to]:
        assert "\r" not in str(line) and "\n" not in str(line), repr(line)
    for name, value in message.extra_headers.items():
        assert "\r" not in f"{name}{value}" and "\n" not in f"{name}{value}"
    for name, value in message.message().items():
        assert "\r" not in value.replace("\r\n ", "").replace("\r\n\t", ""), name
    message.message().as_bytes()  # the whole mail can be serialised


@pytest.mark.django_db
@settings(
    max_examples=60,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=TEXT,
    email=EMAIL,
    organisation=TEXT,
    phone=TEXT,
    message=TEXT,
    kind=st.one_of(st.sampled_from(["interview", "panel", "almedalen", "other"]), TEXT),
    extra=st.dictionaries(
        st.sampled_from(["spokesperson", "topic", "days", "website", "ts"]), TEXT, max_size=2
    ),
)
def test_any_input_gives_a_4xx_or_success_and_clean_mail(
    url, name, email, organisation, phone, message, kind, extra
):
    cache.clear()
    mail.outbox = []
    data = _valid(
        name=name, email=email, organisation=organisation, phone=phone, message=message, kind=kind
    )
    data.update(extra)
    response = Client().post(url, data)
    assert response.status_code in ALLOWED
    for sent in mail.outbox:
        _assert_clean_headers(sent)


@pytest.mark.django_db
@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\r\nBcc: offer@example.org"])
def test_line_breaks_in_name_and_organisation_never_reach_headers(url, breaker):
    cache.clear()
    mail.outbox = []
    response = Client().post(
        url,
        _valid(
            name=f"Karin{breaker}Bcc: offer@example.org",
            organisation=f"Tidningen{breaker}X-Extra: 1",
            email="karin@example.org",
        ),
    )
    assert response.status_code in {302, 400}
    for sent in mail.outbox:
        _assert_clean_headers(sent)
        assert "offer@example.org" not in sent.recipients()
    if response.status_code == 302:
        assert ContactRequest.objects.count() == 1
        assert mail.outbox, "a valid request is mailed"


@pytest.mark.django_db
def test_three_megabyte_body_is_refused_with_400(url):
    before = ContactRequest.objects.count()
    response = Client().post(url, _valid(message="x" * (3 * 1024 * 1024)))
    assert response.status_code == 400
    assert ContactRequest.objects.count() == before
