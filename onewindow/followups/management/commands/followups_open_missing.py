"""`onewindow followups_open_missing`: open the follow-ups of bad ratings that have none
(those that came in while the calendar lacked the year of their call-back date)."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.followups.services import CalendarMissing, open_missing


class Command(BaseCommand):
    help = "Open the follow-ups of bad ratings that have none (idempotent)."

    def handle(self, *args, **options):
        try:
            opened = open_missing()
        except CalendarMissing as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{opened} follow-up(s) opened.")
