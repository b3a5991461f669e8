"""Ids taken from addresses: only numbers the databases can hold.

The databases keep ids in 64-bit integers. PostgreSQL's backend answers a larger number
without a query; SQLite's cannot take one at all (``OverflowError``, a 500). The ``id``
path converter matches at most ``MAX_ID_DIGITS`` digits, every one of them a number below
2**63, so a longer number matches no address (a 404).
"""

from django.urls.converters import IntConverter

MAX_ID_DIGITS = 18


class IdConverter(IntConverter):
    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"
