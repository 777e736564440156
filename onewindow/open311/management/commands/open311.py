"""`onewindow open311 key create | list | revoke`: the api_keys of partner systems.

Run on the server, the command acts as the system (audit rows name no person). A key is
printed once, on standard output, at creation; afterwards only its prefix names it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.open311.mapping import channel_choices
from onewindow.open311.models import KEY_PREFIX, PartnerKey
from onewindow.open311.services import PartnerKeyError, issue_key, revoke_key


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Open311 api_keys of partner systems: create (shown once), list, revoke."

    def add_arguments(self, parser):
        what = parser.add_subparsers(dest="what", required=True)
        key = what.add_parser("key", help="partner keys")
        sub = key.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a key and print it (shown once)")
        create.add_argument("name", help="the partner system, e.g. 12345-hotline")
        create.add_argument(
            "--channel",
            default=None,
            help="the channel its complaints come in by (default: the 12345 hotline)",
        )
        create.add_argument(
            "--batch", action="store_true", help="answer a POST with a token, not the id"
        )
        sub.add_parser("list", help="list keys (prefix, name, channel, state)")
        revoke = sub.add_parser("revoke", help="revoke a key: it stops working at once")
        revoke.add_argument("key", help="the key's prefix (o311_xxxxxxxx) or name")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_create(self, options):
        channels = channel_choices()
        channel = options["channel"] or next(iter(channels))
        if channel not in channels:
            raise CommandError(
                _("unknown channel %(channel)r; one of: %(choices)s")
                % {"channel": channel, "choices": ", ".join(channels)}
            )
        try:
            row, key = issue_key(
                actor=None, name=options["name"], channel=channel, batch=options["batch"]
            )
        except PartnerKeyError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)
        self.stderr.write(
            _("key %(prefix)s… of %(name)s, channel %(channel)s")
            % {"prefix": KEY_PREFIX + row.prefix, "name": row.name, "channel": row.channel}
        )

    def handle_list(self, options):
        header = (_("key"), _("name"), _("channel"), _("state"), _("last used"))
        self.stdout.write("{:<14} {:<24} {:<12} {:<8} {}".format(*header))
        for row in PartnerKey.objects.order_by("name"):
            state = _("active") if row.is_live else _("revoked")
            self.stdout.write(
                f"{KEY_PREFIX + row.prefix:<14} {row.name:<24} {row.channel:<12} {state:<8} {_when(row.last_used_at)}"
            )

    def handle_revoke(self, options):
        value = options["key"].strip().rstrip("…").strip()
        prefix = value.removeprefix(KEY_PREFIX)[:8]
        row = (
            PartnerKey.objects.filter(name=value).first()
            or PartnerKey.objects.filter(prefix=prefix).first()
        )
        if row is None:
            raise CommandError(_("no partner key %(key)s") % {"key": value})
        try:
            revoke_key(actor=None, key=row)
        except PartnerKeyError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(_("revoked key %(name)s") % {"name": row.name})
