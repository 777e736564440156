"""core.dates gives what Django's formats.date_format gives, in both languages."""

import datetime as dt

from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from onewindow.core import dates

moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31))


@given(moments)
def test_it_formats_like_django(moment):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for kind in ("DATE_FORMAT", "SHORT_DATETIME_FORMAT"):
                assert dates.date_format(moment, kind) == formats.date_format(moment, kind)
                assert dates.formatter(kind)(moment) == formats.date_format(moment, kind)
            assert dates.date_format(moment.date()) == formats.date_format(moment.date())


def test_the_chinese_formats_are_compiled_and_others_go_to_django():
    with translation.override("zh-hans"):
        assert dates._compiled(formats.get_format("SHORT_DATETIME_FORMAT")) is not None
        assert dates.date_format(dt.datetime(2026, 3, 2, 9, 5), "SHORT_DATETIME_FORMAT") == (
            "2026年3月2日 09:05"
        )
    with translation.override("en"):
        assert dates._compiled(formats.get_format("SHORT_DATETIME_FORMAT")) is None
        assert dates.date_format(dt.datetime(2026, 3, 2, 9, 5), "SHORT_DATETIME_FORMAT") == (
            "03/02/2026 9:05 a.m."
        )
    assert dates._compiled("Y\\Y") is not None and dates._compiled("N j") is None
