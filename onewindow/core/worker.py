"""The background worker: one loop per database that runs the periodic jobs.

Jobs are listed in settings.ONEWINDOW_WORKER_JOBS as (dotted path, interval seconds).
The loop claims the lease with a guarded UPDATE (no Celery, no Redis): only the holder
runs jobs; if it dies, another worker takes over once the lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import JobRun, WorkerLease

log = logging.getLogger("onewindow.worker")

LEASE_NAME = "main"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_lease(owner: str, seconds: int) -> bool:
    """Take or renew the lease; True when `owner` holds it afterwards."""
    now = timezone.now()
    expires = now + timedelta(seconds=seconds)
    try:
        with transaction.atomic():
            WorkerLease.objects.get_or_create(name=LEASE_NAME)
    except IntegrityError:
        pass  # created by the other worker at the same moment
    taken = WorkerLease.objects.filter(
        Q(owner=owner) | Q(owner="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now),
        name=LEASE_NAME,
    ).update(owner=owner, expires_at=expires)
    return taken == 1


def release_lease(owner: str) -> None:
    WorkerLease.objects.filter(name=LEASE_NAME, owner=owner).update(owner="", expires_at=None)


def due_jobs(now=None) -> list[tuple[str, int]]:
    now = now or timezone.now()
    runs = {r.name: r for r in JobRun.objects.all()}
    due = []
    for path, interval in settings.ONEWINDOW_WORKER_JOBS:
        run = runs.get(path)
        if (
            run is None
            or run.last_started_at is None
            or run.last_started_at <= now - timedelta(seconds=interval)
        ):
            due.append((path, interval))
    return due


def run_job(path: str) -> None:
    started = timezone.now()
    JobRun.objects.update_or_create(name=path, defaults={"last_started_at": started})
    error = ""
    try:
        import_string(path)()
    except Exception:  # a failing job must not stop the others
        error = traceback.format_exc()
        log.exception("job %s failed", path)
    run = JobRun.objects.get(name=path)
    run.last_finished_at = timezone.now()
    run.last_error = error
    run.runs += 1
    run.save()


def run_once(owner: str, lease_seconds: int = 30) -> int:
    """One pass: claim the lease, run what is due. Returns the number of jobs run."""
    if not claim_lease(owner, lease_seconds):
        return 0
    jobs = due_jobs()
    for path, _interval in jobs:
        run_job(path)
        claim_lease(owner, lease_seconds)  # long jobs keep the lease alive
    return len(jobs)


def run_forever(tick: float = 5.0, stop=lambda: False) -> None:
    owner = worker_id()
    log.info("worker %s started", owner)
    try:
        while not stop():
            close_old_connections()
            try:
                run_once(owner)
            except Exception:
                log.exception("worker pass failed")
            time.sleep(tick)
    finally:
        release_lease(owner)
        log.info("worker %s stopped", owner)
