"""The floor's services on SQLite: numbering, limits, the call order, and every refusal
leaving things as they were."""

import datetime as dt

import pytest
from django.utils import translation

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import resident_id
from onewindow.floor import services
from onewindow.floor.errors import (
    DailyLimit,
    InvalidInput,
    NotNow,
    NotPermitted,
    NotSignedIn,
    WindowTaken,
)
from onewindow.floor.models import QueueEvent, Ticket, WindowSession

pytestmark = pytest.mark.django_db


def issue(personas, line, **kw):
    return services.issue_ticket(hall=personas.hall, category=line, **kw)


def test_it_numbers_tickets_per_line_and_day(personas, floor, monday):
    a1, a2 = issue(personas, floor["A"]), issue(personas, floor["A"])
    b1 = issue(personas, floor["B"])
    assert [a1.number, a2.number, b1.number] == ["A001", "A002", "B001"]
    monday.shift(dt.timedelta(days=1))
    assert issue(personas, floor["A"]).number == "A001"
    assert QueueEvent.objects.filter(kind="issued").count() == 4


def test_it_refuses_a_ticket_beyond_the_daily_limit_per_id_number(personas, floor, monday):
    floor["A"].daily_limit_per_id = 2
    floor["A"].save()
    number = resident_id()
    issue(personas, floor["A"], id_number=number)
    issue(personas, floor["A"], id_number=number.lower())
    with translation.override("zh-hans"), pytest.raises(DailyLimit) as refused:
        issue(personas, floor["A"], id_number=number)
    assert "今天已取" in refused.value.message
    assert Ticket.objects.count() == 2
    # another number, another line, or no number at all are not limited by it
    issue(personas, floor["A"], id_number=resident_id(seq="123"))
    issue(personas, floor["B"], id_number=number)
    issue(personas, floor["A"])
    assert Ticket.objects.count() == 5


def test_it_refuses_a_bad_id_number_and_a_closed_line(personas, floor, monday):
    with pytest.raises(InvalidInput) as bad:
        issue(personas, floor["A"], id_number="123")
    assert "id_number" in bad.value.errors
    floor["B"].is_active = False
    floor["B"].save()
    with pytest.raises(InvalidInput):
        issue(personas, floor["B"])
    assert not Ticket.objects.exists()


def test_it_calls_the_elderly_through_the_green_channel(personas, floor, monday):
    young = issue(personas, floor["A"], id_number=resident_id("19900307"))
    old = issue(personas, floor["A"], id_number=resident_id("19500101"))
    assert (young.priority, old.priority) == (Ticket.Priority.NORMAL, Ticket.Priority.GREEN)


def sign_in(personas, window, user=None):
    return services.sign_in(actor=user or personas.clerk, window=window)


def test_it_calls_appointments_due_then_green_then_first_come(personas, floor, monday):
    normal = issue(personas, floor["A"])
    early = issue(personas, floor["A"], priority=Ticket.Priority.APPOINTMENT,
                  due_at=services.timezone.now() + dt.timedelta(hours=1))  # fmt: skip
    green = issue(personas, floor["A"], priority=Ticket.Priority.GREEN)
    due = issue(personas, floor["A"], priority=Ticket.Priority.APPOINTMENT,
                due_at=services.timezone.now())  # fmt: skip
    sign_in(personas, floor["w1"])
    order = []
    for _ in range(4):
        ticket = services.call_next(actor=personas.clerk, window=floor["w1"])
        order.append(ticket.number)
        services.finish(actor=personas.clerk, window=floor["w1"])
    assert order == [due.number, green.number, normal.number, early.number]
    assert services.call_next(actor=personas.clerk, window=floor["w1"]) is None


