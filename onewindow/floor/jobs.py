"""Periodic jobs of the floor (listed in settings.ONEWINDOW_WORKER_JOBS)."""

import logging

from . import appointments

log = logging.getLogger("onewindow.worker")


def record_appointment_no_shows() -> None:
    """Mark the appointments whose slot ended without a check-in as no-shows."""
    marked = appointments.record_no_shows()
    if marked:
        log.info("floor: %s appointments not checked in were marked as no-shows", marked)
