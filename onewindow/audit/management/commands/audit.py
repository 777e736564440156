"""`onewindow audit verify | checkpoint`: check the keyed audit chain; sign its head."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import checkpoint as checkpoint_file
from onewindow.audit.services import ChainBroken, check_chain, write_checkpoint


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' exits 0 on an intact log, 1 naming the first broken row; "
        "'checkpoint' signs the chain's head into the checkpoint file."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the keyed hash chain")
        verify.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="verify against this checkpoint file (a copy kept elsewhere); default: "
            "settings.ONEWINDOW_AUDIT_CHECKPOINT when it exists",
        )
        point = sub.add_parser("checkpoint", help="sign the chain's head into the checkpoint file")
        point.add_argument(
            "--file", metavar="FILE", help="default: settings.ONEWINDOW_AUDIT_CHECKPOINT"
        )

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["subcommand"])(options)

    def handle_verify(self, options):
        given = options["checkpoint"]
        path = Path(given or settings.ONEWINDOW_AUDIT_CHECKPOINT)
        try:
            signed = checkpoint_file.load(path)
        except FileNotFoundError:
            if given:
                raise CommandError(_("no checkpoint file at %(file)s") % {"file": path}) from None
            signed = None
        except checkpoint_file.CheckpointError as exc:
            self.stderr.write(_("audit log not verified: %(error)s") % {"error": exc})
            sys.exit(1)
        state = check_chain(signed)
        if state.problem is not None:
            problem = state.problem
            self.stderr.write(
                _("audit log broken at row %(seq)d (%(kind)s): %(detail)s")
                % {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail}
            )
            self.stderr.write(_("%(n)d rows before it verified") % {"n": state.checked})
            sys.exit(1)
        self.stdout.write(_("audit log intact: %(n)d rows verified") % {"n": state.checked})
        if signed is not None:
            self.stdout.write(
                _("checked against the checkpoint of %(at)s (row %(seq)d)")
                % {
                    "at": timezone.localtime(signed.at).strftime("%Y-%m-%d %H:%M"),
                    "seq": signed.seq,
                }
            )
        else:
            self.stderr.write(
                _(
                    "warning: no checkpoint at %(file)s, so rows deleted at the end of the log "
                    "together with its head cannot be noticed; run `onewindow audit checkpoint`"
                )
                % {"file": path}
            )
        if state.last_unkeyed:
            self.stdout.write(
                _(
                    "rows 1..%(seq)d were written before the audit key and carry plain SHA-256 "
                    "hashes; the keyed rows after them and the checkpoint seal them"
                )
                % {"seq": state.last_unkeyed}
            )

    def handle_checkpoint(self, options):
        path = Path(options["file"] or settings.ONEWINDOW_AUDIT_CHECKPOINT)
        try:
            signed = write_checkpoint(path)
        except ChainBroken as exc:
            self.stderr.write(
                _("no checkpoint written: the audit log is broken at row %(seq)d: %(detail)s")
                % {"seq": exc.problem.seq, "detail": exc.problem.detail}
            )
            sys.exit(1)
        except checkpoint_file.CheckpointError as exc:
            raise CommandError(
                _("no checkpoint written: %(error)s (move the file away after checking it)")
                % {"error": exc}
            ) from None
        except OSError as exc:
            raise CommandError(
                _("no checkpoint written: cannot write %(file)s: %(error)s")
                % {"file": path, "error": exc.strerror or exc}
            ) from None
        self.stdout.write(
            _("checkpoint written to %(file)s: row %(seq)d") % {"file": path, "seq": signed.seq}
        )
