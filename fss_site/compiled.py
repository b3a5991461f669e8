"""Querysets compiled to SQL once per process, run again with other values.

Building a queryset (``filter``, ``only``, ``order_by`` ...) and compiling it to SQL takes
Django about a millisecond of Python per query, on every page view, though a page's query
is the same SQL every time: only its values change (the topic's id, the time now, the
ids of the pages to show).

``run(key, model, build, *values)`` builds the queryset once per key with stand-in values
(of the same types, values no real query has), compiles it, and notes where the
stand-ins are among the SQL's parameters. Every run then executes that SQL with its own
values in their places, through Django's own iterator: the rows become model instances
as they would from the queryset itself, ``select_related`` and ``prefetch_related``
included (a ``Prefetch`` into a list, ``to_attr``, over a reverse foreign key is read
by compiled SQL too). It is compiled twice, with two sets of stand-ins; if the SQL
differs (a value written into the SQL itself) or a stand-in is not found, the key is not
compiled.

Rules:

- ``build(*values)`` returns a queryset whose SQL depends on nothing but the values and
  the key: the key holds everything else it depends on (the private sections, a limit
  that varies ...). The model, the database and the values' types (and lengths of
  lists) are added to the key here.
- Values: ints, strings, dates, datetimes, and lists or tuples of ints. Each stand-in must
  reach the SQL as a parameter unchanged (or as the database's form of a date): a value
  that ``build`` computes with (``now.date()``, ``pk + 1``) is not found among the
  parameters, and then that key runs through Django as it is, every time. Tests can ask
  ``compiled_for(key, model, *values)``.
- A slice (LIMIT, OFFSET) is written into the SQL: it belongs in the key, not among the
  values.
- A query that Django answers without SQL (``pk__in=[]``), or a ``build`` that fails with
  the stand-ins, runs through Django as it is.
- At most ``MAX_ENTRIES`` keys are kept per process; then the cache starts again. The
  SQL lives as long as the process: a deploy migrates and then replaces the workers
  (``systemctl reload fss-site``, docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import logging
import threading
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, router

logger = logging.getLogger(__name__)

MAX_ENTRIES = 256
# Stand-ins: ids near the top of a 32-bit integer column (Django answers a value outside
# a column's range without SQL, so not negative ones), a year before any content, a string
# no one searches for.
_STAND_IN_ID = 2_000_000_000
_STAND_IN_DATE = datetime.date(1901, 1, 1)


@dataclass(frozen=True)
class _Entry:
    queryset: object  # the queryset built with the stand-ins, never evaluated
    compiler: object  # its compiler, set up by as_sql(): select, klass_info ...
    sql: str
    params: tuple
    # Index in params -> (index in the flattened values, adapt function or None).
    slots: dict
    # Lists prefetched here, by compiled SQL too: (to_attr, the related model's foreign
    # key, the Prefetch's queryset).
    prefetches: tuple = ()


_entries: dict = {}
_lock = threading.Lock()
_UNCOMPILABLE = object()


def _flat(values) -> list:
    flat = []
    for value in values:
        if isinstance(value, list | tuple):
            flat.extend(value)
        else:
            flat.append(value)
    return flat


def _shape(values) -> tuple:
    return tuple((type(v), len(v)) if isinstance(v, list | tuple) else type(v) for v in values)


def _stand_ins(values, start: int = 0) -> list:
    counter = iter(range(start, start + 10_000))

    def one(value):
        n = next(counter)
        if isinstance(value, bool):
            raise TypeError("booleans cannot stand in: use them in the key")
        if isinstance(value, int):
            return _STAND_IN_ID + n
        if isinstance(value, str):
            return f"fss-stand-in-{n}"
        if isinstance(value, datetime.datetime):
            return datetime.datetime(1901, 1, 1, 0, 0, n % 60, n, tzinfo=value.tzinfo)
        if isinstance(value, datetime.date):
            return _STAND_IN_DATE + datetime.timedelta(days=n)
        raise TypeError(f"no stand-in for a {type(value).__name__}")

    return [type(v)(one(x) for x in v) if isinstance(v, list | tuple) else one(v) for v in values]


def _forms(connection, stand_in):
    """The forms a value can take among the parameters: itself, or the database's form."""
    yield None, stand_in
    ops = connection.ops
    if isinstance(stand_in, datetime.datetime):
        yield ops.adapt_datetimefield_value, ops.adapt_datetimefield_value(stand_in)
    elif isinstance(stand_in, datetime.date):
        yield ops.adapt_datefield_value, ops.adapt_datefield_value(stand_in)


def _put_in(param, form, adapt):
    """How a value goes where ``param`` is, if ``param`` is the stand-in in this form:
    ``adapt`` (None: as it is), the parameter's own integer type (psycopg's ``Int4``
    that Django gives some integer columns), or False if it is not the stand-in."""
    if type(param) is type(form) and param == form:
        return adapt
    if (
        adapt is None
        and isinstance(form, int)
        and isinstance(param, int)
        and not isinstance(param, bool)
        and param == form
    ):
        return type(param)
    return False


