"""Password reset in the admin: no user enumeration, links from the production base URL."""

import re

from django.core import mail

RESET_URL = "/admin/password_reset/"
BASE_URL = "https://www.socialchefer.se"


def _normalised(html: str) -> str:
    # Per-response values: the CSRF token (form field and the admin's JS configuration).
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"CSRF_TOKEN": "[^"]+"', "", html)


def test_same_answer_for_known_and_unknown_address(client, settings, moderator):
    settings.WAGTAILADMIN_BASE_URL = BASE_URL

    known = client.post(RESET_URL, {"email": moderator.email})
    unknown = client.post(RESET_URL, {"email": "ingen-sadan@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done_known = client.get(known["Location"])
    done_unknown = client.get(unknown["Location"])
    assert done_known.status_code == done_unknown.status_code == 200
    assert _normalised(done_known.content.decode()) == _normalised(done_unknown.content.decode())

    # Only the known address got a mail.
    assert [message.to for message in mail.outbox] == [[moderator.email]]


def test_reset_link_is_built_from_the_base_url_not_the_host_header(client, settings, moderator):
    settings.WAGTAILADMIN_BASE_URL = BASE_URL

    response = client.post(RESET_URL, {"email": moderator.email}, HTTP_HOST="evil.example.net")
    assert response.status_code == 302
    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    for link in links:
        assert link.startswith(f"{BASE_URL}/admin/password_reset/confirm/"), link
    assert "evil.example.net" not in message.body

    # The link works: it leads to the form for a new password.
    path = links[0][len(BASE_URL) :]
    confirm = client.get(path, follow=True)
    assert confirm.status_code == 200
    assert "new_password1" in confirm.content.decode()


def test_invalid_address_is_a_form_error_not_a_crash(client, db):
    response = client.post(RESET_URL, {"email": "inte-en-adress"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []
