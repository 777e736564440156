"""Open a follow-up when a bad rating is recorded (the ratings app's signal)."""

from __future__ import annotations

import logging

log = logging.getLogger("onewindow.followups")


def open_after_rating(sender, rating, **kwargs) -> None:
    """A bad rating opens its follow-up, in the rating's transaction. A year without
    calendar data must not cost the citizen's rating: the error is logged and
    `services.open_missing` opens the follow-up once the year is entered."""
    from .services import CalendarMissing, open_for

    try:
        open_for(rating)
    except CalendarMissing as exc:
        log.error("follow-up of rating %s not opened: %s", rating.pk, exc.message)


def connect() -> None:
    from onewindow.ratings.signals import rating_recorded

    rating_recorded.connect(open_after_rating, dispatch_uid="followups.open_after_rating")