def _slots(db, params, stand_ins) -> dict | None:
    """Where each stand-in is among the parameters, or None if one is not there."""
    slots = {}
    for value_index, stand_in in enumerate(_flat(stand_ins)):
        found = False
        for adapt, form in _forms(connections[db], stand_in):
            for i, param in enumerate(params):
                how = _put_in(param, form, adapt)
                if how is not False:
                    slots[i] = (value_index, how)
                    found = True
            if found:
                break
        if not found:
            return None
    return slots


def _own_prefetches(queryset):
    """The queryset without the prefetches compiled here, and those: ``Prefetch`` objects
    with a queryset and a ``to_attr``, over a reverse foreign key (a post's authors).
    Others stay with the queryset, for Django to run."""
    from django.db.models import Prefetch
    from django.db.models.fields.reverse_related import ManyToOneRel

    own, rest = [], []
    for lookup in queryset._prefetch_related_lookups:
        relation = None
        if (
            isinstance(lookup, Prefetch)
            and lookup.to_attr
            and lookup.queryset is not None
            and "__" not in lookup.prefetch_through
        ):
            # Not a field (a property, say): Django's prefetch handles it.
            with contextlib.suppress(FieldDoesNotExist):
                relation = queryset.model._meta.get_field(lookup.prefetch_through)
        if isinstance(relation, ManyToOneRel) and relation.one_to_many:
            own.append((lookup.to_attr, relation.field, lookup.queryset))
        else:
            rest.append(lookup)
    if own:
        queryset = queryset.prefetch_related(None).prefetch_related(*rest)
    return queryset, tuple(own)


def _compiled(build, stand_ins):
    queryset, prefetches = _own_prefetches(build(*stand_ins))
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots = _slots(queryset.db, params, stand_ins)
    return queryset, compiler, sql, params, slots, prefetches


def _compile(build, values):
    """Compiled twice, with two sets of stand-ins: the SQL must be the same, the
    stand-ins in the same places, or some value shapes the SQL itself."""
    first, second = _stand_ins(values), _stand_ins(values, start=5_000)
    try:
        queryset, compiler, sql, params, slots, prefetches = _compiled(build, first)
        _qs, _compiler, other_sql, _params, other_slots, _prefetches = _compiled(build, second)
    except EmptyResultSet:  # Django answers such a query without SQL
        return _UNCOMPILABLE
    except Exception:  # noqa: BLE001 - a stand-in it cannot take; the real values run as ever
        logger.info("Not compiled: the query fails with stand-ins", exc_info=True)
        return _UNCOMPILABLE
    if slots is None or other_sql != sql or other_slots != slots:
        logger.info("Not compiled: a value is not a parameter of its own: %s", sql)
        return _UNCOMPILABLE
    return _Entry(queryset, compiler, sql, tuple(params), slots, prefetches)


def _key(key, model, values) -> tuple:
    return (key, model._meta.label, router.db_for_read(model), _shape(values))


def compiled_for(key, model, *values) -> bool:
    return isinstance(_entries.get(_key(key, model, values)), _Entry)


def run(key, model, build, *values) -> list:
    """The results of ``build(*values)``, from SQL compiled once per key."""
    full_key = _key(key, model, values)
    entry = _entries.get(full_key)
    if entry is None:
        entry = _compile(build, values)
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[full_key] = entry
    if entry is _UNCOMPILABLE:
        return list(build(*values))
    flat = _flat(values)
    params = list(entry.params)
    for i, (value_index, how) in entry.slots.items():
        value = flat[value_index]
        params[i] = how(value) if how else value
    queryset = entry.queryset._chain()
    # A compiler that is already set up and answers with this run's parameters, on this
    # thread's connection; Django's iterator does the rest.
    compiler = copy.copy(entry.compiler)
    compiler.connection = connections[queryset.db]
    compiler.as_sql = lambda *args, **kwargs: (entry.sql, params)
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    rows = list(queryset)
    for to_attr, foreign_key, related in entry.prefetches:
        prefetch_list(full_key, rows, to_attr, related, foreign_key.name)
    return rows


def prefetch_list(key, rows, to_attr, related, foreign_key) -> None:
    """Each row's related objects as a list in ``to_attr``: the rows of ``related`` (a
    queryset, in its order) whose foreign key ``foreign_key`` (a field's name) points at
    the row. One query for all the rows, by SQL compiled once per key and number of rows;
    none without rows."""
    if not rows:
        return
    attname = related.model._meta.get_field(foreign_key).attname
    ids = [row.pk for row in rows]
    found = run(
        ("prefetch", key, to_attr),
        related.model,
        lambda ids: related.filter(**{f"{foreign_key}__in": ids}),
        ids,
    )
    by_row: dict = {}
    for item in found:
        by_row.setdefault(getattr(item, attname), []).append(item)
    for row in rows:
        setattr(row, to_attr, by_row.get(row.pk, []))
