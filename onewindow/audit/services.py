"""Writing and verifying the audit log. Services call `record()` explicitly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core import plainjson
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


def record(
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
) -> AuditEntry:
    """Append one audit row, chained to the previous one.

    Runs inside the caller's transaction (no savepoint: the row goes or stays with the
    change it records) and locks the chain head, so that two writers never take the
    same sequence number. Personal numbers in ``before`` and ``after`` are masked.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if hall is None:
            if obj._meta.label_lower == "halls.hall":
                hall = obj
            elif hasattr(obj, "hall_id"):
                hall = obj.hall
    with transaction.atomic(savepoint=False):
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=(getattr(actor, "username", "") or "system")
            if actor is not None
            else "system",
            ip=ip or client_ip(request),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:200],
            hall=hall,
            # Plain JSON values (mask_personal round-trips them), so the hash covers
            # exactly what the database gives back.
            before=mask_personal(before),
            after=mask_personal(after),
            note=note,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


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
