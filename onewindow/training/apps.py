from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training (培训): sessions, hours, exams and who is qualified to work at a window."""

    name = "onewindow.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from onewindow.accounts.services import add_staff_badges, add_window_check

        from .services import staff_badges, window_check

        # accounts is below training: it asks, through these hooks, whether a staff
        # member may be put at a window and which badge the staff list shows.
        add_window_check(window_check)
        add_staff_badges(staff_badges)
