"""Checks that the admin's page forms make across the rows of an inline panel.

A row's own fields are checked by its form; what needs the rows together (the same person
twice) or the page and its rows together (a day outside the event) is checked in the
page's form (``base_form_class``), after the rows' own checks, with the error at the row.

And a check that the page types' ``clean()`` share: a date in a year none of the
association's posts, positions or events can have is a typing error (3023 for 2023, 0001,
9999), refused at the field, before it sorts first in every listing for ever.
"""

from django.utils.translation import gettext as _

YEARS = (1900, 2999)


def year_error(value) -> str | None:
    """The message for a date (or datetime) outside ``YEARS``, else None."""
    if value is None or YEARS[0] <= value.year <= YEARS[1]:
        return None
    return _("Kontrollera årtalet: %(year)s.") % {"year": value.year}


def saved_rows(formset):
    """The rows of an inline formset that will be saved, as (form, cleaned data): valid on
    their own and not marked for deletion."""
    formset.is_valid()  # each row's own checks first: a row with an error has it already
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE") and not form.errors:
            yield form, data


def refuse_repeats(rows, key, field: str, message: str) -> None:
    """An error at ``field`` of each row whose ``key(data)`` an earlier row had (rows
    whose key is None are not compared)."""
    seen = set()
    for form, data in rows:
        value = key(data)
        if value is None:
            continue
        if value in seen:
            form.add_error(field, message)
        seen.add(value)
