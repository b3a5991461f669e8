"""Shared fixtures: the page tree and users in the editorial groups."""

import pytest


def restore_migrated_data():
    """Put back what the migrations made, after a transactional test emptied the tables.

    Django flushes every table after a transactional test (live-server tests among them),
    which also removes the locale, the root page and collection, and the editorial groups
    and workflow that data migrations created. Tests that run afterwards get them back.
    """
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.management import create_permissions
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Workflow

    if Locale.objects.exists() and Workflow.objects.exists():
        return
    # Content types and permissions first: pages and groups refer to them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    import_module(
        "fss_site.migrations.0002_editorial_groups_and_workflow"
    ).configure_groups_and_workflow(apps)


# The database snapshot Django takes for serialized rollbacks, per alias.
_SERIALIZED_CONTENTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as migrated, then the site's page tree, made once for the session.

    Most tests start from the page tree (``site_tree``); making it took some 0.7 s a test.
    It is committed here, so every test's transaction starts with it and
    ``ensure_site_tree()`` finds it. Transactional tests run after all others and flush
    the tables at their end; a serialized rollback puts back the database as it is here,
    tree included, and the others make what they need again. Tests of what the migrations
    alone leave ask for ``as_migrated``.
    """
    from django.db import connections

    from fss_site.site_tree import ensure_site_tree

    with django_db_blocker.unblock():
        ensure_site_tree()
        for alias in connections:
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
                _SERIALIZED_CONTENTS[alias] = connection._test_serialized_contents


@pytest.fixture
def as_migrated(db):
    """The page tree as the migrations leave it, for tests of what builds on that: Wagtail's
    placeholder home page as the default site's root, no site tree."""
    from wagtail.models import Page, Site

    from fss_site.models import HomePage

    Site.objects.all().delete()
    for home in HomePage.objects.all():
        home.delete()
    placeholder = Page.get_first_root_node().add_child(
        instance=Page(title="Welcome to your new Wagtail site!", slug="home", live=True)
    )
    Site.objects.create(hostname="localhost", port=80, root_page=placeholder, is_default_site=True)


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request, _django_db_marker):
    """Give transactional tests the rows the migrations made, after an earlier flush.

    Runs after pytest-django has set the database up for the test. Django restores a
    serialized rollback's snapshot only through the connection object that took it; code
    running while Playwright's synchronous API is active (the browser fixtures) sees other
    connection objects, so the snapshot is attached and loaded here in that case.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    if marker.kwargs.get("serialized_rollback"):
        from django.db import connections

        for alias, contents in _SERIALIZED_CONTENTS.items():
            connection = connections[alias]
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = contents
                connection.creation.deserialize_db_from_string(contents)
        return
    restore_migrated_data()


@pytest.fixture(autouse=True)
def _kept_values_end_with_the_test():
    """Values kept per generation (``fss_site.listing.per_generation``) are keyed by this
    process's count of saves, and Django's caches keep what was read. A test's changes are
    rolled back, which no save follows: the next test must not read what this one kept."""
    yield
    from django.core.cache import caches

    from fss_site.listing import content_changed

    content_changed()
    # What Django's caches kept (Wagtail's site root paths among them) was read from rows
    # that the test's rollback took away.
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def site_tree(db):
    from fss_site.site_tree import ensure_site_tree

    tree, _created = ensure_site_tree()
    return tree


def make_user(django_user_model, username, group_name=None, **extra):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.org", password="pw-" + username, **extra
    )
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "redaktor", "Redaktörer")


@pytest.fixture
def moderator(django_user_model):
    return make_user(django_user_model, "moderator", "Moderatorer")
