"""Forms of the bulletin pages; the rules are checked again in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Hall

from .models import Bulletin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Bulletin.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text: an empty line starts a new paragraph."),
    )
    halls = forms.ModelMultipleChoiceField(
        label=_("Issue to halls (发)"),
        queryset=Hall.objects.active().order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    report_to = forms.CharField(
        label=_("Report up to (报)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Leaders or bodies above the centre, one a line."),
    )
    send_to = forms.CharField(
        label=_("Send to (送)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Peer bodies, one a line."),
    )
    is_public = forms.BooleanField(label=_("Show on the public portal"), required=False)
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("PDF, JPG or PNG files.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
