"""The signed checkpoint of the audit chain: its head (seq, hash) at a moment, with an HMAC.

The worker writes it to a file (settings.ONEWINDOW_AUDIT_CHECKPOINT) and `audit verify`
checks the chain against it, so that a chain cut short (the newest rows deleted together
with `AuditHead`) or rewritten up to the head is caught even by someone who trusts nothing in
the database. The file carries no secret: its HMAC, under the audit key, only proves who
wrote it. ``legacy_until`` is the last row written before the chain was keyed: no
unkeyed row may come after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext as _

from .models import chain_key

VERSION = 1
# Keeps a checkpoint's MAC apart from any row's MAC under the same key.
DOMAIN = b"onewindow-audit-checkpoint\n"
HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointError(Exception):
    """A checkpoint file that cannot be trusted: unreadable, malformed or wrongly signed."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    legacy_until: int
    at: datetime

    def payload(self) -> dict:
        return {
            "version": VERSION,
            "seq": self.seq,
            "hash": self.hash,
            "legacy_until": self.legacy_until,
            "at": self.at.isoformat(timespec="microseconds"),
        }

    def mac(self, key: bytes | None = None) -> str:
        text = json.dumps(self.payload(), sort_keys=True).encode()
        return hmac.new(key or chain_key(), DOMAIN + text, hashlib.sha256).hexdigest()


def dumps(checkpoint: Checkpoint) -> str:
    return json.dumps({**checkpoint.payload(), "mac": checkpoint.mac()}, sort_keys=True) + "\n"


def loads(text: str, *, name: str = "") -> Checkpoint:
    """Parse and check a checkpoint; CheckpointError says what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError:
        raise CheckpointError(
            _("%(file)s is not a checkpoint (not JSON)") % {"file": name}
        ) from None
    malformed = CheckpointError(_("%(file)s is not a valid audit checkpoint") % {"file": name})
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise malformed
    seq, legacy, digest, mac = (data.get(k) for k in ("seq", "legacy_until", "hash", "mac"))
    if not (
        type(seq) is int
        and type(legacy) is int
        and 0 <= legacy <= seq
        and isinstance(digest, str)
        and HEX64.fullmatch(digest)
        and isinstance(mac, str)
        and isinstance(data.get("at"), str)
    ):
        raise malformed
    try:
        at = datetime.fromisoformat(data["at"])
    except ValueError:
        raise malformed from None
    if at.tzinfo is None:
        raise malformed
    checkpoint = Checkpoint(seq=seq, hash=digest, legacy_until=legacy, at=at)
    if not hmac.compare_digest(checkpoint.mac(), mac):
        raise CheckpointError(
            _(
                "the signature of %(file)s does not match the audit key: the checkpoint was "
                "altered or written with another key"
            )
            % {"file": name}
        )
    return checkpoint


def load(path: Path) -> Checkpoint:
    """Read a checkpoint file; FileNotFoundError when there is none yet."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(
            _("cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
        ) from None
    return loads(text, name=str(path))


def save(path: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint whole or not at all (a temporary file renamed over the old)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(dumps(checkpoint))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
