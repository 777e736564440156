"""Writes of the bad-rating follow-up (差评整改).

Every step goes the same way: one transaction; `lock` reads the follow-up row with
`select_for_update`, checks the optimistic version (a stale form or a double submit is
refused) and the step against `FollowUp.TRANSITIONS`; the step checks its own rules and
who may take it; then the row is saved with a new version, a `FollowUpEvent` appended and
the audit row written. A refusal raises a `FollowUpError` (translated message, HTTP
status) and leaves nothing behind.

Due dates are counted in working days with the legal calendar (`cases.clock`): the N-th
working day after a date. A date that would fall in, or walk over, a year without
official calendar data is refused with a clear message (`CalendarMissing`): a follow-up
date is a promise to a citizen and is not guessed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.audit.services import record
from onewindow.cases import clock
from onewindow.core.scoping import sees_hall
from onewindow.ratings.models import BAD_LEVELS, Rating

from .models import (
    CALLBACK_DAYS,
    DEFAULT_FIX_DAYS,
    FIX_DAYS_MAX,
    FollowUp,
    FollowUpEvent,
    HallFollowUpSetting,
)

log = logging.getLogger("onewindow.followups")

#: Longest text kept from a form (notes, the report to the rater).
TEXT_MAX = 2000


class FollowUpError(Exception):
    """A step that cannot be taken; `message` is translated, `status` the HTTP answer."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(FollowUpError):
    status = 403


class WrongState(FollowUpError):
    status = 409


class Stale(FollowUpError):
    status = 409


class CalendarMissing(FollowUpError):
    status = 400


# ----------------------------------------------------------------------------- who


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def manages_hall(user, hall_id: int) -> bool:
    """A hall manager of this hall."""
    return _active(user) and user.has_role(Role.HALL_MANAGER) and hall_id in user.hall_id_set


def can_handle(user, followup: FollowUp) -> bool:
    """The responsible person takes the steps, and so does the manager of the hall."""
    if not _active(user):
        return False
    if followup.owner_id is not None and followup.owner_id == user.pk:
        return followup.hall_id in user.hall_id_set
    return manages_hall(user, followup.hall_id)


def can_decide_appeal(user) -> bool:
    """An appeal against a bad rating is decided by the centre (the supervision office)."""
    return _active(user) and user.has_perm("followups.decide_appeals")


def can_set_fix_days(user, hall) -> bool:
    return _active(user) and user.has_perm("halls.manage_halls") and sees_hall(user, hall.pk)


def default_owner(hall) -> User | None:
    """The hall's manager (the first active one), who answers for its follow-ups."""
    return (
        User.objects.filter(is_active=True, halls=hall, groups__name=Role.HALL_MANAGER)
        .order_by("pk")
        .first()
    )


def owner_choices(hall):
    """Who a follow-up may be handed to: the active staff of its hall."""
    return User.objects.filter(is_active=True, halls=hall).order_by("full_name", "username")


# ----------------------------------------------------------------------------- dates


