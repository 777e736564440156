"""Periodic jobs of the supervision app (listed in settings.ONEWINDOW_WORKER_JOBS)."""

from .services.scan import scan


def scan_alerts() -> None:
    """Raise the alerts of new breaches (incremental after the first scan)."""
    scan()
