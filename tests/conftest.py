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


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        restore_migrated_data()


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
