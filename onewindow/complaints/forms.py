"""Forms of the complaint pages. They collect and shape what was typed; the services
check the rules (contact, case number, transitions) and their messages are put back on
the fields (`apply_errors`), so the page shows every problem next to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Hall

from .models import Complaint, ComplaintCategory
from .services import STAFF_CHANNELS, ComplaintInvalid


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.local_group} · {obj.local_name}" if obj.group else obj.local_name


class ComplaintForm(forms.Form):
    """The portal's complaint form (the fields a member of the public fills in)."""

    category = CategoryChoiceField(
        label=_("What is it about?"),
        queryset=ComplaintCategory.objects.filter(active=True),
        to_field_name="code",
        empty_label=None,
    )
    hall = forms.ModelChoiceField(
        label=_("Hall"),
        queryset=Hall.objects.filter(is_active=True),
        required=False,
        help_text=_("Not needed when you give a case number."),
    )
    subject_kind = forms.ChoiceField(
        label=_("The complaint is about"),
        choices=Complaint.Subject.choices,
        initial=Complaint.Subject.HALL,
        widget=forms.RadioSelect,
    )
    case_number = forms.CharField(label=_("Case number"), max_length=40, required=False)
    window_number = forms.IntegerField(label=_("Window number"), min_value=1, required=False)
    subject_text = forms.CharField(
        label=_("Staff member's name or number"), max_length=100, required=False
    )
    content = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        max_length=4000,
        required=False,
    )
    complainant_name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    complainant_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    complainant_email = forms.CharField(label=_("E-mail"), max_length=120, required=False)
    complainant_id_number = forms.CharField(
        label=_("Resident ID number (optional)"), max_length=40, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].label_from_instance = lambda h: h.local_name

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class StaffComplaintForm(ComplaintForm):
    """Registration at the desk of a complaint received by phone, letter, on site or
    from the 12345 hotline."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
    )
    complainant_address = forms.CharField(label=_("Postal address"), max_length=200, required=False)
    external_id = forms.CharField(label=_("Hotline ticket number"), max_length=64, required=False)

    field_order = ["channel", "external_id"]


def apply_errors(form: forms.Form, error: ComplaintInvalid) -> None:
    """Put the service's messages on the form's fields (or above the form)."""
    for field, messages in error.messages().items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class StepForm(forms.Form):
    """Every step form carries the version of the complaint it was made from: a stale
    form or a double submit is refused by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(StepForm):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None, empty_label=None)
    note = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.full_name or u.username


class InvestigateForm(StepForm):
    note = forms.CharField(
        label=_("Note (internal)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FindingsForm(StepForm):
    finding = forms.ChoiceField(label=_("Finding"), choices=Complaint.Finding.choices)
    staff_action = forms.ChoiceField(
        label=_("Action on the staff member"),
        choices=Complaint.StaffAction.choices,
        initial=Complaint.StaffAction.NONE,
    )
    note = forms.CharField(
        label=_("What the investigation found (internal)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class AnswerForm(StepForm):
    text = forms.CharField(
        label=_("Answer to the complainant"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class CloseForm(StepForm):
    note = forms.CharField(
        label=_("Note (internal)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReopenForm(StepForm):
    reason = forms.CharField(
        label=_("Why you are not satisfied"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


STEP_FORMS = {
    "assign": AssignForm,
    "investigate": InvestigateForm,
    "findings": FindingsForm,
    "answer": AnswerForm,
    "close": CloseForm,
    "reopen": ReopenForm,
}


class DeskFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + Complaint.Status.choices, required=False
    )
    hall = forms.ModelChoiceField(label=_("Hall"), queryset=Hall.objects.all(), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All"))] + Complaint.Channel.choices, required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ComplaintCategory.objects.all(),
        to_field_name="code",
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, halls=None, **kwargs):
        super().__init__(*args, **kwargs)
        if halls is not None:
            self.fields["hall"].queryset = halls
        self.fields["hall"].label_from_instance = lambda h: h.local_name
        self.fields["category"].label_from_instance = lambda c: c.local_name
