"""Forms of the supervision pages. `AlertFilterForm` is the one filter definition: the desk
and the API (`api.py`) both validate their query parameters with it."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Hall

from .models import THRESHOLD_MAX, Alert, Level, Rule

OPEN = "open"


class AlertFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *Level.choices],
        error_messages={"invalid_choice": _("Unknown level “%(value)s”.")},
    )
    hall = forms.ModelChoiceField(
        label=_("Hall"),
        required=False,
        queryset=Hall.objects.none(),
        to_field_name="code",
        empty_label=_("All halls"),
        error_messages={"invalid_choice": _("Unknown hall “%(value)s”.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            (OPEN, _("Open (not yet decided)")),
            *Alert.Status.choices,
        ],
        error_messages={"invalid_choice": _("Unknown status “%(value)s”.")},
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"),
        required=False,
        queryset=Rule.objects.all(),
        to_field_name="code",
        empty_label=_("All rules"),
        error_messages={"invalid_choice": _("Unknown rule “%(value)s”.")},
    )
    since = forms.DateField(
        label=_("Raised since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.visible_to(user)
        self.fields["hall"].label_from_instance = lambda hall: hall.local_name

    def filter(self, qs):
        """Apply the filters that are valid (an invalid one is reported and left out)."""
        if not self.is_bound:
            return qs
        self.is_valid()
        data = self.cleaned_data
        if data.get("level"):
            qs = qs.filter(level=data["level"])
        if data.get("hall"):
            qs = qs.filter(hall=data["hall"])
        status = data.get("status")
        if status == OPEN:
            qs = qs.open()
        elif status:
            qs = qs.filter(status=status)
        if data.get("rule"):
            qs = qs.filter(rule=data["rule"])
        if data.get("since"):
            start = timezone.make_aware(datetime.combine(data["since"], time.min))
            qs = qs.filter(raised_at__gte=start)
        return qs

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a note: it is kept with the alert.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write a note: it is kept with the alert."))
        return note


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    threshold = forms.IntegerField(
        label=_("Threshold"),
        min_value=0,
        max_value=THRESHOLD_MAX,
        error_messages={
            "required": _("This rule needs a threshold."),
            "invalid": _("The threshold must be a whole number."),
            "min_value": _("The threshold cannot be negative."),
            "max_value": _("The threshold can be at most %(limit_value)s."),
        },
    )

    def __init__(self, *args, rule: Rule, **kwargs):
        kwargs.setdefault(
            "initial", {"enabled": rule.enabled, "level": rule.level, "threshold": rule.threshold}
        )
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule.has_threshold:
            self.fields["threshold"].help_text = rule.spec.threshold_label
        else:
            del self.fields["threshold"]
