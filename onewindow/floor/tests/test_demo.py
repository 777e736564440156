"""The demo's year of tickets: one for each window case, consistent with it (hall, line,
window, clerk, times), with no-shows, transfers, green-channel tickets, window sessions
and the morning and afternoon peaks; a second run adds nothing."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from onewindow.cases import simulate
from onewindow.cases.models import Case
from onewindow.catalogue.demo import load_demo_catalogue
from onewindow.demo.organisation import load_organisation
from onewindow.floor.demo import load_demo_floor, load_demo_tickets
from onewindow.floor.models import QueueEvent, Ticket, WindowSession

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2025, 12, 24, 18, 0))
START_OF_TODAY = timezone.make_aware(dt.datetime(2025, 12, 24))


@pytest.fixture
def year():
    load_organisation()
    load_demo_catalogue()
    options = simulate.Options(
        start=dt.date(2025, 10, 1), end=NOW.date(), cases=1500, seed=18, now=NOW
    )
    simulate.run(options, progress=False, parallel=False)
    out = io.StringIO()
    load_demo_floor(stdout=out, now=NOW)
    return Ticket.objects.count(), out.getvalue()


def test_each_window_case_has_one_consistent_ticket(year):
    added, out = year
    window_cases = Case.objects.filter(window__isnull=False, received_at__lt=START_OF_TODAY)
    assert added > window_cases.count() > 1000
    assert "Floor:" in out and "window cases" in out
    assert set(window_cases.annotate(n=Count("tickets")).values_list("n", flat=True)) == {1}
    assert not Ticket.objects.filter(case__received_at__gte=START_OF_TODAY).exists()
    for ticket in Ticket.objects.filter(case__isnull=False).select_related("case"):
        case = ticket.case
        assert (ticket.hall_id, ticket.window_id, ticket.clerk_id) == (
            case.hall_id, case.window_id, case.received_by_id
        )  # fmt: skip
        assert ticket.category.items.filter(pk=case.item_id).exists()
        assert ticket.status == Ticket.Status.DONE and ticket.day == timezone.localdate(
            case.received_at
        )
        assert ticket.issued_at <= ticket.first_called_at <= ticket.called_at
        assert ticket.called_at <= ticket.started_at <= case.received_at < ticket.done_at
        end = case.concluded_at if case.is_immediate else case.accepted_at
        if end is not None and timezone.localdate(end) == ticket.day:
            assert ticket.done_at == end
        assert ticket.number == f"{ticket.letter}{ticket.seq:03d}"


def test_the_year_has_no_shows_transfers_green_tickets_and_peaks(year):
    tickets = Ticket.objects.all()
    no_shows = tickets.filter(status=Ticket.Status.NO_SHOW)
    assert 0.02 < no_shows.count() / tickets.count() < 0.1
    assert not no_shows.filter(case__isnull=False).exists()
    for ticket in no_shows[:50]:
        assert ticket.calls == ticket.category.no_show_after_calls
        kinds = list(ticket.events.values_list("kind", flat=True))
        assert kinds[0] == "issued" and kinds[-1] == "no_show"
        assert kinds.count("called") + kinds.count("recalled") == ticket.calls
    transferred = tickets.filter(events__kind=QueueEvent.Kind.TRANSFERRED).distinct()
    assert transferred.exists()
    for ticket in transferred:
        kinds = list(ticket.events.order_by("at", "pk").values_list("kind", flat=True))
        assert kinds[:3] == ["issued", "called", "transferred"] and kinds[-1] == "done"
        assert ticket.letter != ticket.category.letter  # numbered in the line first taken
    assert tickets.filter(priority=Ticket.Priority.GREEN).exists()
    # Arrivals: the morning (9–11) and afternoon (14–16) peaks above lunch and the edges.
    hours = Counter(timezone.localtime(t).hour for t in tickets.values_list("issued_at", flat=True))
    for peak in (9, 10, 14):
        assert hours[peak] > 1.5 * hours[12] and hours[peak] > hours[16]
    assert (hours[9] + hours[10] + hours[14] + hours[15]) / sum(hours.values()) > 0.45


def test_each_step_is_an_event_inside_a_window_session(year):
    for ticket in Ticket.objects.filter(status=Ticket.Status.DONE)[:300]:
        events = list(ticket.events.order_by("at", "pk"))
        assert [e.kind for e in events][0] == "issued" and events[-1].kind == "done"
        assert events[-1].at == ticket.done_at and events[0].at == ticket.issued_at
        session = WindowSession.objects.get(
            window=ticket.window_id,
            clerk=ticket.clerk_id,
            started_at__lte=ticket.called_at,
            ended_at__gte=ticket.done_at,
        )
        assert session.hall_id == ticket.hall_id
    signed_in = QueueEvent.objects.filter(kind=QueueEvent.Kind.SIGNED_IN).count()
    assert signed_in == WindowSession.objects.count() > 0
    assert not WindowSession.objects.filter(ended_at__isnull=True).exists()


def test_a_second_run_adds_nothing(year):
    counts = (Ticket.objects.count(), QueueEvent.objects.count(), WindowSession.objects.count())
    assert load_demo_tickets(now=NOW) == 0
    assert counts == (
        Ticket.objects.count(), QueueEvent.objects.count(), WindowSession.objects.count()
    )  # fmt: skip
