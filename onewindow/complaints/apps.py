from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints (投诉) handled by the supervision office, with due dates in working days and reopen."""

    name = "onewindow.complaints"
    label = "complaints"
    verbose_name = _("Complaints")
