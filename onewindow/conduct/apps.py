from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    """The code of conduct (统一人员行为规范) as data, conduct observers (行风监督员), their visits and findings."""

    name = "onewindow.conduct"
    label = "conduct"
    verbose_name = _("Conduct")
