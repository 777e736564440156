from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Joint meetings (联席会议): agenda, minutes, decisions with owner halls and due dates."""

    name = "onewindow.meetings"
    label = "meetings"
    verbose_name = _("Joint meetings")
