"""plainjson.plain gives exactly what a JSON round trip with DjangoJSONEncoder gives."""

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from onewindow.core.plainjson import plain


def round_trip(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))])),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.uuids(),
)
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), children, max_size=4),
    ),
    max_leaves=20,
)


@given(values)
def test_it_gives_what_a_json_round_trip_gives(value):
    assert plain(value) == round_trip(value)


def test_it_turns_lazy_strings_dates_and_decimals_into_text():
    value = {
        "label": gettext_lazy("Yes"),
        "due": dt.date(2026, 3, 2),
        "fee": Decimal("12.50"),
        "id": uuid.UUID(int=1),
        1: ("a", dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)),
    }
    out = plain(value)
    assert out == round_trip(value)
    assert out["due"] == "2026-03-02" and out["fee"] == "12.50"
    assert out["1"] == ["a", "2026-03-02T09:30:15.123Z"]
    assert all(type(k) is str for k in out)
