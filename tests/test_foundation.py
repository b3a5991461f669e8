"""Settings, site settings, topics, scheduled publishing and the set-up commands."""

import datetime
import os
import subprocess
import sys
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from wagtail.models import Page, Site

from blog.models import BlogPage
from fss_site.models import HomePage, SiteSettings, Topic
from fss_site.site_tree import ensure_site_tree, privacy_notice

ROOT = settings.BASE_DIR


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert settings.WAGTAILADMIN_PERMITTED_LANGUAGES == [("sv", "Svenska")]
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] == "swedish"


def test_database_follows_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def _settings_subprocess(
    module, env_extra, code="from django.conf import settings; print(settings.DEBUG)"
):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "WAGTAILADMIN_BASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": module, **env_extra})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _settings_subprocess("fss_site.settings.production", {})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_secure():
    result = _settings_subprocess(
        "fss_site.settings.production",
        {"SECRET_KEY": "x" * 64, "WAGTAILADMIN_BASE_URL": "https://www.socialchefer.se"},
        code=(
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS > 0)"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_base_settings_have_debug_off():
    result = _settings_subprocess("fss_site.settings.base", {"DJANGO_DEBUG": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_site_settings_default_contact_address(site_tree):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == site_tree.home.pk
    assert SiteSettings.for_site(site).contact_email == "info@socialchefer.se"


@pytest.mark.django_db
def test_topic_names_are_unique_regardless_of_case():
    Topic.objects.create(name="Äldreomsorg")
    # Non-ASCII letters fold too, on SQLite as on PostgreSQL.
    with pytest.raises(ValidationError) as error:
        Topic(name="äldreomsorg", slug="annan").full_clean()
    assert "name" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(name="ÄLDREOMSORG ", slug="aldreomsorg-2")
    assert Topic.objects.get().slug == "aldreomsorg"
    assert Topic.find(" äldreomsorg") == Topic.objects.get()
    Topic(name="Äldrevård", slug="aldrevard").full_clean()


@pytest.mark.django_db
def test_site_tree_is_idempotent(as_migrated):
    tree, created = ensure_site_tree()
    assert "Blogg" in created
    pages_before = Page.objects.count()
    tree2, created2 = ensure_site_tree()
    assert created2 == []
    assert Page.objects.count() == pages_before
    assert tree2.blog.pk == tree.blog.pk
    assert HomePage.objects.count() == 1
    # Wagtail's placeholder page is gone and the home page is the site root.
    assert not Page.objects.filter(content_type__model="page", depth=2).exists()


@pytest.mark.django_db
def test_setup_site_command_reports(as_migrated):
    out = StringIO()
    call_command("setup_site", stdout=out)
    assert "Skapade sidor" in out.getvalue()
    out = StringIO()
    call_command("setup_site", stdout=out)
    assert "redan komplett" in out.getvalue()


@pytest.mark.django_db
def test_scheduled_publishing_and_expiry(site_tree):
    post = BlogPage(title="Schemalagt", slug="schemalagt", live=False)
    site_tree.blog.add_child(instance=post)
    post.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    post.save_revision().publish()
    post.refresh_from_db()
    assert not post.live
    revision = post.scheduled_revision
    assert revision is not None

    # Time passes: the scheduled moment is now in the past.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled", stdout=StringIO())
    post.refresh_from_db()
    assert post.live

    post.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    post.save()
    call_command("publish_scheduled", stdout=StringIO())
    post.refresh_from_db()
    assert not post.live
    assert post.expired


@pytest.mark.django_db
def test_site_address_comes_from_site_url(as_migrated, settings):
    settings.SITE_URL = "https://www.socialchefer.se"
    ensure_site_tree()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("www.socialchefer.se", 443)
    assert site.root_url == "https://www.socialchefer.se"


@pytest.mark.django_db
def test_site_tree_survives_a_flushed_database():
    from wagtail.models import Locale

    Page.objects.all().delete()
    Locale.objects.all().delete()
    tree, created = ensure_site_tree()
    assert tree.home.get_parent().depth == 1
    assert "Blogg" in created


@pytest.mark.django_db
def test_privacy_notice_explains_the_contact_form(client, site_tree):
    html = client.get(site_tree.privacy.url).content.decode()
    assert "<h2" in html and "Kontaktformuläret" in html
    assert "365 dagar" in html


def test_privacy_notice_states_the_configured_retention_times(settings):
    settings.FSS_CONTACT_RETENTION_DAYS = 90
    settings.FSS_CONTACT_SPAM_RETENTION_DAYS = 1
    text = " ".join(str(value) for _kind, value in privacy_notice())
    assert "raderas automatiskt från webbplatsen efter 90 dagar." in text
    assert "stoppar raderas efter högst 1 dag." in text
    assert "365" not in text and "30 dagar" not in text


def test_the_local_secret_key_is_one_whole_key_when_many_start_at_once(tmp_path, monkeypatch):
    from fss_site.settings import dev

    monkeypatch.setattr(dev, "BASE_DIR", tmp_path)
    start = threading.Barrier(8)
    keys = []

    def read_key():
        start.wait()
        keys.append(dev._local_secret_key())

    threads = [threading.Thread(target=read_key) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) >= 50
    assert [p.name for p in (tmp_path / ".local").iterdir()] == ["secret_key"]
    assert (tmp_path / ".local" / "secret_key").stat().st_mode & 0o777 == 0o600
