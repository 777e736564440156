"""`onewindow simulate`: write a simulated year of cases (see onewindow/cases/simulate)."""

from __future__ import annotations

import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.cases import simulate


class Command(BaseCommand):
    help = (
        "Simulate a year of cases over the published catalogue: volumes per item and hall, weekly and "
        "seasonal rhythm, every event of each case's life cycle. The current year stops at now."
    )
    # A data tool: the URL and template checks have nothing to say about it.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="the year (default: this year, up to now)"
        )
        parser.add_argument(
            "--cases", type=int, default=910000, help="number of cases (default 910000)"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed gives the same year"
        )
        parser.add_argument(
            "--halls", nargs="*", default=None, metavar="CODE", help="only these halls (codes)"
        )
        parser.add_argument(
            "--until",
            default=None,
            help="stop at this moment (ISO date or date-time, local time); default: now for the current year",
        )
        parser.add_argument("--batch", type=int, default=10000, help="cases per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **opts):
        now = timezone.now()
        year = opts["year"] or timezone.localdate(now).year
        if opts["cases"] < 1:
            raise CommandError("--cases must be at least 1")
        until = None
        if opts["until"]:
            try:
                until = datetime.fromisoformat(opts["until"])
            except ValueError as exc:
                raise CommandError(f"--until: {exc}") from None
            if timezone.is_naive(until):
                until = timezone.make_aware(until)
        elif year >= timezone.localdate(now).year:
            until = now
        if until is not None and timezone.localtime(until).year < year:
            raise CommandError(f"{year} has not begun yet")
        options = simulate.Options.for_year(
            year, opts["cases"], seed=opts["seed"], until=until, batch_cases=opts["batch"]
        )
        try:
            stats = simulate.run(
                options,
                hall_codes=opts["halls"],
                stderr=opts.get("stderr") or sys.stderr,
                progress=not opts["no_progress"],
            )
        except simulate.SimulationError as exc:
            raise CommandError(str(exc)) from None
        statuses = ", ".join(
            f"{k} {v:,}" for k, v in sorted(stats.by_status.items(), key=lambda kv: -kv[1])
        )
        self.stdout.write(
            f"simulated {stats.cases:,} cases ({options.start} to {options.end}) with {stats.events:,} events, "
            f"{stats.steps:,} steps, {stats.corrections:,} correction notices, {stats.suspensions:,} suspensions, "
            f"{stats.extensions:,} extensions in {stats.seconds:.1f} s ({stats.rows / max(stats.seconds, 1e-9):,.0f} rows/s)"
        )
        self.stdout.write(f"by status: {statuses}")
