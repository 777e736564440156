"""Periodic jobs of cases (run by the worker, see settings.ONEWINDOW_WORKER_JOBS)."""

from __future__ import annotations

import logging

from django.db import transaction

from onewindow.audit.services import record

from . import clock
from .models import Case

log = logging.getLogger("onewindow.worker")


def refresh_provisional_deadlines(batch: int = 2000) -> int:
    """Recompute the provisional deadlines of open cases.

    A due date running into a year without official calendar data is counted with
    weekends only and flagged provisional. Once the administrator enters that year, the
    stored dates become exact here; cases whose dates do not change are left alone (no
    lock, no write). Returns the number of cases updated.
    """
    cal = clock.calendar()
    changed = 0
    for case in (
        Case.objects.open().filter(due_provisional=True).prefetch_related("suspensions")[:batch]
    ):
        before = (case.promised_due_date, case.legal_due_date, case.due_provisional)
        clock.recompute(case, cal)
        if (case.promised_due_date, case.legal_due_date, case.due_provisional) == before:
            continue
        with transaction.atomic():
            locked = (
                Case.objects.select_for_update(of=("self",)).select_related("hall").get(pk=case.pk)
            )
            old = {
                "promised_due_date": locked.promised_due_date,
                "legal_due_date": locked.legal_due_date,
                "due_provisional": True,
            }
            clock.recompute(locked, cal)
            locked.save(
                update_fields=[
                    "promised_due_date",
                    "legal_due_date",
                    "due_provisional",
                    "suspended_days",
                ]
            )
            record(
                actor=None,
                action="case.deadlines_recomputed",
                obj=locked,
                hall=locked.hall,
                before=old,
                after={
                    "promised_due_date": locked.promised_due_date,
                    "legal_due_date": locked.legal_due_date,
                    "due_provisional": locked.due_provisional,
                },
                note="calendar data entered",
            )
        changed += 1
    if changed:
        log.info("recomputed the deadlines of %s case(s) after a calendar update", changed)
    return changed
