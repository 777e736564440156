"""The demo's ratings: drawn from each act's id, so loading again adds nothing."""

import io

from onewindow.ratings.demo import load_demo_ratings
from onewindow.ratings.models import Rating
from onewindow.ratings.services import service_acts

from .factories import immediate_service


def test_it_rates_most_acts_well_and_again_adds_nothing(personas, immediate_item, monday):
    for i in range(12):
        immediate_service(personas, immediate_item, applicant_name=f"张{i}")
    monday.shift(3 * 24 * 3600)  # the later channels have had their time
    out = io.StringIO()
    added = load_demo_ratings(stdout=out)
    assert 0 < added == Rating.objects.count() < service_acts().count() + 1
    assert "Ratings:" in out.getvalue()
    for rating in Rating.objects.select_related("event"):
        assert rating.staff == personas.clerk and rating.hall == personas.hall
        assert rating.act == rating.event.kind and rating.rated_at > rating.act_at
        assert rating.is_bad == bool(rating.reasons) == bool(rating.comment)
    assert load_demo_ratings() == 0


def test_the_demo_levels_are_spread_as_in_a_real_hall():
    """Each act's draws (rated? which level? which channel?) are independent: most good,
    a realistic few bad (the follow-up demo needs them)."""
    import datetime as dt
    from collections import Counter

    from django.utils import timezone

    from onewindow.ratings.demo import _rating

    now = timezone.now()
    at = now - dt.timedelta(days=30)
    drawn = [_rating(pk, 1, "accepted", at, 1, 1, 1, now) for pk in range(1, 20001)]
    rated = [r for r in drawn if r is not None]
    assert 0.6 < len(rated) / len(drawn) < 0.7
    levels = Counter(r.level for r in rated)
    assert set(levels) == {1, 2, 3, 4, 5}
    assert 0.6 < levels[5] / len(rated) < 0.8
    assert 0.005 < (levels[1] + levels[2]) / len(rated) < 0.03
    assert len({r.channel for r in rated}) == 3
