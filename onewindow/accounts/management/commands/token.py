"""`onewindow token create | list | revoke`: API bearer tokens.

Run on the server, the command acts as the system: it lists and revokes every token.
With ``--as USERNAME`` it acts as that member of staff instead, with their rights (their
own tokens, and those of the accounts they may change) and their name in the audit log.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApiToken, User
from onewindow.accounts.services import (
    TokenAlreadyRevoked,
    TokenRefused,
    create_api_token,
    revoke_api_token,
)


def _prefix(value: str) -> str:
    """A token as people copy it from a page or a listing: ``ow_abcd1234…`` or the
    prefix alone (a whole key also names its token)."""
    value = value.strip().rstrip("…").strip()
    return value.removeprefix("ow_")[:8]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "API tokens for `Authorization: Bearer`: create (shown once), list, revoke."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token and print it (shown once)")
        create.add_argument("username")
        create.add_argument("--label", default="")
        listing = sub.add_parser("list", help="list tokens (prefix, owner, state, expiry)")
        listing.add_argument("--user", metavar="USERNAME", help="only this account's tokens")
        listing.add_argument("--as", dest="actor", metavar="USERNAME", help="with these rights")
        revoke = sub.add_parser("revoke", help="revoke a token: it stops working at once")
        revoke.add_argument("prefix", help="the token's prefix, as listed (ow_xxxxxxxx)")
        revoke.add_argument("--as", dest="actor", metavar="USERNAME", help="with these rights")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("no user named %(name)r") % {"name": username}) from None

    def _actor(self, options) -> User | None:
        if not options.get("actor"):
            return None
        actor = self._user(options["actor"])
        if not actor.is_active:
            raise CommandError(_("user %(name)r is not active") % {"name": actor.username})
        return actor

    def _tokens(self, actor):
        tokens = ApiToken.objects.select_related("user")
        return tokens if actor is None else tokens.manageable_by(actor)

    def handle_create(self, options):
        user = self._user(options["username"])
        if not user.is_active:
            raise CommandError(_("user %(name)r is not active") % {"name": user.username})
        key = create_api_token(actor=None, user=user, label=options["label"])
        token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
        self.stdout.write(key)
        self.stderr.write(
            _("token ow_%(prefix)s of %(name)s, valid until %(until)s")
            % {"prefix": token.prefix, "name": user.username, "until": _when(token.expires_at)}
        )

    def handle_list(self, options):
        tokens = self._tokens(self._actor(options))
        if options["user"]:
            tokens = tokens.filter(user=self._user(options["user"]))
        now = timezone.now()
        header = (_("token"), _("owner"), _("state"), _("expires"), _("last used"), _("label"))
        self.stdout.write("{:<12} {:<16} {:<8} {:<16} {:<16} {}".format(*header))
        for token in tokens.order_by("user__username", "-created_at"):
            self.stdout.write(
                "{:<12} {:<16} {:<8} {:<16} {:<16} {}".format(
                    f"ow_{token.prefix}",
                    token.user.username,
                    token.state(now),
                    _when(token.expires_at),
                    _when(token.last_used_at),
                    token.label,
                )
            )

    def handle_revoke(self, options):
        actor = self._actor(options)
        prefix = _prefix(options["prefix"])
        # A token the actor may not revoke is, to them, a token nobody has.
        token = self._tokens(actor).filter(prefix=prefix).first() if prefix else None
        if token is None:
            raise CommandError(_("no token ow_%(prefix)s") % {"prefix": prefix})
        try:
            revoke_api_token(actor=actor, token=token)
        except TokenAlreadyRevoked:
            raise CommandError(
                _("token ow_%(prefix)s was already revoked") % {"prefix": prefix}
            ) from None
        except TokenRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("revoked token ow_%(prefix)s of %(name)s")
            % {"prefix": prefix, "name": token.user.username}
        )
