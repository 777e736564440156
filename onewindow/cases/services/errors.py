"""Errors the case services raise: a stable ``code`` for programs, a translated ``message``
for people (translated when read, in the language active then)."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


def _format(message, params) -> str:
    return str(message) % params if params else str(message)


#: A lazily translated message with %-parameters: ``fmt(_("%(n)s days"), n=3)``.
_lazy_format = lazy(_format, str)


def fmt(message, **params):
    return _lazy_format(message, params)


class CaseError(Exception):
    """Base class: nothing was changed. ``code`` is stable, ``message`` translated."""

    code = "case_error"
    default_message = _("The case could not be changed.")

    def __init__(self, message=None, *, code: str | None = None):
        self._message = message if message is not None else self.default_message
        if code:
            self.code = code
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(CaseError):
    """The life cycle does not allow this action in the case's present status."""

    code = "transition_not_allowed"
    default_message = _("This action is not allowed for the case in its present status.")


class StaleCase(CaseError):
    """The form or request was made from an older version of the case."""

    code = "stale"
    default_message = _(
        "Someone changed this case in the meantime (or the form was sent twice). "
        "Nothing was changed: check the current state and try again."
    )

    def __init__(self, message=None, *, current_version: int | None = None, code=None):
        super().__init__(message, code=code)
        self.current_version = current_version


class InvalidInput(CaseError):
    """Bad input; ``errors`` maps each field to its (translated) message."""

    code = "invalid"
    default_message = _("Please correct the errors below.")

    def __init__(self, errors: dict, message=None, *, code=None):
        super().__init__(message, code=code)
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, str]:
        return {field: str(msg) for field, msg in self._errors.items()}

    @property
    def message(self) -> str:
        if len(self._errors) == 1:
            return str(next(iter(self._errors.values())))
        return str(self._message)


class NotPermitted(CaseError):
    """The acting user may not do this (wrong role, other hall, someone else's step)."""

    code = "not_permitted"
    default_message = _("You are not allowed to do this.")
