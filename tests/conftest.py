"""Shared fixtures: the page tree and users in the editorial groups."""

import pytest


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
