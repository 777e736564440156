from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Yearly assessment (检查考核) of the sub-centres: scheme, scores, deductions, inspections, ranking."""

    name = "onewindow.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from onewindow.core.seeding import reseed_when_empty

        # Also after a test flush, which empties the table the data migration filled.
        post_migrate.connect(
            reseed_when_empty(
                "assessment",
                "AssessmentScheme",
                "onewindow.assessment.migrations.0002_seed_default_scheme",
            ),
            sender=self,
            weak=False,
            dispatch_uid="assessment.reseed",
        )
