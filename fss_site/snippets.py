"""The admin's views of the site-wide vocabulary: topics, categories and organisations."""

from wagtail.snippets.views.snippets import SnippetViewSet


class VocabularyViewSet(SnippetViewSet):
    """A list of named things in the admin menu, searched and filtered by name.

    The search looks for the typed text anywhere in the name, with the database's own
    ``icontains``, not through the search index: the lists are short, "omsorg" should find
    "Äldreomsorg", and SQLite's search backend failed on these models (a 500) when given
    ``search_fields``, and on any query with a double quote.
    """

    add_to_admin_menu = True
    search_backend_name = None
    search_fields = ["name"]
    list_filter = {"name": ["icontains"]}
