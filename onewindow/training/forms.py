"""Forms of the training pages. They check what a person typed; the rules (the halls an
actor may record for, attendees of those halls, results that fit the exam) are checked
again in `services`, which every write goes through."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.halls.models import Hall

from .models import Attendance, QualificationRule, TrainingSession

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionForm(forms.ModelForm):
    halls = forms.ModelMultipleChoiceField(
        label=_("halls"), queryset=Hall.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Staff of the chosen halls; results are recorded on the session's page."),
    )

    class Meta:
        model = TrainingSession
        fields = ["date", "hours", "topic", "trainer", "place", "has_exam", "qualifying",
                  "pass_mark"]  # fmt: skip
        widgets = {"date": DATE}

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        halls = Hall.objects.visible_to(editor).active()
        if not editor.sees_all_halls:
            halls = halls.filter(pk__in=editor.hall_id_set)
        self.fields["halls"].queryset = halls
        self.fields["attendees"].queryset = (
            User.objects.filter(is_active=True, halls__in=halls)
            .distinct()
            .prefetch_related("halls")
            .order_by("username")
        )
        if self.instance.pk:
            self.initial["halls"] = list(self.instance.halls.all())
            self.initial["attendees"] = list(self.instance.attendees.all())
        else:
            self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A session is recorded once it has been held."))
        return date


class RuleForm(forms.ModelForm):
    class Meta:
        model = QualificationRule
        fields = ["valid_from", "exam_required", "exam_valid_years", "min_hours", "note"]
        widgets = {"valid_from": DATE}


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    hall = forms.ModelChoiceField(label=_("hall"), queryset=Hall.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.visible_to(user).active()

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("That year has not begun."))
        return year


RESULT_CHOICES = Attendance.Result.choices
