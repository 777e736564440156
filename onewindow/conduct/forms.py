"""Forms of the conduct pages. They check the input a person typed; the rules of the trade
(the term of an appointment, a clause in force, a staff member of the hall visited) are
checked again in `services`, which every write goes through."""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.complaints.models import ComplaintCategory
from onewindow.halls.models import Hall, Window

from .models import ConductClause, Finding, ObserverProfile


class ClauseForm(forms.ModelForm):
    class Meta:
        model = ConductClause
        fields = ["code", "chapter", "chapter_en", "text", "text_en", "sort", "active"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "text_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("e.g. 4.2; a clause that no longer applies is taken out of force, and "
                      "a new one gets a new code."),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Findings and records name the clause by its code: it stays.
            self.fields["code"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[0-9A-Za-z.\-]+", code):
            raise forms.ValidationError(_("Use digits, letters, dots and hyphens only."))
        return code


class ObserverProfileForm(forms.ModelForm):
    class Meta:
        model = ObserverProfile
        fields = ["user", "organisation", "affiliation", "term_from", "term_to", "active"]
        widgets = {
            "term_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        if self.instance.pk:
            field.disabled = True
            field.queryset = User.objects.filter(pk=self.instance.user_id)
        else:
            field.queryset = User.objects.with_role(Role.CONDUCT_OBSERVER).filter(
                is_active=True, observer_profile=None
            )
            field.help_text = _(
                "Accounts with the conduct observer role and no appointment yet. Create the "
                "account on the Staff page first."
            )
        field.label_from_instance = lambda u: f"{u} ({u.username})"


class VisitForm(forms.Form):
    hall = forms.ModelChoiceField(
        label=_("Hall visited"),
        queryset=Hall.objects.active(),
        to_field_name="code",
        error_messages={
            "required": _("Choose the hall you visited."),
            "invalid_choice": _("Choose a hall from the list."),
        },
    )
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": _("Say when you visited."),
            "invalid": _("Write the time as YYYY-MM-DD HH:MM."),
        },
    )
    windows = forms.CharField(
        label=_("Windows seen"),
        required=False,
        max_length=200,
        help_text=_("Window numbers, separated by commas (e.g. 1, 3, 5)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"visited_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)
        self.fields["hall"].label_from_instance = lambda hall: hall.local_name

    def clean(self):
        data = super().clean()
        hall = data.get("hall")
        text = data.get("windows") or ""
        numbers = [p for p in re.split(r"[,，、\s]+", text) if p]
        if hall is None:
            return data
        if any(not n.isdigit() for n in numbers):
            self.add_error("windows", _("Write window numbers only, separated by commas."))
            return data
        wanted = sorted({int(n) for n in numbers})
        found = {w.number: w for w in Window.objects.filter(hall=hall, number__in=wanted)}
        missing = [str(n) for n in wanted if n not in found]
        if missing:
            self.add_error(
                "windows",
                _("%(hall)s has no window %(numbers)s.")
                % {"hall": hall.local_name, "numbers": ", ".join(missing)},
            )
        data["window_objects"] = [found[n] for n in wanted if n in found]
        return data

    def clean_visited_at(self):
        value = self.cleaned_data["visited_at"]
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files from one input (Django's documented pattern); each is checked by
    `uploads.validate_photo` in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Finding"),
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether this is good practice or a shortcoming."),
            "invalid_choice": _("Say whether this is good practice or a shortcoming."),
        },
    )
    clause = forms.ModelChoiceField(
        label=_("Clause of the code"),
        queryset=ConductClause.objects.in_force(),
        to_field_name="code",
        error_messages={
            "required": _("Choose the clause of the code this finding is about."),
            "invalid_choice": _(
                "That clause is not in the code in force: choose one from the list."
            ),
        },
    )
    window = forms.ModelChoiceField(
        label=_("Window"),
        required=False,
        queryset=Window.objects.none(),
        to_field_name="number",
        empty_label=_("— not about one window —"),
        error_messages={"invalid_choice": _("Choose a window of the hall visited.")},
    )
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        required=False,
        queryset=User.objects.none(),
        to_field_name="username",
        empty_label=_("— not about one person —"),
        error_messages={"invalid_choice": _("Choose a staff member of the hall visited.")},
    )
    description = forms.CharField(
        label=_("What you saw"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what you saw.")},
    )
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, hall: Hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].label_from_instance = lambda c: c.label()
        self.fields["window"].queryset = Window.objects.filter(hall=hall, is_active=True)
        self.fields["window"].label_from_instance = lambda w: str(
            _("Window %(n)s") % {"n": w.number}
        )
        self.fields["staff"].queryset = (
            User.objects.filter(halls=hall, is_active=True)
            .exclude(groups__name=Role.CONDUCT_OBSERVER)
            .order_by("full_name", "username")
        )
        self.fields["photos"].help_text = _("JPG or PNG, at most 5 photos.")

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Describe what you saw."))
        return text


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All decisions"))]
        + [c for c in Finding.Status.choices if c[0] != Finding.Status.NOTED],
    )
    hall = forms.ModelChoiceField(
        label=_("Hall"),
        required=False,
        queryset=Hall.objects.none(),
        to_field_name="code",
        empty_label=_("All halls"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = Hall.objects.visible_to(user)
        self.fields["hall"].label_from_instance = lambda h: h.local_name


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for dismissing the finding.")},
    )


class RecordForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        to_field_name="username",
        error_messages={
            "required": _("Name the staff member whose file this goes on."),
            "invalid_choice": _("Choose a staff member of the hall visited."),
        },
    )
    note = forms.CharField(
        label=_("Note for the conduct file"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a note for the conduct file.")},
    )

    def __init__(self, *args, finding: Finding, **kwargs):
        if finding.staff_id:
            kwargs.setdefault("initial", {"staff": finding.staff.username})
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            User.objects.filter(halls=finding.visit.hall_id)
            .exclude(groups__name=Role.CONDUCT_OBSERVER)
            .order_by("full_name", "username")
        )
        self.fields["staff"].label_from_instance = lambda u: f"{u} ({u.username})"


class ComplaintForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Complaint category"),
        queryset=ComplaintCategory.objects.filter(
            active=True, kind=ComplaintCategory.Kind.COMPLAINT
        ),
        to_field_name="code",
        error_messages={
            "required": _("Choose a complaint category."),
            "invalid_choice": _("Choose a complaint category from the list."),
        },
    )
    note = forms.CharField(
        label=_("Note for the complaint desk"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, finding: Finding, **kwargs):
        from .services import category_for_clause

        kwargs.setdefault("initial", {"category": category_for_clause(finding.clause)})
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda c: c.local_name
