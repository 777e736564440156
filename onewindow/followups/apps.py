from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    """Bad-rating follow-up (差评整改): call back, fix or explain, report back to the rater."""

    name = "onewindow.followups"
    label = "followups"
    verbose_name = _("Bad-rating follow-up")
