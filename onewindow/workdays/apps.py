from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def forget_calendar(sender, **kwargs) -> None:
    """The process's cached calendar is rebuilt after its tables were (re)filled."""
    from .services import invalidate_calendar

    invalidate_calendar()


class WorkdaysConfig(AppConfig):
    """The legal working-day calendar: tables, administration and the cached calendar."""

    name = "onewindow.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from onewindow.core.seeding import reseed_when_empty

        # Also after a test flush, which empties the years the data migration seeded: a
        # live-server test otherwise runs in a world without any calendar.
        post_migrate.connect(
            reseed_when_empty(
                "workdays",
                "CalendarYear",
                "onewindow.workdays.migrations.0002_seed_from_chinesecalendar",
            ),
            sender=self,
            weak=False,
            dispatch_uid="workdays.reseed",
        )
        post_migrate.connect(forget_calendar, sender=self, dispatch_uid="workdays.forget")
