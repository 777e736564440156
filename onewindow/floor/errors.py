"""Errors the floor services raise: a stable ``code`` for programs, a translated
``message`` for people, and the HTTP status the pages and the API answer with. A service
that raises has changed nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.cases.services.errors import fmt  # noqa: F401  (the one lazy formatter)


class FloorError(Exception):
    code = "floor_error"
    status = 409
    default_message = _("Nothing was changed.")

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


class InvalidInput(FloorError):
    """Bad input; ``errors`` maps each field to its translated message."""

    code = "invalid"
    status = 400
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


class NotPermitted(FloorError):
    code = "not_permitted"
    status = 403
    default_message = _("You are not allowed to do this.")


class NotSignedIn(FloorError):
    code = "not_signed_in"
    default_message = _(
        "You are not signed in at this window: sign in at the window before calling."
    )


class WindowTaken(FloorError):
    code = "window_taken"


class DailyLimit(FloorError):
    code = "daily_limit"


class NotNow(FloorError):
    """The ticket or the window is not in a state that allows this."""

    code = "not_now"


class SlotFull(FloorError):
    """Every place of the slot is booked (another booking may have taken the last one)."""

    code = "slot_full"
    default_message = _("This time is fully booked: choose another.")


class BookingLimit(FloorError):
    """The ID number may not book now: a live appointment of the same line that day, or
    the no-show limit."""

    code = "booking_limit"


class AlreadyCheckedIn(FloorError):
    code = "already_checked_in"


class NotPaired(FloorError):
    code = "not_paired"
    status = 403
    default_message = _("This kiosk is not paired with the hall: ask the hall manager to pair it.")


class RateLimited(FloorError):
    code = "rate_limited"
    status = 429
