from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Department, Hall

from .models import Fee, ItemVersion, Material, ServiceItem, Step
from .services import FEE_FIELDS, MATERIAL_FIELDS, STEP_FIELDS, VERSION_FIELDS, Content


class ItemForm(forms.ModelForm):
    """The identity of a new item: codes and department (fixed once created)."""

    class Meta:
        model = ServiceItem
        fields = ["implementation_code", "catalogue_code", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)

    def clean_catalogue_code(self):
        return (self.cleaned_data.get("catalogue_code") or "").strip().upper()


class VersionForm(forms.ModelForm):
    """The fields of a version. The rules themselves are checked by the model and service."""

    class Meta:
        model = ItemVersion
        fields = [*VERSION_FIELDS, "halls"]
        widgets = {
            "halls": forms.CheckboxSelectMultiple,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every hall is listed: an editor may keep another hall that handles the item too;
        # the service refuses changes to halls outside the editor's own.
        self.fields["halls"].queryset = Hall.objects.active()

    def content(self, materials, steps, fees) -> Content:
        data = self.cleaned_data
        return Content(
            fields={name: data[name] for name in VERSION_FIELDS},
            halls=list(data["halls"]),
            materials=materials,
            steps=steps,
            fees=fees,
        )


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = MATERIAL_FIELDS
        widgets = {"name": forms.TextInput(attrs={"style": "min-width: 16rem"})}


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = STEP_FIELDS


class FeeForm(forms.ModelForm):
    class Meta:
        model = Fee
        fields = FEE_FIELDS
        widgets = {
            "name": forms.TextInput(attrs={"style": "min-width: 12rem"}),
            "basis": forms.Textarea(attrs={"rows": 2, "style": "min-width: 16rem"}),
        }


MaterialFormSet = inlineformset_factory(
    ItemVersion, Material, form=MaterialForm, extra=1, can_delete=True
)
StepFormSet = inlineformset_factory(ItemVersion, Step, form=StepForm, extra=1, can_delete=True)
FeeFormSet = inlineformset_factory(ItemVersion, Fee, form=FeeForm, extra=1, can_delete=True)


def formset_rows(formset, fields) -> list[dict]:
    """The kept rows of a valid formset, in the order shown, as plain dicts."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        row = {}
        for name in fields:
            value = data.get(name)
            if value is False and isinstance(form.fields[name], forms.FileField):
                value = ""  # "clear" ticked
            row[name] = (
                value if value is not None else ("" if name in ("blank_form", "sample") else value)
            )
        rows.append(row)
    return rows


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("pass", _("Pass")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the version."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("opinion") or "").strip():
            self.add_error(
                "opinion", _("Say what must change: a returned version needs an opinion.")
            )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue workbook (.xlsx)"),
        help_text=_("Sheets and columns as in the template; at most 10 MB."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return f
