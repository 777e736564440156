"""The writes of the Open311 app: partner keys issued and revoked, complaints posted.

Each runs in one transaction with its audit row. Posting a complaint hands it to the
complaints app's own `register` service (the one the portal and the staff pages use), so
a complaint from a partner system follows the same rules, numbers and deadlines.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record

from .mapping import channel_choices
from .models import PartnerKey


class PartnerKeyError(ValueError):
    """A key that cannot be issued or revoked as asked; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _snapshot(key: PartnerKey) -> dict:
    return {
        "name": key.name,
        "channel": key.channel,
        "prefix": key.prefix,
        "batch": key.batch,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@transaction.atomic
def issue_key(*, actor, name: str, channel: str, batch: bool = False) -> tuple[PartnerKey, str]:
    """A new key for the partner system ``name``; returns the row and the key itself,
    which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise PartnerKeyError(_("A partner key needs a name."))
    if len(name) > 40:
        raise PartnerKeyError(_("A partner key's name has at most 40 characters."))
    if channel not in channel_choices():
        raise PartnerKeyError(_("Choose the channel of a partner system."))
    if PartnerKey.objects.filter(name=name).exists():
        raise PartnerKeyError(_("There is already a partner key named %(name)s.") % {"name": name})
    key = PartnerKey.new_key()
    row = PartnerKey.objects.create(
        name=name,
        channel=channel,
        prefix=key[len("o311_") :][:8],
        key_hash=PartnerKey.hash_key(key),
        batch=batch,
    )
    record(
        actor=actor,
        action="open311.key_created",
        obj=row,
        object_repr=str(row),
        after=_snapshot(row),
    )
    return row, key


@transaction.atomic
def revoke_key(*, actor, key: PartnerKey) -> PartnerKey:
    """Revoke a partner key at once: its next POST is refused (403)."""
    key = PartnerKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise PartnerKeyError(
            _("The partner key %(name)s was already revoked.") % {"name": key.name}
        )
    before = _snapshot(key)
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action="open311.key_revoked",
        obj=key,
        object_repr=str(key),
        before=before,
        after=_snapshot(key),
    )
    return key
