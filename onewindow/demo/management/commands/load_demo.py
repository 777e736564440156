"""`onewindow load_demo`: the Zhangjiagang demo data. Safe to run again (idempotent)."""

from django.core.management.base import BaseCommand

from onewindow.demo.organisation import DEMO_PASSWORD, load_organisation


class Command(BaseCommand):
    help = "Load the Zhangjiagang demo: halls, departments, windows, staff (idempotent)."

    def handle(self, *args, **options):
        accounts = load_organisation(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for roles, usernames in accounts.items():
            shown = ", ".join(usernames[:4]) + (
                f" … ({len(usernames)})" if len(usernames) > 4 else ""
            )
            self.stdout.write(f"  {roles:<40} {shown}")
