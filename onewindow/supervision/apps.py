from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """E-supervision (电子监察): rules, alerts (yellow and red cards), the supervision desk."""

    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("E-supervision")

    def ready(self):
        from .defaults import seed_rules_after_migrate

        # Also after a test flush, which empties the tables the data migration filled.
        post_migrate.connect(seed_rules_after_migrate, sender=self)
