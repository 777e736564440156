"""`onewindow tally`: check, rebuild or close the monthly counts of case acts."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from onewindow.cases import tally


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month {text!r}: expected YYYY-MM, e.g. 2026-06") from None


class Command(BaseCommand):
    help = (
        "The monthly counts of case acts kept with the events (cases.tally): --check "
        "compares them with a fresh count of the events, --rebuild writes them again "
        "from the events (after a bulk load; nothing else may write cases meanwhile), "
        "--close writes the counts at the end of every ended month not closed yet."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true")
        action.add_argument("--rebuild", action="store_true")
        action.add_argument("--close", action="store_true")
        parser.add_argument(
            "--month", action="append", default=None, metavar="YYYY-MM",
            help="only this month (repeatable); default: every month since the first case",
        )  # fmt: skip

    def handle(self, *args, **opts):
        if opts["close"]:
            self.stdout.write(f"closed {tally.close_months()} month(s)")
            return
        months = [_month(m) for m in opts["month"]] if opts["month"] else tally.months_with_cases()
        if opts["rebuild"]:
            tally.rebuild_months(months, sys.stderr)
            self.stdout.write(f"rebuilt {len(months)} month(s)")
            return
        wrong = 0
        for n, month in enumerate(months, start=1):
            sys.stderr.write(f"\r{n}/{len(months)} {month:%Y-%m}")
            sys.stderr.flush()
            for key, name, kept, fresh in tally.differences(month):
                wrong += 1
                self.stdout.write(
                    f"{month:%Y-%m} hall {key[0]} department {key[1]} window {key[2]} "
                    f"item {key[3]}: {name} kept {kept}, counted {fresh}"
                )
        sys.stderr.write("\n")
        if wrong:
            raise CommandError(f"{wrong} count(s) differ from the events: run --rebuild")
        else:
            self.stdout.write(f"{len(months)} month(s) agree with the events")
