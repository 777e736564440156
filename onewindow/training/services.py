"""Training records and who is qualified to serve at a window.

Writes (`save_session`, `record_results`, `set_rule`) are atomic and audited. The reads
(`status_of`, `hours_by_person`, `qualified_share`, `unqualified_by_hall`) judge staff by
the rule in force on the day (`QualificationRule`); `ensure_qualified` is what the floor
calls before a clerk signs in at a window, and `window_check` what accounts calls before
a role that puts someone at a window is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.audit.services import record
from onewindow.halls.models import Hall

from .models import DEFAULT_RULE, Attendance, QualificationRule, TrainingSession

MANAGE = "training.manage_training"
ZERO = Decimal("0")


class NotQualified(Exception):
    """The staff member may not serve at a window on that day; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TrainingRefused(PermissionDenied):
    """A change the actor has no right to make (403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------- the rule


def rule_in_force(day: dt.date | None = None) -> QualificationRule:
    day = day or timezone.localdate()
    return QualificationRule.objects.in_force(day) or DEFAULT_RULE


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Status:
    """Where a staff member stands on ``day`` under ``rule``."""

    day: dt.date
    rule: QualificationRule
    first_pass: dt.date | None = None
    last_pass: dt.date | None = None
    hours_previous_year: Decimal = ZERO
    hours_this_year: Decimal = ZERO
    reasons: list[str] = field(default_factory=list)

    @property
    def qualified(self) -> bool:
        return not self.reasons

    def _judge(self) -> Status:
        rule, day = self.rule, self.day
        if rule.exam_required:
            if self.last_pass is None:
                self.reasons.append(_("no qualifying exam passed"))
            elif rule.exam_valid_years and self.last_pass <= _years_before(
                day, rule.exam_valid_years
            ):
                self.reasons.append(
                    _("the qualifying exam passed on %(date)s has expired")
                    % {"date": self.last_pass.isoformat()}
                )
        if rule.min_hours > 0 and (self.last_pass is not None or not rule.exam_required):
            # Staff first qualified this year or last are not held to a year they did not
            # serve in full; everybody else needs the hours of last year, or of this one.
            new = self.first_pass is not None and self.first_pass.year >= day.year - 1
            if (
                not new
                and self.hours_previous_year < rule.min_hours
                and self.hours_this_year < rule.min_hours
            ):
                self.reasons.append(
                    _("%(hours)s training hours in %(year)s, %(required)s required")
                    % {
                        "hours": _number(self.hours_previous_year),
                        "year": day.year - 1,
                        "required": _number(rule.min_hours),
                    }
                )
        return self


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def statuses(users, day: dt.date | None = None) -> dict[int, Status]:
    """The status of each user on ``day`` (today by default), in one query."""
    day = day or timezone.localdate()
    rule = rule_in_force(day)
    ids = [u.pk for u in users if u.pk is not None]
    result = {pk: Status(day=day, rule=rule) for pk in ids}
    present = ~Q(result=Attendance.Result.ABSENT)
    last_year = Q(
        session__date__gte=dt.date(day.year - 1, 1, 1), session__date__lt=dt.date(day.year, 1, 1)
    )
    this_year = Q(session__date__gte=dt.date(day.year, 1, 1))
    passed = Q(result=Attendance.Result.PASSED, session__qualifying=True)
    rows = (
        Attendance.objects.filter(user_id__in=ids, session__date__lte=day)
        .values("user_id")
        .annotate(
            previous=Sum("session__hours", filter=present & last_year),
            current=Sum("session__hours", filter=present & this_year),
            first_pass=Min("session__date", filter=passed),
            last_pass=Max("session__date", filter=passed),
        )
    )
    for row in rows:
        status = result[row["user_id"]]
        status.hours_previous_year = row["previous"] or ZERO
        status.hours_this_year = row["current"] or ZERO
        status.first_pass = row["first_pass"]
        status.last_pass = row["last_pass"]
    for status in result.values():
        status._judge()
    return result


def status_of(user, day: dt.date | None = None) -> Status:
    day = day or timezone.localdate()
    if user.pk is None:
        return Status(day=day, rule=rule_in_force(day))._judge()
    return statuses([user], day)[user.pk]


def is_qualified(user, day: dt.date | None = None) -> bool:
    return status_of(user, day).qualified


def _refusal(user, status: Status) -> str:
    return _("%(name)s is not qualified to serve at a window: %(reasons)s.") % {
        "name": user.full_name or user.username,
        "reasons": _("; ").join(status.reasons),
    }


def ensure_qualified(user, day: dt.date | None = None) -> None:
    """Raise `NotQualified` when ``user`` may not serve at a window on ``day``."""
    status = status_of(user, day)
    if not status.qualified:
        raise NotQualified(_refusal(user, status))


def window_check(user) -> str | None:
    """The check accounts runs before a window role is given (`add_window_check`)."""
    status = status_of(user)
    return None if status.qualified else _refusal(user, status)


def staff_badges(users) -> dict[int, list[str]]:
    """ "Not qualified" on the window staff of the staff list (`add_staff_badges`)."""
    # groups.all() uses the staff list's prefetch (role_codes would ask once per person).
    window = [u for u in users if any(g.name == Role.WINDOW_CLERK for g in u.groups.all())]
    label = _("Not qualified")
    return {pk: [label] for pk, s in statuses(window).items() if not s.qualified}


# ------------------------------------------------------------------------- reads


def window_staff(hall: Hall):
    """The active window clerks of ``hall``."""
    return (
        User.objects.filter(is_active=True, halls=hall, groups__name=Role.WINDOW_CLERK)
        .distinct()
        .order_by("username")
    )


def year_end(year: int) -> dt.date:
    """The day a year's standing is judged on: its last day, or today for this year."""
    return min(dt.date(year, 12, 31), timezone.localdate())


