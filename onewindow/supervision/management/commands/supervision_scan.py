"""`onewindow supervision_scan [--full]`: run one supervision scan now and print what it raised."""

from django.core.management.base import BaseCommand

from onewindow.supervision.services.scan import scan


class Command(BaseCommand):
    help = "Run one e-supervision scan now (the worker runs it every 15 seconds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="look at every case, not only what changed"
        )

    def handle(self, *args, full=False, **options):
        result = scan(full=full)
        self.stdout.write(
            f"{result.mode} scan ({result.reason}): {result.raised} alert(s) raised in {result.duration_ms} ms"
        )
        for code, n in sorted(result.by_rule.items()):
            self.stdout.write(f"  {code:<32} {n}")
