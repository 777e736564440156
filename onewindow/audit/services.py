"""Writing and verifying the audit log. Services call `record()` explicitly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core import plainjson
from onewindow.core.http import client_address
from onewindow.lib.idnumbers import looks_like_personal_number, mask_resident_id

from . import checkpoint as checkpoint_file
from .checkpoint import Checkpoint
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
    """The client's address behind the trusted proxies (`core.http.client_address`)."""
    if request is None:
        return None
    return client_address(request)


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
    """Append one audit row, chained to the previous one under the audit key (HMAC).

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
            scheme=AuditEntry.Scheme.KEYED,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass
class VerifyProblem:
    seq: int
    kind: str  # "altered" | "deleted" | "truncated" | "unkeyed"
    detail: str


class ChainBroken(Exception):
    """The chain does not verify; no checkpoint is signed over it."""

    def __init__(self, problem: VerifyProblem):
        super().__init__(problem.detail)
        self.problem = problem


@dataclass
class Verification:
    """What a walk of the chain found: rows checked, where it ends, the first problem."""

    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    last_unkeyed: int = 0  # the last row written before the key (0: none)
    problem: VerifyProblem | None = None


def _walk(
    state: Verification,
    *,
    legacy_until: int | None,
    pin: Checkpoint | None = None,
    batch_size: int = 2000,
) -> None:
    """Check the rows after ``state.last_seq`` in order; stop at the first problem.

    A row must follow the previous one (seq and prev_hash) and carry its own hash under
    its scheme. Unkeyed rows (written before the chain was keyed) may only come before
    every keyed row and, once a checkpoint said where they end (``legacy_until``), not
    after it: so nobody can turn keyed rows into unkeyed ones and recompute them. The row
    a checkpoint names (``pin``) must still have the hash the checkpoint signed.
    """
    seen_keyed = False
    for entry in _iter_entries(batch_size, after=state.last_seq):
        seq = entry.seq
        if seq != state.last_seq + 1:
            state.problem = VerifyProblem(
                state.last_seq + 1,
                "deleted",
                _("row %(seq)d is missing (the next row present is %(next)d)")
                % {"seq": state.last_seq + 1, "next": seq},
            )
            return
        if entry.prev_hash != state.last_hash:
            state.problem = VerifyProblem(
                seq,
                "altered",
                _("row %(seq)d does not follow row %(prev)d") % {"seq": seq, "prev": seq - 1},
            )
            return
        if entry.scheme == AuditEntry.Scheme.UNKEYED:
            if seen_keyed or (legacy_until is not None and seq > legacy_until):
                state.problem = VerifyProblem(
                    seq,
                    "unkeyed",
                    _("row %(seq)d has no keyed hash although it comes after the key")
                    % {"seq": seq},
                )
                return
        elif entry.scheme == AuditEntry.Scheme.KEYED:
            seen_keyed = True
        if entry.scheme not in AuditEntry.Scheme.values or entry.compute_hash() != entry.hash:
            state.problem = VerifyProblem(
                seq, "altered", _("row %(seq)d was altered") % {"seq": seq}
            )
            return
        if pin is not None and seq == pin.seq and entry.hash != pin.hash:
            state.problem = VerifyProblem(
                seq,
                "altered",
                _("rows up to %(seq)d differ from the checkpoint of %(at)s")
                % {"seq": seq, "at": _local(pin.at)},
            )
            return
        if entry.scheme == AuditEntry.Scheme.UNKEYED:
            state.last_unkeyed = seq
        state.last_seq, state.last_hash = seq, entry.hash
        state.checked += 1


def check_chain(checkpoint: Checkpoint | None = None, batch_size: int = 2000) -> Verification:
    """Walk the whole chain, against the signed checkpoint when one is given."""
    state = Verification()
    legacy_until = checkpoint.legacy_until if checkpoint is not None else None
    _walk(state, legacy_until=legacy_until, pin=checkpoint, batch_size=batch_size)
    if state.problem is not None:
        return state
    after = state.last_seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq > state.last_seq:
        state.problem = VerifyProblem(
            after,
            "deleted",
            _("rows %(first)d..%(last)d are missing at the end of the log")
            % {"first": after, "last": head.last_seq},
        )
    elif head is not None and (
        head.last_seq != state.last_seq or head.last_hash != state.last_hash
    ):
        state.problem = VerifyProblem(
            state.last_seq,
            "altered",
            _("the chain head does not match row %(seq)d, the last row of the log")
            % {"seq": state.last_seq},
        )
    elif checkpoint is not None and checkpoint.seq > state.last_seq:
        state.problem = VerifyProblem(
            after,
            "truncated",
            _(
                "rows %(first)d..%(last)d are missing at the end of the log: the checkpoint "
                "of %(at)s covers it up to row %(last)d"
            )
            % {"first": after, "last": checkpoint.seq, "at": _local(checkpoint.at)},
        )
    return state


def verify_chain(
    checkpoint: Checkpoint | None = None, batch_size: int = 2000
) -> tuple[int, VerifyProblem | None]:
    """Walk the whole chain; return (rows checked, first problem or None)."""
    state = check_chain(checkpoint, batch_size)
    return state.checked, state.problem


def write_checkpoint(path: Path | None = None) -> Checkpoint:
    """Sign the chain's head and write it to the checkpoint file; return the checkpoint.

    Only a chain that verifies is signed: from the previous checkpoint on (its row must
    still carry the signed hash; the rows after it are walked), or whole when there is
    none yet. A broken chain raises ChainBroken and the old file stays, so that the next
    `audit verify` still fails. An invalid file raises CheckpointError and is not replaced:
    an administrator looks at it first.
    """
    path = Path(path or settings.ONEWINDOW_AUDIT_CHECKPOINT)
    try:
        previous = checkpoint_file.load(path)
    except FileNotFoundError:
        previous = None
    if previous is None:
        state = check_chain()
    else:
        state = Verification(
            last_seq=previous.seq, last_hash=previous.hash, last_unkeyed=previous.legacy_until
        )
        if previous.seq:
            row = AuditEntry.objects.filter(seq=previous.seq).only("hash").first()
            if row is None or row.hash != previous.hash:
                raise ChainBroken(
                    VerifyProblem(
                        previous.seq,
                        "truncated" if row is None else "altered",
                        _("row %(seq)d is not the row the checkpoint of %(at)s signed")
                        % {"seq": previous.seq, "at": _local(previous.at)},
                    )
                )
        _walk(state, legacy_until=previous.legacy_until)
    if state.problem is not None:
        raise ChainBroken(state.problem)
    signed = Checkpoint(
        seq=state.last_seq,
        hash=state.last_hash,
        legacy_until=state.last_unkeyed,
        at=timezone.now(),
    )
    checkpoint_file.save(path, signed)
    return signed


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _iter_entries(batch_size: int, after: int = 0) -> Iterator[AuditEntry]:
    last = after
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