def due_after(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start`; refused when the calendar lacks a year."""
    result = clock.add_working_days(start, days)
    if result.provisional:
        years = "、".join(str(y) for y in sorted(result.missing_years))
        raise CalendarMissing(
            _(
                "The working-day calendar of %(years)s has not been entered yet, so no due "
                "date can be set. Ask the centre administrator to enter it."
            )
            % {"years": years}
        )
    return result.value


def fix_days_for(hall) -> int:
    setting = HallFollowUpSetting.objects.filter(hall=hall).first()
    return setting.fix_days if setting else DEFAULT_FIX_DAYS


def fix_limit(hall, today: dt.date | None = None) -> dt.date:
    """The latest date a fix may be promised for: the hall's number of working days."""
    return due_after(today or timezone.localdate(), fix_days_for(hall))


# ----------------------------------------------------------------------------- plumbing


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value.replace("\u3000", "").strip():
        raise FollowUpError(_("This text is required."), field)
    if len(value) > TEXT_MAX:
        raise FollowUpError(_("At most %(max)s characters, please.") % {"max": TEXT_MAX}, field)
    return value


def lock(followup_id: int, action: str, expected_version: int | None) -> FollowUp:
    """The follow-up row, locked, after the version and the transitions table allow `action`."""
    fu = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("hall", "owner", "rating")
        .get(pk=followup_id)
    )
    if expected_version is not None and fu.version != expected_version:
        raise Stale(
            _(
                "This follow-up was changed in the meantime (or the form was sent twice). "
                "Nothing was changed; look at it again."
            )
        )
    if not fu.allows(action):
        raise WrongState(
            _("This step cannot be taken now: the follow-up is “%(state)s”.")
            % {"state": fu.get_state_display()}
        )
    return fu


def _finish(
    fu: FollowUp,
    *,
    action: str,
    actor,
    to_state: str,
    at: dt.datetime,
    note: str = "",
    data: dict | None = None,
    fields: list[str],
    request=None,
) -> FollowUp:
    from_state = fu.state
    fu.state = to_state
    fu.version += 1
    fu.save(update_fields=[*fields, "state", "version", "updated_at"])
    FollowUpEvent.objects.create(
        followup=fu,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        note=note,
        data=data or {},
    )
    record(
        actor=actor,
        action=f"followup.{action}",
        obj=fu,
        before={"state": from_state},
        after={"state": to_state, **(data or {})},
        note=note[:200],
        request=request,
    )
    return fu


# ----------------------------------------------------------------------------- opening


def open_for(rating: Rating, *, at: dt.datetime | None = None) -> FollowUp | None:
    """The follow-up of a bad rating, opened if it has none yet (safe to call again).

    Owned by the rated hall and given to its manager; the call back is due on the first
    working day after the day of the rating. A rating that is not bad gets none.
    """
    if rating.level not in BAD_LEVELS:
        return None
    existing = FollowUp.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    at = at or timezone.now()
    callback_due = due_after(timezone.localdate(rating.rated_at), CALLBACK_DAYS)
    owner = default_owner(rating.hall)
    try:
        with transaction.atomic():
            fu = FollowUp.objects.create(
                rating=rating,
                hall_id=rating.hall_id,
                case_id=rating.case_id,
                owner=owner,
                opened_at=at,
                callback_due=callback_due,
            )
            FollowUpEvent.objects.create(
                followup=fu,
                action="open",
                from_state="",
                to_state=fu.state,
                at=at,
                data={"rating": rating.pk, "level": rating.level},
            )
            record(
                actor=None,
                action="followup.opened",
                obj=fu,
                after={
                    "rating": rating.pk,
                    "level": rating.level,
                    "owner": owner.username if owner else None,
                    "callback_due": callback_due.isoformat(),
                },
            )
    except IntegrityError:  # opened at the same moment by another process
        return FollowUp.objects.get(rating=rating)
    return fu


def open_missing(*, at: dt.datetime | None = None) -> int:
    """Open the follow-ups of bad ratings that have none (e.g. when the calendar was
    missing as they came in). Returns how many were opened."""
    n = 0
    for rating in Rating.objects.bad().filter(followup__isnull=True).select_related("hall"):
        if open_for(rating, at=at) is not None:
            n += 1
    return n


# ----------------------------------------------------------------------------- the steps


def _may_handle(actor, fu: FollowUp) -> None:
    if not can_handle(actor, fu):
        raise NotAllowed(
            _("Only the person responsible for this follow-up or the hall manager may do this.")
        )


@transaction.atomic
def call_back(
    *, actor, followup: FollowUp, note: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """The rater was called back: what they said and what the hall promised."""
    note = _text(note, "note")
    fu = lock(followup.pk, "call_back", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    fu.called_back_at = now
    fu.callback_note = note
    late = timezone.localdate(now) > fu.callback_due
    return _finish(
        fu,
        action="call_back",
        actor=actor,
        to_state=FollowUp.State.CALLED_BACK,
        at=now,
        note=note,
        data={"late": late},
        fields=["called_back_at", "callback_note"],
        request=request,
    )


@transaction.atomic
def fix_now(
    *, actor, followup: FollowUp, note: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """What was wrong is put right at once."""
    note = _text(note, "note")
    fu = lock(followup.pk, "fix_now", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    fu.outcome = FollowUp.Outcome.FIXED_NOW
    fu.answer_note = note
    fu.answered_at = now
    return _finish(
        fu,
        action="fix_now",
        actor=actor,
        to_state=FollowUp.State.ANSWERED,
        at=now,
        note=note,
        fields=["outcome", "answer_note", "answered_at"],
        request=request,
    )


@transaction.atomic
def fix_by(
    *,
    actor,
    followup: FollowUp,
    plan: str,
    due: dt.date | None = None,
    expected_version: int | None = None,
    request=None,
) -> FollowUp:
    """The hall promises a fix by a due date: at most the hall's number of working days
    from today (the default date), never in the past."""
    plan = _text(plan, "plan")
    fu = lock(followup.pk, "fix_by", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    today = timezone.localdate(now)
    limit = fix_limit(fu.hall, today)
    if due is None:
        due = limit
    elif due < today:
        raise FollowUpError(_("The due date cannot be in the past."), "due")
    elif due > limit:
        raise FollowUpError(
            _("The due date can be at most %(days)s working days from today, that is %(limit)s.")
            % {"days": fix_days_for(fu.hall), "limit": limit.isoformat()},
            "due",
        )
    fu.fix_plan = plan
    fu.fix_due = due
    return _finish(
        fu,
        action="fix_by",
        actor=actor,
        to_state=FollowUp.State.FIXING,
        at=now,
        note=plan,
        data={"fix_due": due.isoformat()},
        fields=["fix_plan", "fix_due"],
        request=request,
    )


@transaction.atomic
def mark_fixed(
    *, actor, followup: FollowUp, note: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """The promised fix is done (late when after the due date: kept as the outcome)."""
    note = _text(note, "note")
    fu = lock(followup.pk, "mark_fixed", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    late = timezone.localdate(now) > fu.fix_due
    fu.outcome = FollowUp.Outcome.FIXED_LATE if late else FollowUp.Outcome.FIXED
    fu.answer_note = note
    fu.answered_at = now
    return _finish(
        fu,
        action="mark_fixed",
        actor=actor,
        to_state=FollowUp.State.ANSWERED,
        at=now,
        note=note,
        data={"late": late},
        fields=["outcome", "answer_note", "answered_at"],
        request=request,
    )


@transaction.atomic
def explain(
    *, actor, followup: FollowUp, note: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """Nothing to fix: the hall explains (the rules, a misunderstanding)."""
    note = _text(note, "note")
    fu = lock(followup.pk, "explain", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    fu.outcome = FollowUp.Outcome.EXPLAINED
    fu.answer_note = note
    fu.answered_at = now
    return _finish(
        fu,
        action="explain",
        actor=actor,
        to_state=FollowUp.State.ANSWERED,
        at=now,
        note=note,
        fields=["outcome", "answer_note", "answered_at"],
        request=request,
    )


@transaction.atomic
def appeal(
    *, actor, followup: FollowUp, reason: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """The hall holds the rating was not about its service and appeals to the centre."""
    reason = _text(reason, "reason")
    fu = lock(followup.pk, "appeal", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    fu.appeal_reason = reason
    fu.appeal_decision_note = ""
    fu.appeal_decided_at = None
    fu.appeal_decided_by = None
    return _finish(
        fu,
        action="appeal",
        actor=actor,
        to_state=FollowUp.State.APPEALED,
        at=now,
        note=reason,
        fields=["appeal_reason", "appeal_decision_note", "appeal_decided_at", "appeal_decided_by"],
        request=request,
    )


@transaction.atomic
def decide_appeal(
    *,
    actor,
    followup: FollowUp,
    uphold: bool,
    note: str,
    expected_version: int | None = None,
    request=None,
) -> FollowUp:
    """The centre upholds the appeal (the hall's answer is the decision) or rejects it
    (the hall must fix or explain after all)."""
    note = _text(note, "note")
    action = "uphold_appeal" if uphold else "reject_appeal"
    fu = lock(followup.pk, action, expected_version)
    if not can_decide_appeal(actor):
        raise NotAllowed(_("Appeals are decided by the supervision office."))
    now = timezone.now()
    fu.appeal_decision_note = note
    fu.appeal_decided_at = now
    fu.appeal_decided_by = actor
    fields = ["appeal_decision_note", "appeal_decided_at", "appeal_decided_by"]
    _unused, to_state = FollowUp.TRANSITIONS[action]
    if uphold:
        fu.outcome = FollowUp.Outcome.APPEAL_UPHELD
        fu.answer_note = note
        fu.answered_at = now
        fields += ["outcome", "answer_note", "answered_at"]
    return _finish(
        fu,
        action=action,
        actor=actor,
        to_state=to_state,
        at=now,
        note=note,
        fields=fields,
        request=request,
    )


@transaction.atomic
def report_back(
    *, actor, followup: FollowUp, text: str, expected_version: int | None = None, request=None
) -> FollowUp:
    """What the rater reads on the follow-up page: the answer of the hall."""
    text = _text(text, "text")
    fu = lock(followup.pk, "report_back", expected_version)
    _may_handle(actor, fu)
    now = timezone.now()
    fu.report_text = text
    fu.reported_at = now
    return _finish(
        fu,
        action="report_back",
        actor=actor,
        to_state=FollowUp.State.REPORTED,
        at=now,
        note=text,
        fields=["report_text", "reported_at"],
        request=request,
    )


@transaction.atomic
def rerate(
    *,
    followup: FollowUp,
    level: int,
    comment: str = "",
    expected_version: int | None = None,
    request=None,
) -> FollowUp:
    """The rater rates the fix, once, after the report back. The original rating stays."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise FollowUpError(_("Choose a rating from 1 to 5."), "level")
    comment = _text(comment, "comment", required=False)
    fu = FollowUp.objects.select_for_update(of=("self",)).get(pk=followup.pk)
    if fu.state == FollowUp.State.RERATED:
        raise WrongState(_("You have already rated this answer; a rating cannot be changed."))
    if fu.state != FollowUp.State.REPORTED:
        raise WrongState(_("The hall has not answered yet; you can rate once it has."))
    if expected_version is not None and fu.version != expected_version:
        raise Stale(_("This page was out of date. Nothing was changed; look at it again."))
    now = timezone.now()
    fu.rerate_level = level
    fu.rerate_comment = comment
    fu.rerated_at = now
    return _finish(
        fu,
        action="rerate",
        actor=None,
        to_state=FollowUp.State.RERATED,
        at=now,
        note=comment,
        data={"level": level},
        fields=["rerate_level", "rerate_comment", "rerated_at"],
        request=request,
    )


@transaction.atomic
def reassign(
    *, actor, followup: FollowUp, owner: User, expected_version: int | None = None, request=None
) -> FollowUp:
    """Hand the follow-up to another staff member of its hall (the hall manager does)."""
    fu = lock(followup.pk, "reassign", expected_version)
    if not manages_hall(actor, fu.hall_id):
        raise NotAllowed(_("Only the hall manager may hand a follow-up to someone else."))
    if not owner_choices(fu.hall).filter(pk=owner.pk).exists():
        raise FollowUpError(_("Choose an active staff member of this hall."), "owner")
    before = fu.owner.username if fu.owner else None
    fu.owner = owner
    return _finish(
        fu,
        action="reassign",
        actor=actor,
        to_state=fu.state,
        at=timezone.now(),
        data={"from": before, "to": owner.username},
        fields=["owner"],
        request=request,
    )


@transaction.atomic
def set_fix_days(*, actor, hall, fix_days: int, request=None) -> HallFollowUpSetting:
    """The hall's number of working days to fix (hall manager of the hall, centre admin)."""
    if not can_set_fix_days(actor, hall):
        raise NotAllowed(_("You may not change the settings of this hall."))
    if not isinstance(fix_days, int) or not 1 <= fix_days <= FIX_DAYS_MAX:
        raise FollowUpError(
            _("Enter a whole number of working days from 1 to %(max)s.") % {"max": FIX_DAYS_MAX},
            "fix_days",
        )
    setting, _created = HallFollowUpSetting.objects.select_for_update().get_or_create(hall=hall)
    before = setting.fix_days if not _created else None
    setting.fix_days = fix_days
    setting.updated_by = actor
    setting.save()
    record(
        actor=actor,
        action="followup.fix_days_set",
        obj=setting,
        hall=hall,
        before={"fix_days": before},
        after={"fix_days": fix_days},
        request=request,
    )
    return setting


#: The steps the staff pages offer, in order: action -> service.
STEP_SERVICES = {
    "call_back": call_back,
    "fix_now": fix_now,
    "fix_by": fix_by,
    "mark_fixed": mark_fixed,
    "explain": explain,
    "appeal": appeal,
    "report_back": report_back,
}
