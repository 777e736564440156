"""Forms of the follow-up pages: one per step, the queue's filter, the re-rating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.halls.models import Hall
from onewindow.ratings.models import Level

from .models import FIX_DAYS_MAX, FollowUp
from .services import TEXT_MAX


def _text(label, *, required=True, rows=3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StepForm(forms.Form):
    """Every step form carries the version the page showed (a stale form is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CallBackForm(StepForm):
    note = _text(_("What the rater said and what was agreed"))


class FixNowForm(StepForm):
    note = _text(_("What was put right"))


class FixByForm(StepForm):
    plan = _text(_("What will be fixed"))
    due = forms.DateField(
        label=_("Fix by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the hall's number of working days from today."),
    )


class MarkFixedForm(StepForm):
    note = _text(_("What was done"))


class ExplainForm(StepForm):
    note = _text(_("The explanation"))


class AppealForm(StepForm):
    reason = _text(_("Why the rating is not about the hall's service"))


class ReportBackForm(StepForm):
    text = _text(_("Answer to the rater (the rater reads this)"), rows=4)


class DecideAppealForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", pgettext_lazy("appeal", "Uphold the appeal")),
            ("reject", pgettext_lazy("appeal", "Reject the appeal")),
        ],
        widget=forms.RadioSelect,
    )
    note = _text(_("Reasons of the decision"))


class ReassignForm(StepForm):
    owner = forms.ModelChoiceField(label=_("Responsible person"), queryset=None)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


STEP_FORMS = {
    "call_back": CallBackForm,
    "fix_now": FixNowForm,
    "fix_by": FixByForm,
    "mark_fixed": MarkFixedForm,
    "explain": ExplainForm,
    "appeal": AppealForm,
    "report_back": ReportBackForm,
    "decide_appeal": DecideAppealForm,
    "reassign": ReassignForm,
}


class QueueFilterForm(forms.Form):
    STATE_CHOICES = [
        ("", _("Open")),
        ("overdue", _("Overdue")),
        ("all", _("All")),
        *FollowUp.State.choices,
    ]
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    hall = forms.ModelChoiceField(
        label=_("Hall"), queryset=Hall.objects.none(), required=False, to_field_name="code"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.visible_to(user).order_by("sort_order", "code")


class FixDaysForm(forms.Form):
    fix_days = forms.IntegerField(
        label=_("Working days to fix"), min_value=1, max_value=FIX_DAYS_MAX
    )


class RerateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment (optional)"), required=False)
