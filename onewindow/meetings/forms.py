"""Forms of the meeting pages; the rules are checked again in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.halls.models import Hall

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    halls = forms.ModelMultipleChoiceField(
        label=_("Halls attending"),
        queryset=Hall.objects.active().order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the halls that attended the meeting.")},
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("People attending"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_hall = forms.ModelChoiceField(
        label=_("Owner hall"), queryset=Hall.objects.active().order_by("sort_order", "code")
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class NoteForm(forms.Form):
    """A step on a decision; `version` is the state the person saw."""

    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
