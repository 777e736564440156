"""Periodic jobs of the audit log."""

import logging

from . import services

log = logging.getLogger("onewindow.worker")


def write_checkpoint() -> None:
    """Sign the chain's head into the checkpoint file (settings.ONEWINDOW_AUDIT_CHECKPOINT).

    A broken chain or an invalid checkpoint file raises: the worker logs it and records it
    on the job's run, and the old checkpoint stays for `audit verify` to fail against.
    """
    signed = services.write_checkpoint()
    log.info("audit checkpoint written: row %s", signed.seq)
