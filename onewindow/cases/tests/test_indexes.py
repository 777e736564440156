"""The indexes of the busiest tables (migrations cases.0004 and audit.0002): every case and event written
updates each of them, so each one a query does not need is gone, and each one a query
does need is there (on both engines)."""

import pytest
from django.db import connection

from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def indexes(model, unique=False) -> set[tuple[str, ...]]:
    """The column lists of the table's indexes (unique constraints included), or with
    ``unique`` of its unique ones only."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        tuple(info["columns"])
        for info in found.values()
        if info["unique"] or (info["index"] and not unique)
    }


def test_the_case_table_keeps_only_the_indexes_its_queries_use():
    found = indexes(Case)
    for column in (
        "status",
        "hall_id",
        "window_id",
        "item_version_id",
        "received_by_id",
        "current_assignee_id",
    ):
        assert (column,) not in found, column
    # What the lists, the scans and the number lookups use.
    for columns in (
        ("number",),
        ("hall_id", "status", "promised_due_date"),
        ("status", "promised_due_date"),
        ("hall_id", "received_at"),
        ("current_assignee_id", "status"),
        ("received_by_id", "status"),  # the queue: what I received that waits for materials
        ("promised_due_date",),
        ("current_step_id",),  # a case's step deleted: the case's pointer set to NULL
    ):
        assert columns in found, columns
    assert ("number",) in indexes(Case, unique=True)


def test_events_are_found_through_their_unique_case_and_sequence():
    found = indexes(CaseEvent)
    for column in ("case_id", "actor_id", "window_id"):
        assert (column,) not in found, column
    assert ("case_id", "seq") in indexes(CaseEvent, unique=True)
    assert ("kind", "at") in found
    assert ("hall_id",) in found


def test_the_audit_log_keeps_the_indexes_its_search_uses():
    found = indexes(AuditEntry)
    for column in ("actor_id", "object_type", "object_id"):
        assert (column,) not in found, column
    for columns in (("at",), ("action",), ("hall_id",)):
        assert columns in found, columns
    assert ("seq",) in indexes(AuditEntry, unique=True)
