"""The fee of a case under its published conditions (收费: 减免, 减收, 加收).

When the window charges a fee it records which of the item version's published conditions
apply to this case: which fee lines are waived, which are reduced, how many extra copies
each line charges for. `price_lines` checks those conditions against what the version
publishes and prices every line with `catalogue.Fee.due`; `expected_total` adds the lines
up. The services store the lines (`CaseFeeLine`) with the charge, so reports and the
supervision fee rule read one computation instead of making their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import CaseFeeLine
from .services.errors import InvalidInput, fmt

FIELD = "fee_conditions"


class FeeConditionRefused(InvalidInput):
    """A fee condition the item version does not publish (or cannot be read as one):
    nothing was changed. The API answers it with 422, like a body it cannot process."""

    code = "fee_condition_not_published"


def _flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0", "false", "False"):
        return False
    if value in (1, "1", "true", "True", "on"):
        return True
    return None


def _copies(value) -> int | None:
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number < 0 or number > 999 or str(number) != str(value).strip():
        return None
    return number


def price_lines(fees: Iterable, conditions) -> list[CaseFeeLine]:
    """One unsaved `CaseFeeLine` per fee line of the version (``fees``), priced under the
    ``conditions``: a list of ``{"fee": id, "waived": bool, "reduced": bool,
    "extra_copies": int}``, one per fee line that has any (the others are charged as
    published). Raises FeeConditionRefused for a condition the version does not publish."""
    fees = list(fees)
    by_id = {f.pk: f for f in fees}
    if conditions in (None, ""):
        conditions = []
    if not isinstance(conditions, list | tuple):
        raise FeeConditionRefused(
            {FIELD: _("The fee conditions must be a list of fee lines with their conditions.")}
        )
    chosen: dict[int, tuple[bool, bool, int]] = {}
    for raw in conditions:
        if not isinstance(raw, dict):
            raise FeeConditionRefused(
                {FIELD: _("Each fee condition names a fee line (“fee”) and its conditions.")}
            )
        key = raw.get("fee")
        fee = by_id.get(key) if isinstance(key, int) and not isinstance(key, bool) else None
        if fee is None:
            raise FeeConditionRefused(
                {
                    FIELD: fmt(
                        _("Fee line %(fee)s is not one of the fees of this item version."),
                        fee=key,
                    )
                }
            )
        if fee.pk in chosen:
            raise FeeConditionRefused(
                {FIELD: fmt(_("The fee “%(name)s” is named twice."), name=fee.name)}
            )
        waived, reduced = _flag(raw.get("waived")), _flag(raw.get("reduced"))
        copies = _copies(raw.get("extra_copies"))
        if waived is None or reduced is None or copies is None:
            raise FeeConditionRefused(
                {
                    FIELD: fmt(
                        _(
                            "The conditions of “%(name)s”: waived and reduced are true or false, "
                            "extra copies a whole number from 0 to 999."
                        ),
                        name=fee.name,
                    )
                }
            )
        if waived and not fee.waivable:
            raise FeeConditionRefused(
                {
                    FIELD: fmt(
                        _("“%(name)s” cannot be waived: the item publishes no waiver for it."),
                        name=fee.name,
                    )
                }
            )
        if reduced and fee.reduced_amount is None:
            raise FeeConditionRefused(
                {
                    FIELD: fmt(
                        _("“%(name)s” has no published reduced amount."),
                        name=fee.name,
                    )
                }
            )
        if waived and reduced:
            raise FeeConditionRefused(
                {FIELD: fmt(_("“%(name)s” is either waived or reduced, not both."), name=fee.name)}
            )
        if copies and fee.per_copy_amount is None:
            raise FeeConditionRefused(
                {
                    FIELD: fmt(
                        _(
                            "“%(name)s” publishes no amount per extra copy: "
                            "no extra copies can be charged for it."
                        ),
                        name=fee.name,
                    )
                }
            )
        chosen[fee.pk] = (waived, reduced, copies)
    lines = []
    for fee in fees:
        waived, reduced, copies = chosen.get(fee.pk, (False, False, 0))
        lines.append(
            CaseFeeLine(
                fee=fee,
                name=fee.name,
                waived=waived,
                reduced=reduced,
                extra_copies=copies,
                due=fee.due(waived=waived, reduced=reduced, extra_copies=copies),
            )
        )
    return lines


def expected_total(lines: Iterable[CaseFeeLine]) -> Decimal | None:
    """What the case should have been charged: the sum of its priced lines; None when a
    line has no fixed amount (a per-unit standard cannot be checked)."""
    total = Decimal("0.00")
    for line in lines:
        if line.due is None:
            return None
        total += line.due
    return total


def line_data(line: CaseFeeLine) -> dict:
    """A line as kept in the data of the `fee_charged` event."""
    return {
        "fee": line.fee_id,
        "name": line.name,
        "waived": line.waived,
        "reduced": line.reduced,
        "extra_copies": line.extra_copies,
        "due": line.due,
    }
