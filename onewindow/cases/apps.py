from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases (办件) from intake to delivery, their events, the legal clock and documents."""

    name = "onewindow.cases"
    label = "cases"
    verbose_name = _("Cases")
