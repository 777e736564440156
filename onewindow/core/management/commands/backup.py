"""`onewindow backup FILE`: a consistent copy of the whole database (see core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.core import backup


class Command(BaseCommand):
    help = (
        "Back the database up to FILE with the engine's own tool: SQLite's online backup, "
        "or pg_dump's custom format on PostgreSQL. Safe while the service runs."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="replace an existing FILE")
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args, **options):
        path = Path(options["file"])
        alias = options["database"]
        try:
            if path.exists() and not options["force"]:
                raise backup.BackupError(
                    _("%(file)s exists already: choose another name or use --force")
                    % {"file": path}
                )
            engine = backup.engine_of(alias)
            self.stdout.write(
                _("backing up the %(engine)s database %(db)s to %(file)s")
                % {
                    "engine": backup.ENGINE_NAMES[engine],
                    "db": backup.describe_target(alias),
                    "file": path,
                }
            )
            backup.backup(path, alias=alias, progress=backup.ConsoleProgress(self.stdout))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        size = path.stat().st_size
        self.stdout.write(
            _("backup written: %(file)s (%(size)s KiB)")
            % {"file": path, "size": f"{size / 1024:,.0f}"}
        )
