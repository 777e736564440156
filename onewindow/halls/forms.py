from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, Hall, Window


class HallForm(forms.ModelForm):
    class Meta:
        model = Hall
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "department",
            "address",
            "phone",
            "sort_order",
            "is_active",
        ]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "is_active"]


class WindowForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["number", "name", "department", "is_active"]

    def __init__(self, *args, hall: Hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.hall = hall
        self.fields["department"].queryset = Department.objects.filter(is_active=True)

    def clean_number(self):
        number = self.cleaned_data["number"]
        clash = Window.objects.filter(hall=self.instance.hall, number=number).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(
                _("Window %(number)s already exists in this hall."), params={"number": number}
            )
        return number
