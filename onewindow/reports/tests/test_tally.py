"""The monthly counts kept with the events (`cases.tally`) against the June counted by
hand (conftest.py, `june`): the services keep them, the month is closed once, the check
finds a wrong count and the rebuild repairs it."""

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from onewindow.cases import tally
from onewindow.cases.models import CaseTally, CaseTallyMonth
from onewindow.cases.tests.factories import at
from onewindow.reports import figures as fig

from .conftest import JUNE

MAY = dt.date(2026, 5, 1)


def total_counts(hall):
    return fig.compute(JUNE, hall)["levels"]["total"][0]["counts"]


def test_the_services_keep_the_months_counts_as_the_events_count_them(personas, june):
    assert tally.differences(JUNE) == []
    assert tally.differences(MAY) == []
    rows = CaseTally.objects.filter(month=JUNE, hall=personas.hall)
    assert sum(r.received for r in rows) == 6  # A B C D E G, as counted by hand
    assert sum(r.accepted for r in rows) == 6  # the five above but D, and F from May
    assert sum(r.decided for r in rows) == 2
    assert sum(r.promised_days_sum for r in rows) == 7
    may = CaseTally.objects.get(month=MAY)
    assert (may.received, may.accepted) == (1, 0)  # F, received on 29 May


def test_an_ended_month_is_closed_once_and_reads_the_same(personas, june, time_machine):
    before = total_counts(personas.hall)
    assert not tally.is_closed(JUNE)
    assert sum(r.open_at_end for r in CaseTally.objects.filter(month=JUNE)) == 0
    assert tally.close_months() == 2  # May and June; July (today) has not ended
    assert tally.is_closed(MAY) and tally.is_closed(JUNE)
    assert not tally.is_closed(dt.date(2026, 7, 1))
    rows = CaseTally.objects.filter(month=JUNE)
    assert sum(r.open_at_end for r in rows) == 4  # B C F G
    assert sum(r.overdue_open_at_end for r in rows) == 2  # B F
    assert total_counts(personas.hall) == before
    assert tally.close_months() == 0
    assert tally.differences(JUNE) == []
    # August: July is closed too, with its own state at the end
    time_machine.move_to(at("2026-08-03", 9), tick=False)
    assert tally.close_months() == 1
    assert CaseTallyMonth.objects.count() == 3


def test_the_worker_closes_the_ended_months(personas, june, settings):
    from onewindow.core import worker

    job = ("onewindow.cases.tally.close_months", 3600)
    assert job in settings.ONEWINDOW_WORKER_JOBS
    settings.ONEWINDOW_WORKER_JOBS = [job]
    assert worker.run_once("worker-a") == 1
    assert tally.is_closed(JUNE) and tally.differences(JUNE) == []
    assert sum(r.open_at_end for r in CaseTally.objects.filter(month=JUNE)) == 4


def test_the_check_finds_a_wrong_count_and_the_rebuild_repairs_it(personas, june, capsys):
    tally.close_months()
    row = CaseTally.objects.filter(month=JUNE, received__gt=0).first()
    CaseTally.objects.filter(pk=row.pk).update(received=row.received + 5, open_at_end=9)
    diff = tally.differences(JUNE)
    assert {(name, kept - fresh) for _, name, kept, fresh in diff} == {
        ("received", 5),
        ("open_at_end", 9 - row.open_at_end),
    }
    with pytest.raises(CommandError, match="2 count"):
        call_command("tally", "--check", "--month", "2026-06")
    assert "received kept" in capsys.readouterr().out
    call_command("tally", "--rebuild", "--month", "2026-06")
    assert tally.differences(JUNE) == []
    assert tally.is_closed(JUNE)
    call_command("tally", "--check")
    assert "agree with the events" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("tally", "--check", "--month", "June")


def test_a_rebuild_writes_the_rows_the_services_kept(personas, june):
    def rows():
        return sorted(
            CaseTally.objects.filter(month=JUNE).values_list(*tally.KEYS, *tally.FLOWS, named=False)
        )

    kept = rows()
    CaseTally.objects.all().delete()
    assert total_counts(personas.hall)["received"] == 0
    tally.rebuild(JUNE)
    assert rows() == kept
    assert total_counts(personas.hall)["received"] == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_first_acts_of_a_month_at_once_are_both_counted(personas):
    """Two transactions add to a row that does not exist yet: one inserts it, the other's
    insert fails on the unique index once the first commits, and it adds instead."""
    from onewindow.cases.tests.factories import make_item

    item = make_item(personas.department, [personas.hall])
    key = {
        "month": JUNE,
        "hall_id": personas.hall.pk,
        "department_id": personas.department.pk,
        "window_id": None,
        "item_id": item.pk,
    }
    barrier = threading.Barrier(2)
    errors = []

    def bump():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                tally._bump(key, {"received": 1})
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert CaseTally.objects.get().received == 2
