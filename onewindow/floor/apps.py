from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    """The hall floor (统一窗口运作): queue tickets, calling, display screen, appointments, wait times, staffing."""

    name = "onewindow.floor"
    label = "floor"
    verbose_name = _("Hall floor")

    def ready(self) -> None:
        from onewindow.cases.signals import case_changed

        from .signals import link_received_case

        case_changed.connect(link_received_case, dispatch_uid="floor.link_received_case")
