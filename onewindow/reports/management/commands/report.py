"""`onewindow report monthly --month 2026-06 [--hall CODE] --format xlsx|pdf --out FILE`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.reports import exports, services


class Command(BaseCommand):
    help = "Monthly reports (办件月报)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        monthly = sub.add_parser(
            "monthly",
            help="keep a month's report (the first time) and export it as xlsx or PDF",
        )
        monthly.add_argument("--month", required=True, help="YYYY-MM, a month that is over")
        monthly.add_argument("--hall", default="", help="a hall's code; the whole centre without")
        monthly.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
        monthly.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_monthly(self, options):
        try:
            month = services.parse_month(options["month"])
            hall = services.hall_by_code(options["hall"])
        except services.ReportError as exc:
            raise CommandError(str(exc)) from exc
        scope = services.scope_name(hall)
        self.stdout.write(
            _("Counting %(month)s for %(scope)s…") % {"month": f"{month:%Y-%m}", "scope": scope}
        )
        report, created, diff = services.generate_report(actor=None, month=month, hall=hall)
        if created:
            self.stdout.write(_("Report kept."))
        else:
            self.stdout.write(
                _("The report kept on %(at)s is exported as it was.")
                % {"at": f"{report.generated_at:%Y-%m-%d %H:%M}"}
            )
            if diff:
                self.stderr.write(
                    _("Counted again, %(n)s figures differ from the kept report:")
                    % {"n": len(diff)}
                )
                # The whole scope's figures first, then the levels and comparisons.
                diff.sort(key=lambda d: (not d[0].startswith("levels.total"), d[0]))
                for path, before, now in diff[:20]:
                    self.stderr.write(f"  {path}: {before} → {now}")
        name = scope
        self.stdout.write(_("Writing %(format)s…") % {"format": options["format"]})
        if options["format"] == "xlsx":
            data = exports.to_xlsx(report.figures, name)
            pages = None
        else:
            data, pages = exports.to_pdf(report.figures, name)
        try:
            with open(options["out"], "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        done = _("Written %(file)s (%(size)s bytes)") % {"file": options["out"], "size": len(data)}
        if pages:
            done += _(", %(pages)s pages") % {"pages": pages}
        self.stdout.write(done)
