"""Writes of the supervision app: answering and deciding alerts, editing rules.

Each action runs in one transaction, locks the alert (or rule) row, checks the allowed
transitions, appends an `AlertEvent` and writes the audit row. The scanner that raises
alerts lives in `scan.py`, the rule checks in `checks.py`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Role
from onewindow.audit.services import record

from ..models import THRESHOLD_MAX, Alert, AlertEvent, Level, Rule


class AlertActionError(Exception):
    """An action that cannot be done; `message` is translated, `status` the HTTP answer."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(AlertActionError):
    status = 403


class WrongState(AlertActionError):
    status = 409


class NoteRequired(AlertActionError):
    status = 400


def can_answer(user, alert: Alert) -> bool:
    """The responsible person answers, and so does the manager of the alert's hall."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if alert.responsible_id is not None and alert.responsible_id == user.pk:
        return True
    return user.has_role(Role.HALL_MANAGER) and alert.hall_id in user.hall_id_set


def can_decide(user) -> bool:
    """Closing an alert or upholding it as a violation is the supervision office's decision."""
    return bool(
        user
        and getattr(user, "is_authenticated", False)
        and user.has_perm("supervision.decide_alerts")
    )


def can_view_desk(user) -> bool:
    """The supervision desk: the supervision office, the centre, and the hall managers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        user.sees_all_halls
        or user.has_perm("supervision.decide_alerts")
        or user.has_perm("supervision.manage_rules")
        or user.has_perm("halls.manage_halls")
    )


def can_view_alert(user, alert: Alert) -> bool:
    """Who may open an alert (already scoped to the user's halls by `visible_to`)."""
    return can_view_desk(user) or can_answer(user, alert)


def _snapshot(alert: Alert) -> dict:
    return {
        "status": alert.status,
        "answer_note": alert.answer_note,
        "decision_note": alert.decision_note,
    }


def _verb(status: str) -> str:
    return {
        Alert.Status.EXPLAINED: _("explained"),
        Alert.Status.CORRECTED: _("marked as corrected"),
        Alert.Status.CLOSED: _("closed"),
        Alert.Status.UPHELD: _("upheld"),
    }[status]


def _act(*, actor, alert: Alert, to_status: str, note: str, request=None) -> Alert:
    note = (note or "").strip()
    answering = to_status in Alert.ANSWERED_STATUSES
    if answering and not can_answer(actor, alert):
        raise NotAllowed(
            _("Only the responsible person or the hall manager can answer this alert.")
        )
    if not answering and not can_decide(actor):
        raise NotAllowed(_("Only the supervision office can close an alert or uphold it."))
    if not note:
        if answering:
            raise NoteRequired(_("Write what happened or what was corrected."))
        raise NoteRequired(_("Write a note for the decision."))
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if not locked.can_move_to(to_status):
            raise WrongState(
                _("This alert is “%(status)s”: it can no longer be %(action)s.")
                % {"status": locked.get_status_display(), "action": _verb(to_status)}
            )
        before = _snapshot(locked)
        from_status = locked.status
        now = timezone.now()
        locked.status = to_status
        if answering:
            locked.answered_at, locked.answered_by, locked.answer_note = now, actor, note
        else:
            locked.decided_at, locked.decided_by, locked.decision_note = now, actor, note
        locked.save()
        AlertEvent.objects.create(
            alert=locked,
            kind=to_status,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            at=now,
            note=note,
        )
        record(
            actor=actor,
            action=f"alert.{to_status}",
            obj=locked,
            hall=locked.hall,
            before=before,
            after=_snapshot(locked),
            note=note,
            request=request,
        )
    return locked


def explain_alert(*, actor, alert: Alert, note: str, request=None) -> Alert:
    """The responsible person (or the hall manager) explains why it happened."""
    return _act(
        actor=actor, alert=alert, to_status=Alert.Status.EXPLAINED, note=note, request=request
    )


def correct_alert(*, actor, alert: Alert, note: str, request=None) -> Alert:
    """The responsible person (or the hall manager) reports what was corrected."""
    return _act(
        actor=actor, alert=alert, to_status=Alert.Status.CORRECTED, note=note, request=request
    )


def close_alert(*, actor, alert: Alert, note: str, request=None) -> Alert:
    """Supervision closes the alert (accepted explanation or correction)."""
    return _act(actor=actor, alert=alert, to_status=Alert.Status.CLOSED, note=note, request=request)


def uphold_alert(*, actor, alert: Alert, note: str, request=None) -> Alert:
    """Supervision upholds the alert as a violation (it counts in the assessment)."""
    return _act(actor=actor, alert=alert, to_status=Alert.Status.UPHELD, note=note, request=request)


ACTIONS = {
    "explain": explain_alert,
    "correct": correct_alert,
    "close": close_alert,
    "uphold": uphold_alert,
}


RULE_FIELDS = ["enabled", "level", "threshold"]


def update_rule(
    *, actor, rule: Rule, enabled: bool, level: str, threshold: int | None, request=None
) -> Rule:
    """The supervision office changes a rule; the next scan re-evaluates every rule in full."""
    if not actor.has_perm("supervision.manage_rules"):
        raise NotAllowed(_("Only the supervision office can edit the rules."))
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level from the list.")})
    if rule.has_threshold:
        if threshold is None:
            raise ValidationError({"threshold": _("This rule needs a threshold.")})
        if threshold < 0 or threshold > THRESHOLD_MAX:
            raise ValidationError(
                {
                    "threshold": _("The threshold must be a whole number from 0 to %(max)s.")
                    % {"max": THRESHOLD_MAX}
                }
            )
    else:
        threshold = None
    with transaction.atomic():
        locked = Rule.objects.select_for_update().get(pk=rule.pk)
        before = {f: getattr(locked, f) for f in RULE_FIELDS}
        locked.enabled, locked.level, locked.threshold = enabled, level, threshold
        locked.updated_by = actor
        locked.full_clean()
        locked.save()
        record(
            actor=actor,
            action="supervision_rule.updated",
            obj=locked,
            before=before,
            after={f: getattr(locked, f) for f in RULE_FIELDS},
            request=request,
        )
    return locked


def cards_for_case(case) -> list[Alert]:
    """The alerts of a case, newest first, for the case page (see `supervision/case_cards.html`)."""
    return list(
        Alert.objects.for_case(case)
        .select_related("rule", "responsible")
        .order_by("-raised_at", "-id")
    )