@dataclass(frozen=True)
class PersonHours:
    user: User
    hours: Decimal
    sessions: int


def hours_by_person(hall: Hall, year: int) -> list[PersonHours]:
    """Training hours of every active staff member of ``hall`` in ``year`` (absences do
    not count), by username; those with no hours are listed with 0."""
    staff = list(User.objects.filter(is_active=True, halls=hall).order_by("username"))
    rows = {
        row["user_id"]: row
        for row in Attendance.objects.filter(user__in=staff, session__date__year=year)
        .exclude(result=Attendance.Result.ABSENT)
        .values("user_id")
        .annotate(hours=Sum("session__hours"), sessions=Count("id"))
    }
    return [
        PersonHours(
            user=user,
            hours=(rows.get(user.pk) or {}).get("hours") or ZERO,
            sessions=(rows.get(user.pk) or {}).get("sessions") or 0,
        )
        for user in staff
    ]


@dataclass(frozen=True)
class Share:
    """``qualified`` of ``staff`` window clerks; ``rate`` is None for a hall without any."""

    qualified: int
    staff: int

    @property
    def rate(self) -> float | None:
        return self.qualified / self.staff if self.staff else None


def qualified_share(hall: Hall, year: int) -> Share:
    """The hall's window clerks qualified at the end of ``year`` (today for this year).
    Staff are those of the hall now: accounts keep no history of who worked where."""
    found = statuses(list(window_staff(hall)), year_end(year))
    return Share(qualified=sum(s.qualified for s in found.values()), staff=len(found))


def unqualified_by_hall(halls, day: dt.date | None = None) -> list[tuple[Hall, list]]:
    """For each hall, its window clerks not qualified on ``day``, with their status."""
    day = day or timezone.localdate()
    halls = list(halls)
    clerks = (
        User.objects.filter(is_active=True, halls__in=halls, groups__name=Role.WINDOW_CLERK)
        .distinct()
        .prefetch_related("halls")
        .order_by("username")
    )
    clerks = list(clerks)
    found = statuses(clerks, day)
    result = []
    for hall in halls:
        rows = [
            (u, found[u.pk]) for u in clerks if not found[u.pk].qualified and hall in u.halls.all()
        ]
        result.append((hall, rows))
    return result


# ------------------------------------------------------------------------- writes


def may_manage(actor, halls) -> bool:
    """Whether ``actor`` may record sessions for all of ``halls``: the centre for every
    hall, a hall manager for their own."""
    if actor is None:
        return True
    if not actor.is_active or not actor.has_perm(MANAGE):
        return False
    return actor.sees_all_halls or {h.pk for h in halls} <= actor.hall_id_set


def _session_snapshot(session: TrainingSession) -> dict:
    return {
        "date": session.date,
        "hours": session.hours,
        "topic": session.topic,
        "trainer": session.trainer,
        "place": session.place,
        "has_exam": session.has_exam,
        "qualifying": session.qualifying,
        "pass_mark": session.pass_mark,
        "halls": sorted(session.halls.values_list("code", flat=True)) if session.pk else [],
        "attendees": sorted(session.attendees.values_list("username", flat=True))
        if session.pk
        else [],
    }


