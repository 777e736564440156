from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only audit log, chained under a key kept outside the database."""

    name = "onewindow.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
