from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """The legal working-day calendar: tables, administration and the cached calendar."""

    name = "onewindow.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")
