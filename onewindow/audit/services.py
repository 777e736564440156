"""Writing and verifying the audit log. Services call `record()` explicitly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onewindow.core import rawsql
from onewindow.lib import plainjson
from onewindow.lib.idnumbers import looks_like_personal_number, mask_resident_id

from .models import GENESIS_HASH, AuditEntry, AuditHead

# Keys whose values are personal numbers and are always stored masked.
PERSONAL_KEYS = {
    "id_number",
    "resident_id",
    "applicant_id_number",
    "phone",
    "mobile",
    "contact_phone",
}


def _mask_value(key: str | None, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(key, v) for v in value]
    if isinstance(value, str) and (key in PERSONAL_KEYS or looks_like_personal_number(value)):
        return mask_resident_id(value)
    return value


def mask_personal(values: dict | None) -> dict | None:
    """Personal numbers never enter the audit log in clear."""
    if values is None:
        return None
    # Dates, decimals and UUIDs stored as text (as a round trip through JSON gives them).
    return _mask_value(None, plainjson.plain(values))


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(**arguments) -> AuditEntry:
    """Append one audit row, chained to the previous one (the arguments are `prepare`'s).

    Runs inside the caller's transaction (so the row disappears if the change is rolled
    back) and locks the chain head so that two writers never take the same sequence.
    """
    return prepare(**arguments).append()


class Pending:
    """An audit row worked out ahead of the write transaction (`prepare`): the values
    masked and converted, the INSERT prepared. `append` chains it to the head inside the
    transaction: the sequence number, the time, the previous hash and its own hash; and
    the key and name of ``obj`` as they are then (a new case gets its key and number in
    the transaction that writes it)."""

    __slots__ = ("entry", "obj", "from_obj", "insert")

    def __init__(self, entry: AuditEntry, obj, from_obj: bool):
        self.entry, self.obj, self.from_obj = entry, obj, from_obj
        self.insert = rawsql.prepare_insert([entry], late=_LATE)

    def append(self) -> AuditEntry:
        entry = self.entry
        # Inside the caller's transaction when there is one (no savepoint: the audit row
        # goes or stays with the change it records), else in a transaction of its own.
        with transaction.atomic(savepoint=False):
            prev_seq, prev_hash = _lock_head()
            entry.seq = prev_seq + 1
            entry.at = timezone.now()
            entry.prev_hash = prev_hash
            if self.from_obj:
                entry.object_id = str(self.obj.pk)
                entry.object_repr = str(self.obj)[:200]
            # before/after are already plain JSON values (mask_personal round-trips
            # them), so the hash covers exactly what the database will give back.
            entry.hash = entry.compute_hash()
            self.insert.run()  # the ORM's INSERT without its composing
            with rawsql.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1",
                    [entry.seq, entry.hash],
                )
        return entry


# Filled in by Pending.append, in the transaction.
_LATE = ("seq", "at", "prev_hash", "hash", "object_id", "object_repr")


def prepare(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    hall=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    request=None,
    ip: str | None = None,
) -> Pending:
    """`record` in two halves: this one, before the write transaction, works out the
    row; ``.append()``, in the transaction, chains and writes it."""
    from_obj = obj is not None and not object_id and not object_repr
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if hall is None:
            if obj._meta.label_lower == "halls.hall":
                hall = obj
            elif hasattr(obj, "hall_id"):
                hall = obj.hall
    entry = rawsql.new(
        AuditEntry,
        seq=0,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "username", "") or "system") if actor is not None else "system",
        ip=ip or client_ip(request),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        hall=hall,
        before=mask_personal(before),
        after=mask_personal(after),
        note=note,
    )
    return Pending(entry, obj, from_obj)


_HEAD = AuditHead._meta.db_table


def _lock_head() -> tuple[int, str]:
    """Read the chain head, locked until the caller's transaction ends (PostgreSQL row
    lock; SQLite's write transaction is already exclusive). Created on first use."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with rawsql.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_seq, head.last_hash
    return row[0], row[1]


@dataclass
class VerifyProblem:
    seq: int
    kind: str  # "altered" | "deleted" | "truncated"
    detail: str


def verify_chain(batch_size: int = 2000) -> tuple[int, VerifyProblem | None]:
    """Walk the whole chain; return (rows checked, first problem or None)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _iter_entries(batch_size):
        if entry.seq != expected_seq:
            return checked, VerifyProblem(
                expected_seq,
                "deleted",
                f"row {expected_seq} is missing (next row present is {entry.seq})",
            )
        if entry.prev_hash != expected_prev:
            return checked, VerifyProblem(
                entry.seq, "altered", f"row {entry.seq} does not follow row {entry.seq - 1}"
            )
        if entry.compute_hash() != entry.hash:
            return checked, VerifyProblem(entry.seq, "altered", f"row {entry.seq} was altered")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return checked, VerifyProblem(
            expected_seq,
            "deleted",
            f"rows {expected_seq}..{head.last_seq} are missing at the end of the log",
        )
    return checked, None


def _iter_entries(batch_size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
