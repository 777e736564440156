"""Periodic jobs of the follow-up app (listed in settings.ONEWINDOW_WORKER_JOBS)."""

import logging

from .services import CalendarMissing, open_missing

log = logging.getLogger("onewindow.followups")


def open_missing_followups() -> None:
    """Open the follow-ups that bad ratings could not open when they came in (their year
    had no calendar data); until the year is entered this logs and waits."""
    try:
        opened = open_missing()
    except CalendarMissing as exc:
        log.warning("follow-ups still waiting for the calendar: %s", exc.message)
        return
    if opened:
        log.info("opened %d follow-ups of earlier bad ratings", opened)
