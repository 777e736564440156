from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Process insight (简政放权, 提速): where the time goes per item and what could be simplified."""

    name = "onewindow.insight"
    label = "insight"
    verbose_name = _("Process insight")
