"""Keys of the partner systems that post complaints through Open311, and what they posted.

A partner (the 12345 hotline, a city app) is given one key per system with
`onewindow open311 key create NAME --channel CHANNEL`; only its SHA-256 hash is kept, the
key itself is shown once. The key says which channel its complaints came in by, so a
complaint posted by the hotline is a hotline complaint like one a clerk typed in.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "o311_"


class PartnerKeyQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at=None)


class PartnerKey(models.Model):
    """The `api_key` of one partner system. Revoked keys stay (the audit log and the
    complaints they posted name them) but open nothing.

    ``batch``: the partner gets a token from a POST instead of the request's id and
    asks `tokens/{token}` for the id (the spec's "batch" type), for systems that queue
    their posts and look the ids up later."""

    # As `Complaint.source_system` names it on the complaints it posted.
    name = models.CharField(_("name"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=20)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    batch = models.BooleanField(_("answers with tokens"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 partner key")
        verbose_name_plural = _("Open311 partner keys")

    def __str__(self) -> str:
        return f"{self.name} {KEY_PREFIX}{self.prefix}…"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def find(cls, key: str) -> PartnerKey | None:
        """The live key ``key`` names, or None (an unknown, malformed or revoked key)."""
        if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
            return None
        return cls.objects.live().filter(key_hash=cls.hash_key(key)).first()


class PostAttempt(models.Model):
    """A POST counted by the rate limits (`limits.py`), kept one window long: in a table,
    not the per-process cache, so that the limit holds across the web processes."""

    class Kind(models.TextChoices):
        POSTED = "posted", _("Request posted")
        BAD_KEY = "bad_key", _("Invalid api_key")

    bucket = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["bucket", "kind", "at"], name="open311_attempt_bucket_at")]


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Submission(models.Model):
    """A complaint a partner key posted, and the token that names the post: a key in
    batch mode is answered with the token and asks `tokens/{token}` for the number."""

    token = models.CharField(max_length=32, unique=True, default=new_token)
    key = models.ForeignKey(PartnerKey, on_delete=models.PROTECT, related_name="submissions")
    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="open311_submission"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return self.token
