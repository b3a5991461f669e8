"""The search backend: Wagtail's database backend, reading plain text as plain words.

A plain-text query loses its double quotes and extra blanks before the backend reads it,
a query with nothing left finds nothing, and a query of more than ``MAX_WORDS`` words is
searched for its first ``MAX_WORDS``, on every database:

- SQLite's full-text backend puts each word between double quotes without escaping the
  double quotes in it, so a query with one was a syntax error in SQLite (a 500, in the
  admin's page chooser and in the API alike), and a query of blanks alone failed too;
- PostgreSQL's backend ignores double quotes in plain text already, and found the tree's
  root page for a query of blanks;
- the backends nest one expression per word, and a query of some 150 words went past
  Python's recursion limit when Django hashed them (a 500 in the admin's searches on
  PostgreSQL). The site search reads at most ``fss_site.search.MAX_TERMS`` words, and the
  API at most ``MAX_QUERY_LENGTH`` characters, before a query gets here.

Phrases and other query objects are passed on as they are.
"""

from wagtail.search.backends.database import SearchBackend as database_backend
from wagtail.search.query import PlainText

# Far more than anybody types, and far below the nesting that Python cannot hash.
MAX_WORDS = 32


def plain_words(text: str) -> str:
    return " ".join(text.replace('"', " ").split()[:MAX_WORDS])


def _plain(query):
    if isinstance(query, str):
        return plain_words(query)
    if isinstance(query, PlainText):
        words = plain_words(query.query_string)
        # An empty string is what the backend answers with no results at all.
        return PlainText(words, operator=query.operator, boost=query.boost) if words else ""
    return query


_backend_classes: dict = {}


def _plain_words_backend(backend_class):
    """``backend_class`` reading plain-text queries as plain words (once per class)."""
    if backend_class not in _backend_classes:

        class PlainWordsBackend(backend_class):
            def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
                return super()._search(
                    query_compiler_class, _plain(query), model_or_queryset, **kwargs
                )

        _backend_classes[backend_class] = PlainWordsBackend
    return _backend_classes[backend_class]


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    """The backend Wagtail's database backend picks for this database, as plain words."""
    return _plain_words_backend(type(database_backend(params)))(params)
