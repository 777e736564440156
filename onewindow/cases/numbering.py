"""Case numbers: hall code + YYYYMMDD + daily sequence, e.g. ``CG202611260001``.

The sequence comes from `CaseNumberCounter`, one row per hall and day, incremented with a
guarded ``UPDATE … SET last = last + 1 RETURNING last`` (one statement on SQLite ≥ 3.35
and PostgreSQL): the database serialises concurrent increments
on the row lock, so two clerks receiving at the same moment never get the same number.
The first case of a day creates the row; two first cases racing to create it meet the
unique constraint, and the loser retries the UPDATE (which then waits for the winner).
Must run inside the transaction that creates the case, so a rolled-back intake gives its
number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction

from onewindow.core import rawsql

from .models import CaseNumberCounter

SEQUENCE_DIGITS = 4  # 9,999 cases a day per hall; a busier day just gets longer numbers


def next_sequence(hall_id: int, day: dt.date) -> int:
    """Take the next daily sequence number of a hall (1, 2, 3, …)."""
    q = connection.ops.quote_name
    table, last = q(CaseNumberCounter._meta.db_table), q("last")
    increment = (
        f"UPDATE {table} SET {last} = {last} + 1 WHERE hall_id = %s AND day = %s RETURNING {last}"
    )
    for _attempt in range(5):
        with rawsql.cursor() as cursor:
            cursor.execute(increment, [hall_id, connection.ops.adapt_datefield_value(day)])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
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
