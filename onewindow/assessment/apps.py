from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Yearly assessment (检查考核) of the sub-centres: scheme, scores, deductions, inspections, ranking."""

    name = "onewindow.assessment"
    label = "assessment"
    verbose_name = _("Assessment")
