from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training (培训): sessions, hours, exams and who is qualified to work at a window."""

    name = "onewindow.training"
    label = "training"
    verbose_name = _("Training")
