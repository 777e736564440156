from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The management loop: monthly reports (办件月报), yearly assessment, joint meetings, training, bulletins."""

    name = "onewindow.reports"
    label = "reports"
    verbose_name = _("Reports")
