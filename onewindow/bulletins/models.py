"""Bulletins (通报, 中心动态) of the centre, their distribution and their receipts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet


class BulletinQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Bulletin.Status.PUBLISHED)

    def public(self):
        return self.published().filter(is_public=True)

    def for_halls(self, hall_ids):
        """Published bulletins sent down (发) to any of these halls."""
        return self.published().filter(receipts__hall__in=hall_ids).distinct()


class Bulletin(models.Model):
    """A bulletin written by the centre. Its distribution: reported up (报) to leaders,
    sent (送) to peer bodies (both named bodies, one a line), and issued down (发) to
    halls, each of which gets a `Receipt` on publication. The body is plain text shown
    with its paragraphs; it is never rendered as HTML."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice (通报)")
        NEWS = "news", _("Centre news (中心动态)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    is_public = models.BooleanField(_("public on the portal"), default=False)
    report_to = models.TextField(_("reported up to (报)"), blank=True)
    send_to = models.TextField(_("sent to (送)"), blank=True)
    halls = models.ManyToManyField(
        "halls.Hall", verbose_name=_("issued to halls (发)"), related_name="+", blank=True
    )
    source_month = models.DateField(_("from the report of"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        permissions = [
            ("manage_bulletins", _("Can write and publish bulletins and see their receipts")),
            ("acknowledge_bulletins", _("Can acknowledge bulletins for one's hall")),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def bodies(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    @property
    def report_to_list(self) -> list[str]:
        return self.bodies(self.report_to)

    @property
    def send_to_list(self) -> list[str]:
        return self.bodies(self.send_to)


class Attachment(models.Model):
    """A file of a bulletin (a speech, a table), checked by `uploads.validate_attachment`."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="bulletins/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ReceiptQuerySet(HallScopedQuerySet):
    pass


class Receipt(models.Model):
    """A bulletin issued to one hall: when somebody of the hall first opened it, and when
    its manager acknowledged it (once)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="receipts")
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["hall__sort_order", "hall__code"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "hall"], name="receipt_once_per_hall")
        ]

    def __str__(self) -> str:
        return f"{self.bulletin} → {self.hall}"
