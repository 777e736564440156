"""core.rawsql.new: the same instance as the model's own constructor gives."""

import datetime as dt

import pytest
from django.db.models import signals
from django.utils import timezone

from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStep
from onewindow.core import rawsql
from onewindow.halls.models import Hall

MOMENT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def fields_of(obj) -> dict:
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return {**values, "_cache": dict(obj._state.fields_cache), "_adding": obj._state.adding}


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (
            Case,
            {
                "hall": Hall(pk=3),
                "applicant_name": "张三",
                "received_at": MOMENT,
                "query_code": "X",
            },
        ),
        (Case, {"hall_id": 3, "window": None, "query_code": "ABCDEFGH", "received_at": MOMENT}),
        (CaseEvent, {"case_id": 7, "seq": 2, "kind": "accepted", "at": MOMENT, "data": {}}),
        (CaseMaterial, {"case": Case(pk=7), "name": "身份证", "required": False}),
        (CaseStep, {"case_id": 7, "position": 1, "name": "受理", "started_at": MOMENT}),
        (AuditEntry, {"seq": 5, "at": MOMENT, "action": "case.accepted", "hall": None}),
    ],
)
def test_it_builds_what_the_constructor_builds(model, values):
    assert fields_of(rawsql.new(model, **values)) == fields_of(model(**values))


def test_callable_defaults_are_called_for_each_instance():
    a, b = rawsql.new(Case), rawsql.new(Case)
    assert a.query_code != b.query_code and len(a.query_code) == 8
    assert abs(a.received_at - timezone.now()) < dt.timedelta(seconds=5)
    e, f = rawsql.new(CaseEvent), rawsql.new(CaseEvent)
    assert e.data == {} and e.data is not f.data


def test_unknown_names_are_refused_as_by_the_constructor():
    with pytest.raises(TypeError, match="nonsense"):
        rawsql.new(CaseEvent, nonsense=1)


def test_init_signal_receivers_get_the_constructor():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender)

    signals.post_init.connect(receiver, sender=CaseEvent)
    try:
        rawsql.new(CaseEvent, seq=1)
    finally:
        signals.post_init.disconnect(receiver, sender=CaseEvent)
    assert seen == [CaseEvent]


@pytest.mark.django_db
def test_the_lean_cursor_runs_statements_with_djangos_errors():
    from django.db import IntegrityError, connection

    connection.ensure_connection()
    with rawsql.cursor() as c:
        assert isinstance(c, rawsql.LeanCursor)
        c.execute("SELECT %s + %s", [2, 3])
        assert c.fetchone()[0] == 5
        c.execute("UPDATE halls_hall SET name = name WHERE id = %s", [-1])
        assert c.rowcount == 0
    hall = Hall.objects.create(code="ZZ", name="Z")
    with pytest.raises(IntegrityError), rawsql.cursor() as c:  # Django's, not the driver's
        c.execute(
            "INSERT INTO halls_hall (code, name) SELECT code, name FROM halls_hall WHERE id = %s",
            [hall.pk],
        )


@pytest.mark.django_db
def test_watched_queries_go_through_djangos_cursor():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        with rawsql.cursor() as c:
            assert not isinstance(c, rawsql.LeanCursor)
            c.execute("SELECT %s", [1])
    assert len(queries.captured_queries) == 1


@pytest.mark.django_db
def test_a_broken_transaction_refuses_more_statements_as_djangos_cursor_does():
    from django.db import IntegrityError, connection, transaction
    from django.db.transaction import TransactionManagementError

    connection.ensure_connection()
    hall = Hall.objects.create(code="ZY", name="Y")
    copy = "INSERT INTO halls_hall (code, name) SELECT code, name FROM halls_hall WHERE id = %s"
    with transaction.atomic():
        with pytest.raises(IntegrityError), rawsql.cursor() as c:
            c.execute(copy, [hall.pk])
        connection.set_rollback(True)  # what atomic() does when the error leaves a block
        with pytest.raises(TransactionManagementError), rawsql.cursor() as c:
            c.execute("SELECT 1")


def test_a_late_name_that_is_no_column_of_the_statement_is_refused():
    event = rawsql.new(CaseEvent, case_id=7, seq=1, kind="received", at=MOMENT)
    with pytest.raises(ValueError, match="not columns of this statement: \\['sequence'\\]"):
        rawsql.prepare_insert([event], late=("sequence",))
