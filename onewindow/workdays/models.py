"""The legal working-day calendar as data.

A year is *covered* when a `CalendarYear` row exists for it: then its official holidays
and swapped working days (调休) are the `CalendarDay` rows of that year. Years without a
row are counted with weekends only and every result touching them is provisional.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holiday arrangement has been entered."""

    class Source(models.TextChoices):
        SEEDED = "seeded", _("Seeded from chinesecalendar")
        MANUAL = "manual", _("Entered by an administrator")
        CSV = "csv", _("Imported from CSV")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    notice = models.CharField(
        _("State Council notice"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 国办发明电〔2026〕X号"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        permissions = [("manage_calendar", _("Can manage the legal working-day calendar"))]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the weekday rule: an official day off or a swapped working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Swapped working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}".strip()
