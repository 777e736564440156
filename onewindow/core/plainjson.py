"""Values as plain JSON values (what a JSON column gives back), without a round trip.

Event data and audit snapshots are stored in JSON columns and hashed or compared as
stored, so dates, decimals and lazy strings are turned into text first. A
``json.loads(json.dumps(value, cls=DjangoJSONEncoder))`` does that but encodes and
parses every value; the busiest requests did it a dozen times. This walks the value once
and leaves plain values as they are; anything else gets exactly the text the encoder
gives it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

_PLAIN = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """``value`` as ``json.loads(json.dumps(value, cls=DjangoJSONEncoder))`` gives it."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _key(key: Any) -> str:
    if type(key) is str:
        return key
    return next(iter(json.loads(json.dumps({key: None}, cls=DjangoJSONEncoder))))
