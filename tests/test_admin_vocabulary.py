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
    model.objects.create(name="Äldreomsorg")
    client.force_login(admin_user)

    def found(query):
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return [str(each) for each in response.context["object_list"]]

    assert found("barn") == ["Barn och unga"]
    # Anywhere in the name, not only at the start of a word.
    assert found("omsorg") == ["Äldreomsorg"]
    # Characters that a full-text query would read as syntax.
    assert found('"barn') == []
    assert found("och*") == []
