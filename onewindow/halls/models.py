"""The organisation: halls (the centre and its sub-centres), departments and windows."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet


def _name_in(obj, language: str | None = None) -> str:
    """A hall's or department's name in a language (the active one by default): the English
    name in English when there is one, else the Chinese name. ``str()`` stays the Chinese
    name, which the audit log and events keep whatever language the actor reads."""
    language = language or get_language() or ""
    if language.startswith("en") and obj.name_en:
        return obj.name_en
    return obj.name


class HallQuerySet(HallScopedQuerySet):
    hall_lookup = "pk"

    def active(self):
        return self.filter(is_active=True)


class Hall(models.Model):
    """A physical service hall. The centre is the parent of the sub-centres (分中心)."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Administrative service centre")
        SUB_CENTRE = "sub_centre", _("Sub-centre")

    code = models.CharField(
        _("code"),
        max_length=6,
        unique=True,
        help_text=_("Two to six capital letters or digits; begins every case number of the hall."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SUB_CENTRE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent hall"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_centres",
    )
    department = models.ForeignKey(
        "halls.Department",
        verbose_name=_("host department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_halls",
        help_text=_("The department whose service hall became this sub-centre."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = HallQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        permissions = [("manage_halls", _("Can manage halls and windows"))]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        return _name_in(self, language)

    @property
    def local_name(self) -> str:
        """The name in the active language: what every page shows."""
        return _name_in(self)

    @property
    def is_centre(self) -> bool:
        return self.kind == self.Kind.CENTRE

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.code and not self.code.isalnum():
            raise ValidationError({"code": _("Use only letters and digits.")})
        if self.code:
            self.code = self.code.upper()
        if self.kind == self.Kind.CENTRE and self.parent_id:
            raise ValidationError({"parent": _("The centre has no parent hall.")})
        if self.kind == self.Kind.SUB_CENTRE and self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A hall cannot be its own parent.")})


class Department(models.Model):
    """A government department whose staff serve at windows (部门)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        return _name_in(self, language)

    @property
    def local_name(self) -> str:
        """The name in the active language: what every page shows."""
        return _name_in(self)


class WindowQuerySet(HallScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Window(models.Model):
    """A numbered counter (窗口) in a hall, staffed by one department."""

    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), on_delete=models.PROTECT, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = WindowQuerySet.as_manager()

    class Meta:
        ordering = ["hall__sort_order", "hall__code", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique_per_hall")
        ]

    def __str__(self) -> str:
        label = _("Window %(number)s") % {"number": self.number}
        return f"{self.hall.name} {label}" + (f" {self.name}" if self.name else "")


class OpeningHours(models.Model):
    """When a hall is open to the public, per weekday.

    Kept apart from the legal working-day calendar on purpose: a hall open on Saturday
    does not make Saturday a legal working day (docs/DOMAIN.md, section 1).
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["hall", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("A hall must close after it opens.")})
