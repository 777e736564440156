"""Shared plumbing tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerLease(models.Model):
    """Who runs the background worker for this database.

    One worker per database: a worker may only run jobs while it holds the lease, which
    it renews on every loop. A second worker waits until the first one's lease expires,
    so two workers never run the same scan at the same time (and never double-raise).
    """

    name = models.CharField(max_length=40, primary_key=True)
    owner = models.CharField(max_length=120, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker lease")


class JobRun(models.Model):
    """When each periodic job last ran, so that a restarted worker keeps the rhythm."""

    name = models.CharField(max_length=120, primary_key=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("job run")
