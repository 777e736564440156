from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2 for partner systems (e.g. the 12345 hotline), over complaints."""

    name = "onewindow.open311"
    label = "open311"
    verbose_name = _("Open311")
