"""Dates in the language's formats (DATE_FORMAT, SHORT_DATETIME_FORMAT), quickly.

`django.utils.formats.date_format` interprets the format letter by letter through a
formatter object on every call; the public status page formats every step of a case's
history and spent an eighth of a lookup there. A format made only of the numeric letters
below (Chinese: ``Y年n月j日 H:i``) is compiled once into a ``str.format`` template; any
other format (English uses month names and a.m./p.m.) goes to Django as before.
test_dates pins both to Django's output.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import formats

# The numeric letters as str.format fields of the value (``{0.year:04d}``).
_NUMERIC = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


@lru_cache(maxsize=64)
def _compiled(fmt: str) -> str | None:
    """The format as one ``str.format`` template of the value, or None when it uses a
    letter this module does not handle."""
    parts: list[str] = []
    escaped = False
    for ch in fmt:
        if ch == "\\" and not escaped:
            escaped = True
            continue
        if not escaped and ch in _NUMERIC:
            parts.append(_NUMERIC[ch])
        elif not escaped and ch.isascii() and ch.isalpha():
            return None
        else:  # text, as it is (braces doubled for str.format)
            parts.append(ch.replace("{", "{{").replace("}", "}}"))
        escaped = False
    return "".join(parts)


def date_format(value: dt.date, format_type: str = "DATE_FORMAT") -> str:
    """As ``formats.date_format(value, format_type)`` in the active language (``value``
    already in local time, as the ``date`` filter gets it)."""
    return formatter(format_type)(value)


def formatter(format_type: str = "DATE_FORMAT"):
    """`date_format` for ``format_type`` in the active language as a function of the value
    alone (for many values in a row: the format is looked up once)."""
    template = _compiled(formats.get_format(format_type))
    if template is None:
        return lambda value: formats.date_format(value, format_type)
    return template.format
