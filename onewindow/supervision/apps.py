from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """E-supervision (电子监察): rules, alerts (yellow and red cards), the supervision desk."""

    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("E-supervision")
    # What each rule code checks (code -> check), for the models (Rule.spec,
    # Alert.summary). Handed over here because the checks query the models: the models
    # importing the checks would make an import cycle.
    checks: dict = {}

    def ready(self):
        from .defaults import seed_rules_after_migrate
        from .services.checks import CHECKS

        self.checks = CHECKS

        # Also after a test flush, which empties the tables the data migration filled.
        post_migrate.connect(seed_rules_after_migrate, sender=self)
