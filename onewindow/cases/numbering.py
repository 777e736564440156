"""Case numbers: hall code + YYYYMMDD + daily sequence, e.g. ``CG202611260001``.

The sequence comes from `CaseNumberCounter`, one row per hall and day, incremented with
``UPDATE … SET last = last + 1`` and read back in the same transaction: the database
serialises concurrent increments on the row lock (PostgreSQL) or the write lock (SQLite),
so two clerks receiving at the same moment never get the same number.
The first case of a day creates the row; two first cases racing to create it meet the
unique constraint, and the loser retries the UPDATE (which then waits for the winner).
Must run inside the transaction that creates the case, so a rolled-back intake gives its
number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import CaseNumberCounter

SEQUENCE_DIGITS = 4  # 9,999 cases a day per hall; a busier day just gets longer numbers


def next_sequence(hall_id: int, day: dt.date) -> int:
    """Take the next daily sequence number of a hall (1, 2, 3, …)."""
    counter = CaseNumberCounter.objects.filter(hall_id=hall_id, day=day)
    for _attempt in range(5):
        if counter.update(last=F("last") + 1):
            return counter.values_list("last", flat=True).get()
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the caller
                CaseNumberCounter.objects.create(hall_id=hall_id, day=day, last=1)
            return 1
        except IntegrityError:
            continue  # someone created today's row first: increment theirs
    raise RuntimeError("could not take a case number")  # pragma: no cover


def format_number(hall_code: str, day: dt.date, sequence: int) -> str:
    return f"{hall_code}{day:%Y%m%d}{sequence:0{SEQUENCE_DIGITS}d}"


def next_case_number(hall, day: dt.date) -> str:
    return format_number(hall.code, day, next_sequence(hall.pk, day))
