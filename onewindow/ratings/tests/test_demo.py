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
