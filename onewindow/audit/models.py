"""The audit log: who did what to which object, when and from where.

Rows are only ever appended. Each row stores the HMAC-SHA256 of its own content together
with the previous row's hash, under a key kept outside the database
(settings.ONEWINDOW_AUDIT_KEY), so that altering or deleting any row breaks the chain from
that row on, and someone who can write the database but does not hold the key cannot
recompute it. `AuditHead` remembers the last sequence number and hash; the signed
checkpoint file (audit.checkpoint) catches the newest rows deleted together with the head.

Rows written before the chain was keyed keep their plain SHA-256 (scheme 1); see
docs/apps/audit.md for how they are verified.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet

GENESIS_HASH = "0" * 64


def chain_key() -> bytes:
    """The audit chain's HMAC key, read from the settings (never from the database)."""
    return settings.ONEWINDOW_AUDIT_KEY.encode()


class AuditEntry(models.Model):
    """One audited action. Never updated, never deleted."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    # Every change writes a row, so only what the search filters on is indexed: the time,
    # the action and the hall (and seq, its order). Object type and id are matched only
    # beside free text (no index helps), the actor by name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    hall = models.ForeignKey(
        "halls.Hall",
        verbose_name=_("hall"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Scheme(models.IntegerChoices):
        UNKEYED = 1, _("SHA-256, written before the key")
        KEYED = 2, _("HMAC-SHA256 with the audit key")

    scheme = models.PositiveSmallIntegerField(
        _("hash scheme"), choices=Scheme.choices, default=Scheme.KEYED
    )

    # Entries without a hall (calendar, roles) are visible only to whole-city viewers.
    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def canonical(self) -> str:
        """The exact text that is hashed. Changing this breaks every existing chain."""
        payload = {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "ip": self.ip,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "hall": self.hall_id,
            "before": self.before,
            "after": self.after,
            "note": self.note,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)

    def compute_hash(self, key: bytes | None = None) -> str:
        """The row's hash under its scheme; ``key`` defaults to the configured one."""
        text = self.canonical().encode()
        if self.scheme == self.Scheme.UNKEYED:
            return hashlib.sha256(text).hexdigest()
        return hmac.new(key or chain_key(), text, hashlib.sha256).hexdigest()


class AuditHead(models.Model):
    """The single row holding the end of the chain; also the lock that serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
