from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """E-supervision (电子监察): rules, alerts (yellow and red cards), the supervision desk."""

    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("E-supervision")
