"""The admin's views of the site-wide vocabulary: topics, categories and organisations."""

from wagtail.snippets.views.snippets import SnippetViewSet


class VocabularyViewSet(SnippetViewSet):
    """A list of named things in the admin menu, searched and filtered by name.

    No ``search_fields``: the admin's search then uses the model's own index (its name).
    Naming the fields here made SQLite's search backend look for a column "name" in its
    full-text table, and every search was a 500.
    """

    add_to_admin_menu = True
    list_filter = {"name": ["icontains"]}
