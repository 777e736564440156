"""The filters of the statistics pages: hall, line and a range of days (the staffing
page adds the target wait). An invalid filter is an error shown on the page; the
figures then cover the default (the last four weeks, every hall one sees)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.floor.models import QueueCategory
from onewindow.halls.models import Hall

from .statistics import Period

MAX_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"


class LineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.hall.code} · {obj.letter} {obj.local_name}"


class HallChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.local_name


class FilterForm(forms.Form):
    hall = HallChoice(label=_("Hall"), queryset=Hall.objects.none(), required=False,
                      empty_label=_("All my halls"), to_field_name="code")  # fmt: skip
    category = LineChoice(label=_("Line"), queryset=QueueCategory.objects.none(),
                          required=False, empty_label=_("All lines"))  # fmt: skip
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, data=None, *, user, today: dt.date | None = None):
        super().__init__(data)
        self.user = user
        self.default = Period.default(today)
        self.fields["hall"].queryset = Hall.objects.visible_to(user).order_by("code")
        self.fields["category"].queryset = (
            QueueCategory.objects.visible_to(user).select_related("hall").order_by(
                "hall__code", "sort_order", "letter")
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        hall, line = data.get("hall"), data.get("category")
        if hall is not None and line is not None and line.hall_id != hall.pk:
            self.add_error("category", _("This line is not one of the chosen hall's."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The last day comes before the first."), code="order")
        if start or end:
            end = end or min(start + dt.timedelta(days=27), self.default.last)
            start = start or end - dt.timedelta(days=27)
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose at most %(n)d days.") % {"n": MAX_DAYS}, code="span"
                )
            data["period"] = Period(start, end)
        return data

    def valid(self) -> bool:
        return self.is_bound and self.is_valid()

    def period(self) -> Period:
        if self.valid() and self.cleaned_data.get("period"):
            return self.cleaned_data["period"]
        return self.default

    def choice(self, name: str):
        return self.cleaned_data.get(name) if self.valid() else None


class StaffingForm(FilterForm):
    target = forms.IntegerField(label=_("Target wait (minutes)"), required=False,
                                min_value=1, max_value=240, initial=15)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["category"]
        self.fields["hall"].empty_label = None

    def target_minutes(self) -> int:
        return self.choice("target") or 15
