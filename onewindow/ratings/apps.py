from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """Ratings (好差评): one five-level rating per service act, from the window tablet, the status page or a notice's QR code."""

    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("Ratings")
