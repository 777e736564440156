"""`onewindow restore FILE`: put a backup made by `onewindow backup` into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.core import backup


class Command(BaseCommand):
    help = (
        "Restore the database from a backup FILE made by `onewindow backup` on the same engine. "
        "Refuses a database that already has tables unless --force. Stop the service first."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to read")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that already has tables (its content is replaced)",
        )
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args, **options):
        path = Path(options["file"])
        alias = options["database"]
        try:
            engine = backup.check_file_for(path, alias)
            tables = backup.table_names(alias)
            target = backup.describe_target(alias)
            if tables and not options["force"]:
                raise backup.BackupError(
                    _(
                        "the database %(db)s is not empty (%(n)d tables): nothing restored. "
                        "Restore into an empty database, or use --force to replace its content"
                    )
                    % {"db": target, "n": len(tables)}
                )
            self.stdout.write(
                _("restoring %(file)s into the %(engine)s database %(db)s%(replacing)s")
                % {
                    "file": path,
                    "engine": backup.ENGINE_NAMES[engine],
                    "db": target,
                    "replacing": _(", replacing its %(n)d tables") % {"n": len(tables)}
                    if tables
                    else "",
                }
            )
            backup.restore(path, alias=alias, progress=backup.ConsoleProgress(self.stdout))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "restored. Next: `onewindow migrate` if the backup comes from an older version, "
                "then `onewindow audit verify` (with the same audit key and checkpoint)"
            )
        )
