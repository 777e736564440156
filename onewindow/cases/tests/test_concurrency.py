"""Case numbers and two clerks at once.

On PostgreSQL the clerks really act at the same moment (threads, each with its own
connection); SQLite serialises writers anyway, so there the same story is told in turn
with the version each clerk's form was made from.
"""

import threading

import pytest
from django.db import connection, connections

from onewindow.cases import numbering, services
from onewindow.cases.models import Case, CaseNumberCounter

from .factories import at, make_case

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)


@pytest.mark.django_db
def test_it_numbers_cases_per_hall_and_day(personas, item, monday):
    first, second = make_case(personas, item), make_case(personas, item)
    assert (first.number, second.number) == ("CG202603020001", "CG202603020002")
    monday.move_to(at("2026-03-03", 9))
    assert make_case(personas, item).number == "CG202603030001"
    assert numbering.format_number("MZ", at("2026-03-03").date(), 12345) == "MZ2026030312345"
    assert CaseNumberCounter.objects.get(hall=personas.hall, day="2026-03-02").last == 2
    # Query codes are random and leave out characters misread on the phone.
    codes = {make_case(personas, item).query_code for _ in range(5)}
    assert len(codes) == 5 and not any(set(c) & set("01IO") for c in codes)


@pytest.mark.django_db
def test_it_lets_only_the_first_of_two_clerks_acting_on_the_same_version(personas, item, monday):
    case = make_case(personas, item)
    form_of_clerk = Case.objects.get(pk=case.pk)
    form_of_manager = Case.objects.get(pk=case.pk)
    services.accept_case(actor=personas.clerk, case=form_of_clerk, expected_version=1)
    with pytest.raises(services.StaleCase):
        services.refuse_case(
            actor=personas.manager, case=form_of_manager, reason="重复", expected_version=1
        )
    case.refresh_from_db()
    assert case.status == "accepted" and case.events.count() == 3


def _run_together(n, work):
    """Run work(i) in n threads released at the same moment; return results/exceptions."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_clerks_acting_at_once_succeed(personas, item):
    case = make_case(personas, item)
    actions = [
        lambda: services.accept_case(
            actor=personas.clerk, case=Case.objects.get(pk=case.pk), expected_version=1
        ),
        lambda: services.refuse_case(
            actor=personas.manager,
            case=Case.objects.get(pk=case.pk),
            reason="重复申请",
            expected_version=1,
        ),
    ]
    results = _run_together(2, lambda i: actions[i]())
    succeeded = [r for r in results if isinstance(r, Case)]
    stale = [r for r in results if isinstance(r, services.StaleCase)]
    assert len(succeeded) == 1 and len(stale) == 1, results
    case.refresh_from_db()
    assert case.version == 2 and case.status == succeeded[0].status
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count("accepted") + kinds.count("refused") == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_clerks_accepting_at_once_succeed(personas, item):
    """accept_case locks the row (SELECT … FOR UPDATE): the second writer waits, then
    finds the new version and is told that the case changed."""
    case = make_case(personas, item)
    results = _run_together(
        2,
        lambda i: services.accept_case(
            actor=personas.clerk, case=Case.objects.get(pk=case.pk), expected_version=1
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Case", "StaleCase"], results
    case.refresh_from_db()
    assert (case.version, case.status) == (2, "accepted")
    assert list(case.events.values_list("kind", flat=True)).count("accepted") == 1
    assert case.steps.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_gives_unique_numbers_to_cases_received_at_once(personas, item):
    results = _run_together(8, lambda i: make_case(personas, item).number)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 8
    assert sorted(int(n[-4:]) for n in results) == list(range(1, 9))
