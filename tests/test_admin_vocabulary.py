"""Editors find topics, categories and organisers with the admin's search, on either
database."""

import pytest

from blog.models import Category
from events.models import Organisation
from fss_site.models import Topic


@pytest.mark.parametrize(
    "model, url",
    [
        (Topic, "/admin/snippets/fss_site/topic/"),
        (Category, "/admin/snippets/blog/category/"),
        (Organisation, "/admin/snippets/events/organisation/"),
    ],
)
def test_the_admin_search_finds_the_vocabulary(client, admin_user, model, url):
    model.objects.create(name="Barn och unga")
    model.objects.create(name="Socialtjänstlagen")
    client.force_login(admin_user)
    response = client.get(url, {"q": "barn"})
    assert response.status_code == 200
    assert [str(each) for each in response.context["object_list"]] == ["Barn och unga"]
