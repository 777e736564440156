"""`onewindow audit verify`: check the audit chain end to end."""

import sys

from django.core.management.base import BaseCommand

from onewindow.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' exits 0 on an intact log, 1 naming the first broken row."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args, **options):
        checked, problem = verify_chain()
        if problem is None:
            self.stdout.write(f"audit log intact: {checked} rows verified")
            return
        self.stderr.write(
            f"audit log broken at row {problem.seq} ({problem.kind}): {problem.detail}"
        )
        self.stderr.write(f"{checked} rows before it verified")
        sys.exit(1)
