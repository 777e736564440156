from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    """Bad-rating follow-up (差评整改): call back, fix or explain, report back to the rater."""

    name = "onewindow.followups"
    label = "followups"
    verbose_name = _("Bad-rating follow-up")

    def ready(self):
        from . import receivers
        from .checks import register
        from .defaults import seed_rules_after_migrate

        # Overdue follow-ups are carded by the supervision scanner like overdue cases.
        register()
        # Also after a test flush, which empties the rules the data migration created.
        post_migrate.connect(seed_rules_after_migrate, sender=self)
        receivers.connect()