def test_a_call_asks_the_same_queries_however_many_wait(personas, floor, monday):
    """The call order is read in stages from the head of an index, never by ranking all
    who wait: a call with 40 waiting asks what a call with 2 waiting asks. The session's
    query tells whether a priority ticket waits, so a call sends one stage's query: the
    priority stage when one waits, else the queue's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(personas, floor["w1"])

    def queries_of_a_call():
        with CaptureQueriesContext(connection) as q:
            ticket = services.call_next(actor=personas.clerk, window=floor["w1"])
        services.finish(actor=personas.clerk, window=floor["w1"])
        return ticket, len(q.captured_queries)

    for _ in range(2):
        issue(personas, floor["A"])
    few = queries_of_a_call()[1]
    for _ in range(40):
        issue(personas, floor["A"])
    green = issue(personas, floor["A"], priority=Ticket.Priority.GREEN)
    assert queries_of_a_call() == (green, few)  # found by the first stage
    assert queries_of_a_call()[1] == few  # the first stage not asked


def test_a_window_calls_only_the_lines_it_serves(personas, floor, monday):
    issue(personas, floor["B"])
    a = issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    assert services.call_next(actor=personas.clerk, window=floor["w1"]).pk == a.pk
    services.finish(actor=personas.clerk, window=floor["w1"])
    assert services.call_next(actor=personas.clerk, window=floor["w1"]) is None
    services.sign_out(actor=personas.clerk, window=floor["w1"])
    sign_in(personas, floor["w2"])
    assert services.call_next(actor=personas.clerk, window=floor["w2"]).number == "B001"


def test_it_times_a_ticket_from_issue_to_call_to_start_to_done(personas, floor, monday):
    ticket = issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    monday.shift(dt.timedelta(minutes=7))
    services.call_next(actor=personas.clerk, window=floor["w1"])
    monday.shift(dt.timedelta(minutes=1))
    services.start_service(actor=personas.clerk, window=floor["w1"])
    monday.shift(dt.timedelta(minutes=12))
    services.finish(actor=personas.clerk, window=floor["w1"])
    ticket.refresh_from_db()
    assert ticket.status == "done" and ticket.clerk == personas.clerk
    assert ticket.first_called_at - ticket.issued_at == dt.timedelta(minutes=7)
    assert ticket.done_at - ticket.started_at == dt.timedelta(minutes=12)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == ["issued", "called", "started", "done"]


def test_a_no_show_needs_the_configured_calls_and_may_rejoin_once(personas, floor, monday):
    floor["A"].no_show_after_calls = 2
    floor["A"].save()
    ticket = issue(personas, floor["A"])
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotNow):
        services.mark_no_show(actor=personas.clerk, window=floor["w1"])
    services.recall(actor=personas.clerk, window=floor["w1"])
    services.mark_no_show(actor=personas.clerk, window=floor["w1"])
    ticket.refresh_from_db()
    assert (ticket.status, ticket.calls) == ("no_show", 2)
    assert AuditEntry.objects.filter(action="ticket.no_show").count() == 1
    monday.shift(dt.timedelta(minutes=5))
    services.rejoin(actor=personas.clerk, hall=personas.hall, number="a001")
    ticket.refresh_from_db()
    assert ticket.status == "waiting" and ticket.rejoined
    # at the end of the line: A002 first
    assert services.call_next(actor=personas.clerk, window=floor["w1"]).number == "A002"
    services.finish(actor=personas.clerk, window=floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    services.recall(actor=personas.clerk, window=floor["w1"])
    services.mark_no_show(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotNow):
        services.rejoin(actor=personas.clerk, hall=personas.hall, number="A001")
    assert Ticket.objects.get(pk=ticket.pk).status == "no_show"


def test_a_transfer_keeps_the_issue_time(personas, floor, monday):
    first = issue(personas, floor["A"])
    monday.shift(dt.timedelta(minutes=10))
    issue(personas, floor["B"])
    sign_in(personas, floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    services.transfer(actor=personas.clerk, window=floor["w1"], category=floor["B"], reason="驾照")
    first.refresh_from_db()
    assert (first.status, first.category, first.queued_at) == (
        "transferred", floor["B"], first.issued_at)  # fmt: skip
    services.sign_out(actor=personas.clerk, window=floor["w1"])
    sign_in(personas, floor["w2"])
    # ahead of B001, issued ten minutes later
    assert services.call_next(actor=personas.clerk, window=floor["w2"]).pk == first.pk
    assert AuditEntry.objects.filter(action="ticket.transferred").count() == 1


def test_a_transfer_to_a_window_is_called_by_that_window_only(personas, floor, monday):
    ticket = issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    services.transfer(actor=personas.clerk, window=floor["w1"], to_window=floor["w3"])
    assert services.call_next(actor=personas.clerk, window=floor["w1"]) is None
    sign_in(personas, floor["w3"], personas.manager)
    assert services.call_next(actor=personas.manager, window=floor["w3"]).pk == ticket.pk


def test_a_transfer_to_a_closed_line_is_refused_and_changes_nothing(personas, floor, monday):
    issue(personas, floor["A"])
    floor["B"].is_active = False
    floor["B"].save()
    sign_in(personas, floor["w1"])
    ticket = services.call_next(actor=personas.clerk, window=floor["w1"])
    events, audits = QueueEvent.objects.count(), AuditEntry.objects.count()
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        services.transfer(actor=personas.clerk, window=floor["w1"], category=floor["B"])
    assert "已关闭" in refused.value.errors["category"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.category_id) == ("called", floor["A"].pk)
    assert (QueueEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_calling_from_a_window_one_is_not_signed_in_at_is_refused(personas, floor, monday):
    issue(personas, floor["A"])
    with pytest.raises(NotSignedIn):
        services.call_next(actor=personas.clerk, window=floor["w1"])
    sign_in(personas, floor["w1"])
    with translation.override("zh-hans"), pytest.raises(NotSignedIn) as refused:
        services.call_next(actor=personas.clerk, window=floor["w2"])
    assert "未在此窗口签到" in refused.value.message
    assert Ticket.objects.get().status == "waiting"


def test_a_second_sign_in_at_an_occupied_window_is_refused(personas, floor, monday):
    sign_in(personas, floor["w1"])
    with translation.override("zh-hans"), pytest.raises(WindowTaken) as refused:
        sign_in(personas, floor["w1"], personas.manager)
    assert "窗口小王" in refused.value.message
    with pytest.raises(WindowTaken):
        sign_in(personas, floor["w2"])  # the clerk is at window 1
    assert WindowSession.objects.open().count() == 1
    assert sign_in(personas, floor["w1"]).window == floor["w1"]  # again: the same session


def test_who_may_not_serve_cannot_sign_in(personas, floor):
    with pytest.raises(NotPermitted):
        sign_in(personas, floor["w1"], personas.handler)
    with pytest.raises(NotPermitted):
        sign_in(personas, floor["w1"], personas.outsider)
    assert not WindowSession.objects.exists()


def test_a_paused_window_does_not_call_until_resumed(personas, floor, monday):
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    with pytest.raises(InvalidInput):
        services.pause(actor=personas.clerk, window=floor["w1"], reason=" ")
    services.pause(actor=personas.clerk, window=floor["w1"], reason="系统故障")
    with pytest.raises(NotNow):
        services.call_next(actor=personas.clerk, window=floor["w1"])
    monday.shift(dt.timedelta(minutes=4))
    services.resume(actor=personas.clerk, window=floor["w1"])
    assert QueueEvent.objects.get(kind="resumed").data == {"seconds": 240}
    assert services.call_next(actor=personas.clerk, window=floor["w1"]).number == "A001"
    with pytest.raises(NotNow):
        services.sign_out(actor=personas.clerk, window=floor["w1"])
    services.finish(actor=personas.clerk, window=floor["w1"])
    services.sign_out(actor=personas.clerk, window=floor["w1"])
    assert not WindowSession.objects.open().exists()
    assert {"window.signed_in", "window.paused", "window.resumed", "window.signed_out"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_it_estimates_the_wait_from_recent_service_times(personas, floor, monday):
    floor["A"].default_service_minutes = 6
    floor["A"].save()
    tickets = [issue(personas, floor["A"]) for _ in range(8)]
    assert services.position(tickets[3]).ahead == 3
    assert services.position(tickets[3]).minutes == 18  # the default, one window
    sign_in(personas, floor["w1"])
    for _ in range(5):
        services.call_next(actor=personas.clerk, window=floor["w1"])
        services.start_service(actor=personas.clerk, window=floor["w1"])
        monday.shift(dt.timedelta(minutes=4))
        services.finish(actor=personas.clerk, window=floor["w1"])
    where = services.position(tickets[7])
    assert (where.ahead, where.minutes, where.windows) == (2, 8, 1)


def test_waiting_counts_per_line(personas, floor, monday):
    issue(personas, floor["A"])
    issue(personas, floor["A"])
    issue(personas, floor["B"])
    counts = {c["letter"]: c["waiting"] for c in services.waiting_counts(personas.hall)}
    assert counts == {"A": 2, "B": 1}


def test_it_refuses_what_the_ticket_at_the_window_does_not_allow(personas, floor, monday):
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    with pytest.raises(NotNow):
        services.recall(actor=personas.clerk, window=floor["w1"])  # nobody at the window
    with pytest.raises(NotNow):
        services.finish(actor=personas.clerk, window=floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotNow):
        services.call_next(actor=personas.clerk, window=floor["w1"])  # A001 is still there
    with pytest.raises(NotNow):
        services.pause(actor=personas.clerk, window=floor["w1"], reason="午休")
    services.start_service(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotNow):
        services.recall(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotNow):
        services.mark_no_show(actor=personas.clerk, window=floor["w1"])
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.calls) == ("serving", 1)
    assert list(ticket.events.values_list("kind", flat=True)) == ["issued", "called", "started"]


def test_a_transfer_stays_in_the_hall(personas, floor, monday):
    from onewindow.factories import make_window
    from onewindow.floor.tests.factories import make_line

    elsewhere_line = make_line(personas.other_hall, "A", "民政")
    elsewhere_window = make_window(personas.other_hall, 5)
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(InvalidInput) as refused:
        services.transfer(actor=personas.clerk, window=floor["w1"], category=elsewhere_line)
    assert "category" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        services.transfer(actor=personas.clerk, window=floor["w1"], to_window=elsewhere_window)
    assert "window" in refused.value.errors
    with pytest.raises(InvalidInput):
        services.transfer(actor=personas.clerk, window=floor["w1"], to_window=floor["w1"])
    with pytest.raises(InvalidInput):
        services.transfer(actor=personas.clerk, window=floor["w1"])
    assert Ticket.objects.get().status == "called"


def test_rejoin_needs_a_no_show_of_today_in_the_clerks_hall(personas, floor, monday):
    ticket = issue(personas, floor["A"])
    with pytest.raises(InvalidInput):
        services.rejoin(actor=personas.clerk, hall=personas.hall, number="A999")
    with pytest.raises(NotNow):
        services.rejoin(actor=personas.clerk, hall=personas.hall, number="A001")
    with pytest.raises(NotPermitted):
        services.rejoin(actor=personas.outsider, hall=personas.hall, number="A001")
    ticket.refresh_from_db()
    assert ticket.status == "waiting" and not ticket.rejoined


def test_yesterdays_tickets_are_not_called(personas, floor, monday):
    issue(personas, floor["A"])
    monday.shift(dt.timedelta(days=1))
    sign_in(personas, floor["w1"])
    assert services.call_next(actor=personas.clerk, window=floor["w1"]) is None
    assert services.waiting_counts(personas.hall)[0]["waiting"] == 0


def test_a_signed_out_clerk_calls_nowhere(personas, floor, monday):
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    services.sign_out(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotSignedIn):
        services.call_next(actor=personas.clerk, window=floor["w1"])
    with pytest.raises(NotSignedIn):
        services.call_next(actor=personas.clerk)
    # the window is free for another clerk
    sign_in(personas, floor["w1"], personas.manager)
    assert services.call_next(actor=personas.manager).number == "A001"


def test_a_case_is_linked_to_the_ticket_of_its_intake_key_only(personas, floor, monday):
    from onewindow.cases.tests.factories import make_case
    from onewindow.cases.tests.factories import make_item as make_case_item

    item = make_case_item(personas.department, [personas.hall])
    issue(personas, floor["A"])
    sign_in(personas, floor["w1"])
    services.call_next(actor=personas.clerk, window=floor["w1"])
    ticket = services.prepare_case(actor=personas.clerk, window=floor["w1"])
    assert ticket.status == "serving" and len(ticket.intake_key) == 32
    walk_in = make_case(personas, item)
    assert services.link_case(walk_in) is None
    from_ticket = make_case(personas, item, intake_key=ticket.intake_key)
    assert services.link_case(from_ticket).pk == ticket.pk
    ticket.refresh_from_db()
    assert ticket.case == from_ticket
    assert services.link_case(from_ticket) is None  # linked once
