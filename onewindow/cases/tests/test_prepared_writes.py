"""Writes worked out before the write transaction (core.rawsql.Prepared, services.finish).

On SQLite the write transaction holds the database's single write lock: every value is
converted before it opens, and in it the statements only run. What they write must be
what the ORM writes, with the values that are only known in the transaction (keys of
rows written first, the case number, sequence numbers, auto_now times) taken then."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import verify_chain
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStep
from onewindow.core import rawsql

from .factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)


def _new_case(personas, item, **values):
    version = item.published_version
    return rawsql.new(
        Case,
        hall=personas.hall,
        department_id=item.department_id,
        item=item,
        item_version=version,
        applicant_kind="person",
        applicant_name="李四",
        applicant_id_number="320582199003070011",
        contact_phone="13812345678",
        legal_limit_days=version.legal_limit_days,
        promised_limit_days=version.promised_limit_days,
        **values,
    )


def test_late_columns_and_keys_are_taken_when_the_insert_runs(personas, item):
    case = _new_case(personas, item)
    material = item.published_version.frozen_parts().materials[0]
    checklist = [rawsql.new(CaseMaterial, case=case, material=material, name="身份证")]
    first = rawsql.prepare_insert([case], late=("number",))
    rows = rawsql.prepare_insert(checklist, returning=False)
    case.applicant_name = "王五"  # converted already: not what is written
    before_run = timezone.now()
    with transaction.atomic():
        case.number = "LATE-NUMBER-1"
        assert first.run() == 1
        assert rows.run() == 1
    stored = Case.objects.get(pk=case.pk)
    assert stored.number == "LATE-NUMBER-1"
    assert stored.applicant_name == "李四"
    assert stored.updated_at >= before_run  # auto_now: the time it ran
    assert list(CaseMaterial.objects.filter(case=stored).values_list("name", flat=True)) == [
        "身份证"
    ]
    assert checklist[0].case_id == case.pk and not checklist[0]._state.adding


def test_an_update_writes_the_key_of_a_row_saved_in_the_same_transaction(personas, item):
    case = make_case(personas, item)
    step = rawsql.new(
        CaseStep, case=case, position=1, name="受理", role="handler", started_at=timezone.now()
    )
    case.current_step = step  # not saved yet: no key
    update = rawsql.prepare_update(case, ["version"])  # the key is written though not named
    with transaction.atomic():
        rawsql.insert([step])
        assert update.run() == 1
    assert Case.objects.get(pk=case.pk).current_step_id == step.pk
    assert case.current_step_id == step.pk


def test_a_related_row_still_unsaved_when_it_runs_is_refused_as_by_save(personas, item):
    case = _new_case(personas, item)
    event = rawsql.new(CaseEvent, case=case, seq=1, kind="received", at=timezone.now())
    prepared = rawsql.prepare_insert([event], returning=False)
    with pytest.raises(ValueError, match="unsaved related object 'case'"):
        with transaction.atomic():
            prepared.run()
    assert not CaseEvent.objects.exists()


def test_a_guarded_update_writes_nothing_when_the_guard_moved(personas, item):
    case = make_case(personas, item)
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    case.applicant_name = "赵六"
    prepared = rawsql.prepare_update(
        case, ["applicant_name"], guard="version", guard_value=case.version
    )
    assert prepared.run() == 0
    assert Case.objects.get(pk=case.pk).applicant_name == "张三丰"


def test_intake_converts_every_value_before_its_write_transaction(personas, item, monkeypatch):
    """Receive and accept: no row is converted and no audit row masked while the write
    transaction is open (on SQLite: while every other writer waits); only the late
    columns are filled in there."""
    converted_inside = []
    prepared, masked = rawsql._prepared, services.common.prepare_record

    def watch_prepared(*args, **kwargs):
        converted_inside.append(("row", connection.in_atomic_block))
        return prepared(*args, **kwargs)

    def watch_record(**kwargs):
        converted_inside.append(("audit", connection.in_atomic_block))
        return masked(**kwargs)

    monkeypatch.setattr(rawsql, "_prepared", watch_prepared)
    monkeypatch.setattr(services.common, "prepare_record", watch_record)
    case = make_case(personas, item)
    case = services.accept_case(actor=personas.clerk, case=case, expected_version=case.version)
    kinds = [kind for kind, _inside in converted_inside]
    # receive: the case, its checklist, its event, the audit row; accept: the step, the
    # case's changed columns, its events, the audit row.
    assert kinds.count("row") >= 7 and kinds.count("audit") == 2
    assert not any(inside for _kind, inside in converted_inside)
    assert case.status == Case.Status.ACCEPTED


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
