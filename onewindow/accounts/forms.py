from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Department, Hall

from .models import User
from .roles import Role
from .services import grantable_roles


class SignInForm(AuthenticationForm):
    """Sign-in that says plainly when sign-in is locked, for a name or for the client's
    address. The words are the same whether the name is an account or not, and carry no
    time of its own (a name nobody has is locked as long as an account would be)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-in attempts with this username: it is locked for up to "
            "%(minutes)s minutes. Try again later or ask your hall manager."
        ),
        "address_locked": _(
            "Too many failed sign-in attempts from this computer: sign-in from it is paused "
            "for up to %(minutes)s minutes."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            refusal = getattr(self.request, "login_refusal", None)
            if refusal == "address":
                raise forms.ValidationError(
                    self.error_messages["address_locked"],
                    code="address_locked",
                    params={"minutes": settings.LOGIN_ADDRESS_LOCKOUT_MINUTES},
                ) from None
            if refusal == "account":
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
                ) from None
            raise


class StaffForm(forms.ModelForm):
    """Create or edit a staff member; halls offered are only those the editor may see."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    halls = forms.ModelMultipleChoiceField(
        label=_("Halls"),
        queryset=Hall.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "department", "is_active"]

    def __init__(self, *args, editor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["halls"].queryset = Hall.objects.visible_to(editor)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["roles"].error_messages["invalid_choice"] = _("Unknown role: %(value)s.")
        held = set()
        if self.instance.pk:
            held = set(self.instance.groups.values_list("name", flat=True))
            self.fields["roles"].initial = list(held)
            self.fields["halls"].initial = list(self.instance.halls.all())
        else:
            self.fields["password"].required = True
            self.fields[
                "password"
            ].help_text = password_validation.password_validators_help_text_html()
        # Every role is a valid answer (a role the editor may not grant is refused by the
        # service, 403); only those the editor may grant, or the person holds, are offered.
        offered = grantable_roles(editor) | held
        self.fields["roles"].widget.choices = [c for c in Role.choices if c[0] in offered]

    def clean_halls(self):
        halls = self.cleaned_data.get("halls")
        if not halls:
            raise forms.ValidationError(_("Every staff member must belong to at least one hall."))
        return halls

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
