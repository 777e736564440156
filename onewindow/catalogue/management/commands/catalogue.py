"""`onewindow catalogue`: export the catalogue to an Excel workbook, or import one."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.catalogue.exchange import (
    ImportFileError,
    ImportRowsError,
    export_workbook,
    import_workbook,
)


class Command(BaseCommand):
    help = "Excel exchange of the service item catalogue (see docs/CATALOGUE_XLSX.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        exp = sub.add_parser("export", help="write every item's newest version to FILE.xlsx")
        exp.add_argument("file")
        exp.add_argument(
            "--published",
            action="store_true",
            help="only the versions in force, as the public guide shows them",
        )
        imp = sub.add_parser(
            "import",
            help="check FILE.xlsx and import all rows (submitted to legal review) or nothing",
        )
        imp.add_argument("file")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_export(self, options):
        try:
            count = export_workbook(options["file"], published_only=options["published"])
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"exported {count} items to {options['file']}")

    def handle_import(self, options):
        try:
            with open(options["file"], "rb") as fh:
                result = import_workbook(fh, filename=options["file"])
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        except ImportRowsError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} bad rows: nothing imported") from exc
        self.stdout.write(
            f"imported: {len(result.created)} new, {len(result.updated)} changed "
            f"(submitted to legal review), {len(result.unchanged)} unchanged"
        )
