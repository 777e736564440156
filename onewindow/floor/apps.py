from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    """The hall floor (统一窗口运作): queue tickets, calling, display screen, appointments, wait times, staffing."""

    name = "onewindow.floor"
    label = "floor"
    verbose_name = _("Hall floor")
