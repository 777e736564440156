"""Periodic jobs of cases (run by the worker, see settings.ONEWINDOW_WORKER_JOBS)."""

from __future__ import annotations

import logging

from . import clock
from .models import Case

log = logging.getLogger("onewindow.worker")


def refresh_provisional_deadlines(batch: int = 2000) -> int:
    """Count again the dates of cases counted on a year without official calendar data,
    open and concluded ones alike (`services.recompute_clock`), once that year is
    entered. Cases whose dates would not change are left alone (no lock, no write).
    Returns the number of cases updated."""
    from .services.handling import recompute_clock

    cal = clock.calendar()
    changed = 0
    provisional = (
        Case.objects.filter(due_provisional=True, accepted_on__isnull=False)
        .prefetch_related("suspensions")
        .order_by("pk")[:batch]
    )
    for case in provisional:
        before = (case.promised_due_date, case.legal_due_date, case.due_provisional)
        clock.recompute(case, cal)
        if (case.promised_due_date, case.legal_due_date, case.due_provisional) == before:
            continue
        if recompute_clock(case=case, cal=cal) is not None:
            changed += 1
    if changed:
        log.info("recomputed the dates of %s case(s) after a calendar update", changed)
    return changed
