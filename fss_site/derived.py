"""Fields a page derives from its other fields when it is saved.

A post's listing date and reading time, and the plain text that search results quote from,
are stored so that listings and search read one column instead of working them out from
the body on every view.

A page type lists them in ``DERIVED_FIELDS``: the derived field's name, mapped to the
fields it is derived from and the function that computes it from the page. Rules:

- A full save computes every derived field.
- A save of some fields only (``update_fields``) computes and writes only the derived
  fields whose sources are among them. Wagtail saves a draft of a live page that way, with
  the draft's content in the page object: the draft's body must not reach the published
  row (listings, search) before the draft is published.
- Code that writes rows without ``save()`` (``generate_content``) calls
  ``derive_fields()`` first.
- A migration that adds a derived field fills it in with ``fill_in()``.
- A revision holds what the editor wrote, not the derived fields: they are computed
  again when the revision is published (a full save), so a revision does not carry a
  second copy of the body's text.
"""

from __future__ import annotations


class DerivedFieldsMixin:
    # Derived field -> (the fields it is derived from, a function of the page).
    DERIVED_FIELDS: dict = {}

    def derive_fields(self, only_from=None) -> list[str]:
        """Compute the derived fields (those derived from a field in ``only_from``, if
        given) and return their names."""
        names = []
        for name, (sources, compute) in self.DERIVED_FIELDS.items():
            if only_from is None or any(source in only_from for source in sources):
                setattr(self, name, compute(self))
                names.append(name)
        return names

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        derived = self.derive_fields(only_from=update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = [
                *update_fields,
                *(name for name in derived if name not in update_fields),
            ]
        return super().save(*args, **kwargs)

    def serializable_data(self):
        data = super().serializable_data()
        for name in self.DERIVED_FIELDS:
            data.pop(name, None)
        return data


def fill_in(model, name, sources, compute) -> None:
    """Fill in the derived field ``name`` of every row of ``model`` (a migration's
    historical model), reading only the fields it is derived from."""
    changed = []
    for page in model.objects.only("pk", *sources).iterator(chunk_size=500):
        setattr(page, name, compute(page))
        changed.append(page)
    model.objects.bulk_update(changed, [name], batch_size=500)
