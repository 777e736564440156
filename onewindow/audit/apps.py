from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only, hash-chained audit log."""

    name = "onewindow.audit"
    label = "audit"
    verbose_name = _("Audit")
