"""Admin login lock-out (django-axes) through the Wagtail login view, behind the proxies.

The proxies append to X-Forwarded-For: the TLS proxy adds the client's address, Varnish
adds the TLS proxy's (TRUSTED_PROXY_COUNT=2 in .env.example). The application must lock
out the client, not the proxy, and must not be fooled by addresses a client forges in
front of the chain.
"""

import datetime

import pytest
from django.utils import timezone

LOGIN_URL = "/admin/login/"
TLS_PROXY = "10.0.0.2"


@pytest.fixture
def axes_on(settings):
    # The values production derives from TRUSTED_PROXY_COUNT=2 (see test_settings_env.py).
    settings.AXES_ENABLED = True
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.IPWARE_STRICT = False
    settings.FSS_CONTACT_PROXY_COUNT = 2
    return settings


def login(client, ip, password, *, forged=""):
    chain = f"{forged + ', ' if forged else ''}{ip}, {TLS_PROXY}"
    return client.post(
        LOGIN_URL,
        {"username": "moderator", "password": password},
        HTTP_X_FORWARDED_FOR=chain,
        REMOTE_ADDR="10.0.0.3",  # Varnish
    )


def test_five_failures_lock_out_that_address_only(client, axes_on, moderator):
    for attempt in range(1, 5):
        response = login(client, "203.0.113.5", "fel-lösenord")
        assert response.status_code == 200, attempt
        assert response.context["form"].errors

    locked = login(client, "203.0.113.5", "fel-lösenord")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert '<html lang="sv">' in html
    assert html.count("<h1>") == 1
    assert "För många inloggningsförsök" in html
    assert "15 minuter" in html
    assert locked["Retry-After"] == str(15 * 60)

    # Even the right password does not get through from that address now ...
    assert login(client, "203.0.113.5", "pw-moderator").status_code == 429
    # ... nor does forging another address in front of the chain help.
    assert login(client, "203.0.113.5", "pw-moderator", forged="198.51.100.7").status_code == 429

    # Another client behind the same proxies logs in normally.
    other = login(client, "203.0.113.9", "pw-moderator")
    assert other.status_code == 302
    assert other["Location"] == "/admin/"


def test_lock_out_ends_after_the_cool_off(client, axes_on, moderator):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "203.0.113.5", "fel-lösenord")
    assert login(client, "203.0.113.5", "pw-moderator").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = login(client, "203.0.113.5", "pw-moderator")
    assert response.status_code == 302


def test_axes_and_the_contact_form_agree_on_the_client_address(rf, axes_on):
    from axes.helpers import get_client_ip_address

    from fss_site.contact.antispam import client_ip

    request = rf.get(
        "/",
        HTTP_X_FORWARDED_FOR=f"198.51.100.7, 203.0.113.5, {TLS_PROXY}",
        REMOTE_ADDR="10.0.0.3",
    )
    assert get_client_ip_address(request) == "203.0.113.5"
    assert client_ip(request) == "203.0.113.5"


def test_wagtail_login_is_behind_the_axes_backend(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_HTTP_RESPONSE_CODE == 429
    assert settings.AXES_LOCKOUT_PARAMETERS == ["ip_address"]
