"""`onewindow token create USERNAME`: print a new API bearer token."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts.models import User
from onewindow.accounts.services import create_api_token


class Command(BaseCommand):
    help = "API tokens for `Authorization: Bearer`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token and print it (shown once)")
        create.add_argument("username")
        create.add_argument("--label", default="")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is not active")
        self.stdout.write(create_api_token(actor=None, user=user, label=options["label"]))
