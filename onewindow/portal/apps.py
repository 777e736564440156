from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal and the staff home page."""

    name = "onewindow.portal"
    label = "portal"
    verbose_name = _("Portal")
