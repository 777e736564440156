"""The one write path of the case services (`services.common.finish`): the case saved with
its changed columns and a new version, the events numbered in order, the audit row chained,
in the service's transaction."""

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify_chain
from onewindow.cases import services
from onewindow.cases.models import Case

from .factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_audit_rows_of_a_new_case_name_it_and_the_chain_holds(personas, item):
    start = timezone.now() - dt.timedelta(seconds=1)
    case = make_case(personas, item)
    case = services.accept_case(actor=personas.clerk, case=case, expected_version=case.version)
    entries = list(AuditEntry.objects.filter(object_type="cases.case").order_by("seq"))
    assert [e.action for e in entries] == ["case.received", "case.accepted"]
    assert {e.object_id for e in entries} == {str(case.pk)}
    assert {e.object_repr for e in entries} == {case.number}
    assert all(e.at >= start for e in entries)
    assert entries[1].prev_hash == entries[0].hash
    assert entries[1].before["status"] == "received" and entries[1].after["status"] == "accepted"
    checked, problem = verify_chain()
    assert problem is None and checked >= 2
    events = list(case.events.order_by("seq").values_list("seq", "kind"))
    assert [seq for seq, _kind in events] == list(range(1, len(events) + 1))
    assert events[0][1] == "received" and "accepted" in [kind for _seq, kind in events]
    assert Case.objects.get(pk=case.pk).current_step_id == case.current_step_id is not None


def test_it_writes_only_the_changed_columns_and_nothing_when_a_check_fails(personas, item):
    case = make_case(personas, item)
    Case.objects.filter(pk=case.pk).update(contact_name="另一个人")  # not read by the service
    with pytest.raises(services.InvalidInput):
        services.refuse_case(actor=personas.clerk, case=case, reason="  ", expected_version=1)
    assert Case.objects.get(pk=case.pk).version == 1
    case = services.refuse_case(
        actor=personas.clerk, case=case, reason="不属于本中心", expected_version=1
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.version, stored.refusal_reason) == ("refused", 2, "不属于本中心")
    # The lock read the row afresh, and only the changed columns were written.
    assert stored.contact_name == "另一个人"


def test_it_refuses_to_lock_outside_a_transaction(personas, item):
    case = make_case(personas, item)
    with pytest.raises(RuntimeError):
        services.common.lock(case, "accept", None)


def test_events_record_the_window_and_hall_where_the_act_happened(personas, item):
    from onewindow.halls.models import Window

    case = make_case(personas, item)  # received at the personas' window
    other = Window.objects.create(hall=personas.hall, number=99, name="综合窗口")
    case = services.accept_case(actor=personas.clerk, case=case, window=other)
    case = services.request_extension(actor=personas.handler, case=case, days=2, reason="x")
    places = {
        kind: (hall, window)
        for kind, hall, window in case.events.values_list("kind", "hall_id", "window_id")
    }
    assert places["received"] == (personas.hall.pk, personas.window.pk)
    assert places["accepted"] == (personas.hall.pk, other.pk)
    assert places["extension_requested"] == (personas.hall.pk, None)  # not at a window
    assert Case.objects.get(pk=case.pk).window_id == personas.window.pk  # where it came in
