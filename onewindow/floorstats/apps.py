from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorstatsConfig(AppConfig):
    """Hall floor statistics: waiting, service and stay times, heat map, live wait, Erlang C staffing."""

    name = "onewindow.floorstats"
    label = "floorstats"
    verbose_name = _("Floor statistics")
