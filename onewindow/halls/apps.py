from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallsConfig(AppConfig):
    """The centre, its sub-centres, departments and numbered windows."""

    name = "onewindow.halls"
    label = "halls"
    verbose_name = _("Halls")
