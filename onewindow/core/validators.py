"""Django validators over the framework-free identity-number checks, with translated messages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onewindow.lib import idnumbers

RESIDENT_ID_MESSAGES = {
    "empty": _("Enter the resident ID number."),
    "length": _("A resident ID number has 18 characters."),
    "characters": _("A resident ID number is 17 digits followed by a digit or X."),
    "checksum": _(
        "The check character of this resident ID number is wrong: please check every digit."
    ),
    "birth_date": _("The birth date in this resident ID number is not a real date."),
    "region": _("This resident ID number does not start with a valid region code."),
}

CREDIT_CODE_MESSAGES = {
    "empty": _("Enter the unified social credit code."),
    "length": _("A unified social credit code has 18 characters."),
    "characters": _(
        "A unified social credit code uses digits and capital letters except I, O, Z, S and V."
    ),
    "checksum": _(
        "The check character of this unified social credit code is wrong: please check every character."
    ),
    "region": _("This unified social credit code has an invalid registration or region part."),
    "birth_date": _("This unified social credit code is not valid."),
}


def validate_resident_id(value: str) -> str:
    """Return the normalised number or raise a translated ValidationError."""
    try:
        return idnumbers.validate_resident_id(value)
    except idnumbers.InvalidIdNumber as exc:
        raise ValidationError(
            RESIDENT_ID_MESSAGES.get(exc.code, _("Invalid resident ID number.")), code=exc.code
        ) from None


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise a translated ValidationError."""
    try:
        return idnumbers.validate_credit_code(value)
    except idnumbers.InvalidIdNumber as exc:
        raise ValidationError(
            CREDIT_CODE_MESSAGES.get(exc.code, _("Invalid unified social credit code.")),
            code=exc.code,
        ) from None
