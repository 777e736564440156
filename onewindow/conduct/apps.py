from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    """The code of conduct (统一人员行为规范) as data, conduct observers (行风监督员), their visits and findings."""

    name = "onewindow.conduct"
    label = "conduct"
    verbose_name = _("Conduct")

    def ready(self):
        from onewindow.core.seeding import reseed_when_empty

        # Also after a test flush, which empties the table the data migration filled.
        post_migrate.connect(
            reseed_when_empty(
                "conduct", "ConductClause", "onewindow.conduct.migrations.0002_seed_code_of_conduct"
            ),
            sender=self,
            weak=False,
            dispatch_uid="conduct.reseed",
        )
