"""`onewindow calendar`: count working days, list covered years, import a year."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from onewindow.lib.workcal import CalendarCsvError
from onewindow.workdays.services import covered_years, get_calendar, import_csv

EXIT_PROVISIONAL = 3


class Command(BaseCommand):
    help = "The legal working-day calendar."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser(
            "add",
            help="print the N-th working day after START (START not counted; N=0 prints START)",
        )
        add.add_argument("start", help="YYYY-MM-DD")
        add.add_argument("n", type=int)
        sub.add_parser("years", help="list the years with official data")
        imp = sub.add_parser("import", help="import holidays and swapped days from a CSV file")
        imp.add_argument("file")
        imp.add_argument("--notice", default="")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_add(self, options):
        try:
            start = date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(
                f"START must be a date as YYYY-MM-DD, not {options['start']!r}"
            ) from exc
        if options["n"] < 0:
            raise CommandError("N must be zero or a positive number of working days")
        result = get_calendar().add_working_days(start, options["n"])
        self.stdout.write(result.value.isoformat())
        if result.provisional:
            years = ", ".join(str(y) for y in sorted(result.missing_years))
            self.stderr.write(
                f"provisional: no official calendar data for {years}; weekends only were counted"
            )
            sys.exit(EXIT_PROVISIONAL)

    def handle_years(self, options):
        years = covered_years()
        if not years:
            self.stdout.write("no years covered")
            return
        for year in years:
            self.stdout.write(str(year))

    def handle_import(self, options):
        try:
            with open(options["file"], encoding="utf-8-sig") as fh:
                text = fh.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            years = import_csv(actor=None, text=text, notice=options["notice"])
        except CalendarCsvError as exc:
            for line, code, detail in exc.errors:
                self.stderr.write(f"line {line}: {code}: {detail}")
            raise CommandError("nothing imported") from exc
        self.stdout.write("imported " + ", ".join(str(y.year) for y in years))
