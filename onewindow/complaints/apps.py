from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints (投诉) handled by the supervision office, with due dates in working days and reopen."""

    name = "onewindow.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from onewindow.core.seeding import reseed_when_empty

        # Also after a test flush, which empties the table the data migration filled.
        post_migrate.connect(
            reseed_when_empty(
                "complaints",
                "ComplaintCategory",
                "onewindow.complaints.migrations.0002_seed_categories",
            ),
            sender=self,
            weak=False,
            dispatch_uid="complaints.reseed",
        )
