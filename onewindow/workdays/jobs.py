"""Periodic jobs of the foundation."""

import logging

from .services import missing_upcoming_years

log = logging.getLogger("onewindow.worker")


def check_calendar_coverage() -> None:
    """Warn while this year or next year has no official holiday data."""
    missing = missing_upcoming_years()
    if missing:
        log.warning(
            "legal calendar has no official data for %s: deadlines there are provisional", missing
        )