@transaction.atomic
def save_session(
    *, actor, session: TrainingSession, halls, attendees, request=None
) -> TrainingSession:
    """Create or change a session with its halls and attendees. Attendees keep their
    results; new ones start as absent until their result is recorded."""
    halls = list(halls)
    attendees = list(attendees)
    if not halls:
        raise ValidationError({"halls": _("Choose at least one hall.")})
    before = None
    if session.pk is not None:
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        before = _session_snapshot(locked)
        if not may_manage(actor, locked.halls.all()):
            raise TrainingRefused(_("Your account may not change this session."))
    if not may_manage(actor, halls):
        raise TrainingRefused(_("You can only record training for the halls you work in."))
    if session.date > timezone.localdate():
        raise ValidationError({"date": _("A session is recorded once it has been held.")})
    hall_ids = {h.pk for h in halls}
    strangers = [
        u for u in attendees if not u.is_active or not ({h.pk for h in u.halls.all()} & hall_ids)
    ]
    if strangers:
        raise ValidationError(
            {
                "attendees": _("Not staff of the session's halls: %(names)s.")
                % {"names": "、".join(str(u) for u in strangers)}
            }
        )
    session.full_clean(exclude=["created_by"])
    creating = session.pk is None
    if creating:
        session.created_by = actor
    session.save()
    session.halls.set(halls)
    keep = {u.pk for u in attendees}
    session.attendance.exclude(user_id__in=keep).delete()
    have = set(session.attendance.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(session=session, user=u, result=Attendance.Result.ABSENT)
        for u in attendees
        if u.pk not in have
    )
    if not session.has_exam:
        # An exam taken off the session: its results become plain attendance.
        session.attendance.filter(
            result__in=[Attendance.Result.PASSED, Attendance.Result.FAILED]
        ).update(result=Attendance.Result.ATTENDED, score=None)
    record(
        actor=actor,
        action="training.session_created" if creating else "training.session_updated",
        obj=session,
        hall=halls[0],
        before=before,
        after=_session_snapshot(session),
        request=request,
    )
    return session


def _result_snapshot(session: TrainingSession) -> dict:
    return {
        a.user.username: [a.result, a.score]
        for a in session.attendance.select_related("user").order_by("user__username")
    }


@transaction.atomic
def record_results(
    *, actor, session: TrainingSession, results: dict[int, tuple[str, Decimal | None]], request=None
) -> TrainingSession:
    """Record each attendee's result (and score): ``results`` maps a user id to
    (result, score). On a session with an exam, present means passed or failed; a score
    at or above the pass mark is a pass, below it a fail."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if not may_manage(actor, session.halls.all()):
        raise TrainingRefused(_("Your account may not change this session."))
    rows = {a.user_id: a for a in session.attendance.select_related("user")}
    errors = []
    R = Attendance.Result
    allowed = {R.PASSED, R.FAILED, R.ABSENT} if session.has_exam else {R.ATTENDED, R.ABSENT}
    for user_id, (result, score) in results.items():
        row = rows.get(user_id)
        if row is None:
            errors.append(_("Not an attendee of this session."))
            continue
        name = row.user.full_name or row.user.username
        if result not in allowed:
            errors.append(
                _("%(name)s: choose one of %(choices)s.")
                % {"name": name, "choices": "、".join(str(R(c).label) for c in sorted(allowed))}
            )
            continue
        if score is not None:
            if result not in (R.PASSED, R.FAILED):
                errors.append(_("%(name)s: only an exam taken has a score.") % {"name": name})
                continue
            if not ZERO <= score <= Decimal("100"):
                errors.append(_("%(name)s: a score is from 0 to 100.") % {"name": name})
                continue
            if session.pass_mark is not None and (score >= session.pass_mark) != (
                result == R.PASSED
            ):
                errors.append(
                    _("%(name)s: a score of %(score)s against a pass mark of %(mark)s.")
                    % {"name": name, "score": _number(score), "mark": _number(session.pass_mark)}
                )
                continue
    if errors:
        raise ValidationError(errors)
    before = _result_snapshot(session)
    changed = []
    for user_id, (result, score) in results.items():
        row = rows[user_id]
        if (row.result, row.score) != (result, score):
            row.result, row.score = result, score
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["result", "score"])
    if changed:
        record(
            actor=actor,
            action="training.results_recorded",
            obj=session,
            hall=session.halls.order_by("pk").first(),
            before=before,
            after=_result_snapshot(session),
            request=request,
        )
    return session


@transaction.atomic
def set_rule(*, actor, rule: QualificationRule, request=None) -> QualificationRule:
    """Put a new qualification rule in force from its date. Past days keep the rule they
    had, so a rule takes effect today at the earliest."""
    if actor is not None and not actor.has_perm("training.manage_rule"):
        raise TrainingRefused(_("Your account may not change the qualification rule."))
    if rule.valid_from is None or rule.valid_from < timezone.localdate():
        raise ValidationError({"valid_from": _("A new rule takes effect today or later.")})
    if QualificationRule.objects.filter(valid_from=rule.valid_from).exists():
        raise ValidationError({"valid_from": _("A rule already takes effect on that day.")})
    rule.created_by = actor
    rule.full_clean()
    rule.save()
    record(
        actor=actor,
        action="training.rule_set",
        obj=rule,
        after={
            "valid_from": rule.valid_from,
            "exam_required": rule.exam_required,
            "exam_valid_years": rule.exam_valid_years,
            "min_hours": rule.min_hours,
            "note": rule.note,
        },
        request=request,
    )
    return rule
