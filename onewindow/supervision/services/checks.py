"""What each supervision rule checks.

A check turns one `Rule` (its threshold and params) into one set-based query over the
case tables and returns the breaches not yet raised: the "not yet raised" part is an
anti-join against the alerts (`~Exists(...)`), so a scan fetches only new breaches, never
every overdue case again. Python touches only those rows (to compute the figures shown
with the alert, or the exact working-day test where SQL can only pre-filter).

Every check honours the scan scope of `ScanContext`: a full scan looks at everything; an
incremental scan looks at the cases that changed since the watermark plus, for the
clock rules, the due dates that entered the rule's window since the previous scan's day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BigIntegerField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Abs, Coalesce, Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import clock
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFeeLine,
    CaseStep,
    CorrectionNotice,
    Extension,
    Suspension,
)
from onewindow.catalogue.models import Fee
from onewindow.lib.workcal import WorkCalendar

from ..models import Alert, Rule

ONE_DAY = timedelta(days=1)


class Breach(NamedTuple):
    """One breach found by a check, before it becomes an `Alert`."""

    case_id: int
    hall_id: int
    department_id: int | None
    responsible_id: int | None
    step_id: int | None = None
    step_position: int | None = None
    subject_id: int = 0
    due_date: date | None = None
    detail: dict | None = None


@dataclass
class ScanContext:
    """What one scan looks at: the moment, the calendar, and the scope."""

    now: datetime
    today: date
    calendar: WorkCalendar
    full: bool = True
    # Incremental scans only: cases updated since the watermark, and the day the previous
    # scan counted from (due dates that entered a window since then are looked at too).
    changed_case_ids: Sequence[int] = field(default_factory=tuple)
    prev_today: date | None = None

    _days: dict = field(default_factory=dict, repr=False)
    _after: dict = field(default_factory=dict, repr=False)
    # The time zone dates are read in, looked up once (not once per row).
    _tz: tzinfo = field(default_factory=timezone.get_current_timezone, repr=False)

    @property
    def day_moved(self) -> bool:
        return not self.full and self.prev_today is not None and self.prev_today < self.today

    def working_days(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; memoised (thousands of breaches, few dates)."""
        key = (start, end)
        days = self._days.get(key)
        if days is None:
            days = self._days[key] = self.calendar.working_days_between(start, end).value
        return days

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (`cases.clock`); memoised like `working_days`."""
        key = (start, n)
        day = self._after.get(key)
        if day is None:
            day = self._after[key] = clock.add_working_days(start, n, self.calendar).value
        return day

    def subtract_working_days(self, end: date, n: int) -> date:
        """The working day d with `add_working_days(d, n) == end` (end a working day)."""
        day = end
        while n:
            day -= ONE_DAY
            if self.calendar.is_working_day(day):
                n -= 1
        return day

    def local_day(self, value: datetime) -> date:
        """The local date of an aware datetime."""
        return timezone.localdate(value, self._tz)


def due_soon_end(cal: WorkCalendar, today: date, n: int) -> date:
    """Exclusive end of the "due soon" window.

    A due date d with today <= d < end has at most n working days left, counting the
    working days after today up to and including d (so due today leaves 0).
    """
    return cal.add_working_days(today, n + 1).value


def overdue_end(cal: WorkCalendar, today: date, n: int) -> date:
    """Exclusive end of the "overdue" range: d < end when at least n working days passed since d.

    n = 0 means simply "past due" (d < today). A grace of n working days walks back from
    today until n working days lie between d and today.
    """
    d = today - ONE_DAY
    while n and cal.working_days_between(d, today).value < n:
        d -= ONE_DAY
    return d + ONE_DAY


def _already_raised(rule: Rule, *, case="pk", subject=None, due=None) -> Exists:
    """The anti-join: an alert of this rule for this case (and subject, and due date) exists."""
    lookups = {"rule_id": rule.pk, "case_id": OuterRef(case)}
    if subject is not None:
        lookups["subject_id"] = OuterRef(subject)
    if due is not None:
        lookups["due_date"] = OuterRef(due)
    return Exists(Alert.objects.filter(**lookups))


def _person(*sources) -> Coalesce:
    """The first user id that is set among the sources (the responsible person)."""
    return Coalesce(*sources, output_field=BigIntegerField())


def _blank_out(field_name: str):
    """The text with every kind of blank removed (spaces, line breaks, tabs, 全角空格)."""
    expr = F(field_name)
    for blank in (" ", "\n", "\r", "\t", "\u3000"):
        expr = Replace(expr, Value(blank), Value(""), output_field=TextField())
    return expr


def _days_after(field_name: str, n: int):
    """The datetime `n` days after a datetime column, computed by the database.

    SQLite gets its own datetime() (Django's generic duration arithmetic calls back into
    Python for every row there); elsewhere plain interval arithmetic.
    """
    if connection.vendor == "sqlite":
        return Func(
            F(field_name),
            Value(f"+{int(n)} days"),
            function="datetime",
            output_field=DateTimeField(),
        )
    return ExpressionWrapper(F(field_name) + timedelta(days=n), output_field=DateTimeField())


def _last_actor(kind: str) -> Subquery:
    """Who acted last with an event of this kind on the (outer) case."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=kind)
        .order_by("-seq")
        .values("actor_id")[:1]
    )


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


class Check:
    """Base of the checks. Subclasses set `code` and implement `breaches()`."""

    code = ""
    # What the threshold means on the rules page; None when the rule has none.
    threshold_label = None
    default_level = ""

    def breaches(self, rule: Rule, ctx: ScanContext) -> Iterable[Breach]:
        raise NotImplementedError

    def describe(self, detail: dict) -> str:
        return ""


# --------------------------------------------------------------------------- the clock


class _CaseClock(Check):
    """A case's due date (promised or legal) inside a window that depends on today."""

    date_field = "promised_due_date"

    def window(self, cal: WorkCalendar, today: date, n: int) -> tuple[date | None, date]:
        raise NotImplementedError

    def breaches(self, rule, ctx):
        n = rule.threshold or 0
        f = self.date_field
        lo, hi = self.window(ctx.calendar, ctx.today, n)
        # Only a running clock: a suspended case's due date moves when it resumes.
        qs = Case.objects.order_by().filter(status=Case.Status.ACCEPTED, **{f"{f}__lt": hi})
        if lo is not None:
            qs = qs.filter(**{f"{f}__gte": lo})
        if not ctx.full:
            scope = Q(pk__in=ctx.changed_case_ids)
            if ctx.day_moved:
                _plo, prev_hi = self.window(ctx.calendar, ctx.prev_today, n)
                scope |= Q(**{f"{f}__gte": prev_hi})  # entered the window since the last scan
            qs = qs.filter(scope)
        qs = qs.exclude(_already_raised(rule, due=f)).annotate(
            _resp=_person("current_assignee_id", "current_step__assignee_id")
        )
        rows = qs.values_list(
            "pk",
            "hall_id",
            "department_id",
            "_resp",
            "current_step_id",
            "current_step__position",
            f,
        )
        for pk, hall_id, dept_id, resp, step_id, position, due in rows:
            yield Breach(
                pk, hall_id, dept_id, resp, step_id, position, 0, due, self.detail(ctx, due)
            )

    def detail(self, ctx: ScanContext, due: date) -> dict:
        raise NotImplementedError


class _DueSoon(_CaseClock):
    threshold_label = gettext_lazy("Working days left, at most")
    default_level = "warning"

    def window(self, cal, today, n):
        return today, due_soon_end(cal, today, n)

    def detail(self, ctx, due):
        return {
            "due_date": due.isoformat(),
            "days_left": ctx.working_days(ctx.today, due),
        }

    def describe(self, detail):
        return _("Due on %(date)s; %(days)s working day(s) left when raised.") % {
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_left", "?"),
        }


class _Overdue(_CaseClock):
    threshold_label = gettext_lazy(
        "Working days past the due date before the alert (0: the day after)"
    )

    def window(self, cal, today, n):
        return None, overdue_end(cal, today, n)

    def detail(self, ctx, due):
        return {
            "due_date": due.isoformat(),
            "days_overdue": ctx.working_days(due, ctx.today),
        }

    def describe(self, detail):
        return _("Was due on %(date)s; %(days)s working day(s) past due when raised.") % {
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_overdue", "?"),
        }


class CaseDueSoon(_DueSoon):
    """A warning (预警): a case close to its promised due date."""

    code = "case_due_soon"


class CaseOverdue(_Overdue):
    """Yellow card: a case past its promised due date."""

    code = "case_overdue"
    default_level = "yellow"


class LegalOverdue(_Overdue):
    """Red card: a case past its legal due date (the law's limit, not the hall's promise)."""

    code = "legal_overdue"
    date_field = "legal_due_date"
    default_level = "red"


class _StepClock(Check):
    """An unfinished step's own due date inside a window that depends on today."""

    def window(self, cal: WorkCalendar, today: date, n: int) -> tuple[date | None, date]:
        raise NotImplementedError

    def steps(self, rule: Rule, ctx: ScanContext):
        """The unfinished steps due inside the window, not raised before for that date."""
        n = rule.threshold or 0
        lo, hi = self.window(ctx.calendar, ctx.today, n)
        qs = CaseStep.objects.order_by().filter(finished_at__isnull=True, due_date__lt=hi)
        if lo is not None:
            qs = qs.filter(due_date__gte=lo)
        if not ctx.full:
            scope = Q(case_id__in=ctx.changed_case_ids)
            if ctx.day_moved:
                _plo, prev_hi = self.window(ctx.calendar, ctx.prev_today, n)
                scope |= Q(due_date__gte=prev_hi)  # entered the window since the last scan
            qs = qs.filter(scope)
        return qs.exclude(
            _already_raised(rule, case="case_id", subject="pk", due="due_date")
        ).annotate(_resp=_person("assignee_id", "case__current_assignee_id"))

    def breaches(self, rule, ctx):
        rows = self.steps(rule, ctx).values_list(
            "case_id",
            "case__hall_id",
            "case__department_id",
            "_resp",
            "pk",
            "position",
            "name",
            "due_date",
            "case__status",
        )
        for case_id, hall_id, dept_id, resp, pk, position, name, due, status in rows:
            if status != Case.Status.ACCEPTED:
                continue
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                resp,
                pk,
                position,
                pk,
                due,
                {"step": name, **self.detail(ctx, due)},
            )

    def detail(self, ctx: ScanContext, due: date) -> dict:
        raise NotImplementedError


class StepDueSoon(_StepClock):
    """A warning (预警): an unfinished step close to its own due date.

    The case's status is checked in Python, not in SQL: with it in the WHERE clause SQLite
    (without statistics) drives the query from the open cases instead of from the few
    steps due in the window.
    """

    code = "step_due_soon"
    threshold_label = gettext_lazy("Working days left, at most")
    default_level = "warning"

    def window(self, cal, today, n):
        return today, due_soon_end(cal, today, n)

    def detail(self, ctx, due):
        return {"due_date": due.isoformat(), "days_left": ctx.working_days(ctx.today, due)}

    def describe(self, detail):
        return _("Step “%(step)s” due on %(date)s; %(days)s working day(s) left when raised.") % {
            "step": detail.get("step", "?"),
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_left", "?"),
        }


class StepOverdue(_StepClock):
    """Yellow card: an unfinished step of a running case past its own due date.

    A step without a limit of its own is due on the case's promised date (and moves with
    it): the case's own card (`case_overdue`) says that already, so a step due on the
    case's promised date is left to it. Past due has no lower bound, so the case's status
    is filtered in SQL here (the step due-date index would not narrow the search).
    """

    code = "step_overdue"
    threshold_label = gettext_lazy(
        "Working days past the due date before the alert (0: the day after)"
    )
    default_level = "yellow"

    def window(self, cal, today, n):
        return None, overdue_end(cal, today, n)

    def steps(self, rule, ctx):
        return (
            super()
            .steps(rule, ctx)
            .filter(case__status=Case.Status.ACCEPTED)
            .exclude(case__promised_due_date=F("due_date"))
        )

    def detail(self, ctx, due):
        return {"due_date": due.isoformat(), "days_overdue": ctx.working_days(due, ctx.today)}

    def describe(self, detail):
        return _(
            "Step “%(step)s” was due on %(date)s; %(days)s working day(s) past due when raised."
        ) % {
            "step": detail.get("step", "?"),
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_overdue", "?"),
        }


# --------------------------------------------------------------------- irregular acts


class RefusalWithoutReason(Check):
    """Not accepted (不予受理) without a written reason."""

    code = "refusal_without_reason"
    default_level = "red"

    def breaches(self, rule, ctx):
        qs = (
            Case.objects.order_by()
            .filter(status=Case.Status.REFUSED)
            .annotate(_reason=_blank_out("refusal_reason"))
            .filter(_reason="")
        )
        if not ctx.full:
            qs = qs.filter(pk__in=ctx.changed_case_ids)
        qs = qs.exclude(_already_raised(rule)).annotate(
            _resp=_person(_last_actor(CaseEvent.Kind.REFUSED), "received_by_id")
        )
        for pk, hall_id, dept_id, resp, received in qs.values_list(
            "pk", "hall_id", "department_id", "_resp", "received_at"
        ):
            yield Breach(pk, hall_id, dept_id, resp, detail={"received": _day(received)})

    def describe(self, detail):
        return _("Not accepted without a written reason (received on %(date)s).") % {
            "date": detail.get("received", "?")
        }


class IntakeOverdue(Check):
    """Papers that got neither a correction notice nor a decision within N working days
    of coming in (行政许可法 art. 32): the case is still in intake. The period starts at
    receipt, or when the papers asked for by a notice came back (`cases.clock`)."""

    code = "intake_overdue"
    threshold_label = gettext_lazy("Working days allowed for a notice or a decision")
    default_level = "red"

    def breaches(self, rule, ctx):
        n = rule.threshold if rule.threshold is not None else clock.INTAKE_DAYS
        back = Subquery(
            CorrectionNotice.objects.filter(case_id=OuterRef("pk"), supplied_at__isnull=False)
            .order_by("-round")
            .values("supplied_at")[:1]
        )
        # N working days are at least N calendar days: SQL keeps the cases in intake that
        # came in more than N days ago; the exact count follows in Python.
        qs = Case.objects.order_by().filter(
            status=Case.Status.RECEIVED, received_at__lt=ctx.now - timedelta(days=n)
        )
        qs = qs.annotate(_back=back).annotate(
            _resp=_person("received_by_id", "current_assignee_id")
        )
        rows = qs.values_list("pk", "hall_id", "department_id", "_resp", "received_at", "_back")
        raised = set(
            Alert.objects.filter(rule=rule, case_id__in=qs.values("pk")).values_list(
                "case_id", "due_date"
            )
        )
        for pk, hall_id, dept_id, resp, received_at, back in rows:
            start = ctx.local_day(back or received_at)
            due = ctx.add_working_days(start, n)
            if ctx.today <= due or (pk, due) in raised:
                continue
            yield Breach(
                pk,
                hall_id,
                dept_id,
                resp,
                due_date=due,
                detail={"since": start.isoformat(), "due": due.isoformat()},
            )

    def describe(self, detail):
        return _(
            "Papers in since %(since)s: no correction notice or decision by %(due)s; the application counts as accepted on %(since)s."
        ) % {"since": detail.get("since", "?"), "due": detail.get("due", "?")}


class LateCorrectionNotice(Check):
    """A correction notice (补正告知) later than N working days after the papers came in:
    receipt for the first notice, the return of the papers for a later one — the period
    the service counts with (`cases.clock.intake_start`).

    The law (行政许可法 art. 32) allows five days; its art. 82 counts them as working days,
    which is the default (`params["count"]` may say "calendar_days").
    """

    code = "late_correction_notice"
    threshold_label = gettext_lazy("Days after the papers came in allowed")
    default_level = "red"

    def breaches(self, rule, ctx):
        n = rule.threshold if rule.threshold is not None else clock.INTAKE_DAYS
        working = (rule.params or {}).get("count", "working_days") != "calendar_days"
        back = Subquery(
            CorrectionNotice.objects.filter(
                case_id=OuterRef("case_id"), round__lt=OuterRef("round")
            )
            .order_by("-round")
            .values("supplied_at")[:1]
        )
        # N working days are at least N calendar days, so SQL keeps only the notices
        # issued more than N days after receipt; the exact test follows below.
        qs = CorrectionNotice.objects.order_by().filter(
            issued_at__gt=_days_after("case__received_at", n)
        )
        if not ctx.full:
            qs = qs.filter(case_id__in=ctx.changed_case_ids)
        qs = (
            qs.exclude(_already_raised(rule, case="case_id", subject="pk"))
            .annotate(_resp=_person("issued_by_id", "case__received_by_id"))
            .annotate(_back=back)
        )
        rows = qs.values_list(
            "case_id",
            "case__hall_id",
            "case__department_id",
            "_resp",
            "pk",
            "round",
            "case__received_at",
            "issued_at",
            "_back",
        )
        for case_id, hall_id, dept_id, resp, pk, rnd, received_at, issued_at, back in rows:
            start = ctx.local_day(back or received_at)
            issued = ctx.local_day(issued_at)
            if working:
                deadline = ctx.add_working_days(start, n)
            else:
                deadline = start + timedelta(days=n)
            if issued <= deadline:
                continue
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                resp,
                subject_id=pk,
                detail={
                    "received": start.isoformat(),
                    "issued": issued.isoformat(),
                    "deadline": deadline.isoformat(),
                    "round": rnd,
                },
            )

    def describe(self, detail):
        return _(
            "Correction notice issued on %(issued)s for papers received on %(received)s (due by %(deadline)s)."
        ) % {
            "issued": detail.get("issued", "?"),
            "received": detail.get("received", "?"),
            "deadline": detail.get("deadline", "?"),
        }


class FeeMismatch(Check):
    """A fee charged that differs from the published standard under the conditions the
    window recorded for the case.

    The window records every fee line of the case's item version with the conditions that
    apply (waived, reduced, extra copies; `cases.CaseFeeLine`, priced by `cases.fees`):
    the standard is the sum of those lines. A charge written without lines (by a bulk path)
    is compared with the standard as published, no condition applied. A line without a
    fixed amount (a per-unit standard) cannot be checked and the case is skipped. The
    threshold is a tolerance in yuan.
    """

    code = "fee_mismatch"
    threshold_label = gettext_lazy("Tolerance in yuan")
    default_level = "red"

    def breaches(self, rule, ctx):
        tolerance = Decimal(rule.threshold or 0) + Decimal("0.005")
        money = DecimalField(max_digits=14, decimal_places=2)
        lines = CaseFeeLine.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
        fees = (
            Fee.objects.filter(version_id=OuterRef("item_version_id"))
            .order_by()
            .values("version_id")
        )
        standard = Coalesce(
            Subquery(lines.annotate(s=Sum("due")).values("s")[:1]),
            Subquery(fees.annotate(s=Sum("amount")).values("s")[:1]),
            Value(Decimal("0")),
            output_field=money,
        )
        recorded = Exists(CaseFeeLine.objects.filter(case_id=OuterRef("pk")))
        unpriced_line = Exists(CaseFeeLine.objects.filter(case_id=OuterRef("pk"), due__isnull=True))
        unpriced_fee = Exists(
            Fee.objects.filter(version_id=OuterRef("item_version_id"), amount__isnull=True)
        )
        qs = (
            Case.objects.order_by()
            .filter(fee_charged__isnull=False)
            .exclude(unpriced_line)
            .exclude(~recorded & unpriced_fee)
        )
        if not ctx.full:
            qs = qs.filter(pk__in=ctx.changed_case_ids)
        qs = qs.annotate(
            _standard=standard,
            _diff=ExpressionWrapper(Abs(F("fee_charged") - F("_standard")), output_field=money),
        ).filter(_diff__gt=tolerance)
        qs = qs.exclude(_already_raised(rule)).annotate(
            _resp=_person(_last_actor(CaseEvent.Kind.FEE_CHARGED), "received_by_id")
        )
        for pk, hall_id, dept_id, resp, charged, std in qs.values_list(
            "pk", "hall_id", "department_id", "_resp", "fee_charged", "_standard"
        ):
            yield Breach(
                pk,
                hall_id,
                dept_id,
                resp,
                detail={"charged": f"{Decimal(charged):.2f}", "standard": f"{Decimal(std):.2f}"},
            )

    def describe(self, detail):
        return _(
            "Charged %(charged)s yuan; under the recorded conditions the published standard "
            "is %(standard)s yuan."
        ) % {
            "charged": detail.get("charged", "?"),
            "standard": detail.get("standard", "?"),
        }


class SuspensionTooLong(Check):
    """A suspension (B-type special procedure) longer than its allowed working days."""

    code = "suspension_too_long"
    threshold_label = gettext_lazy("Working days of grace beyond the allowed length")
    default_level = "red"

    def breaches(self, rule, ctx):
        grace = rule.threshold or 0
        qs = Suspension.objects.order_by().filter(max_days__isnull=False)
        if not ctx.full:
            # A running suspension grows longer without any change to the case.
            qs = qs.filter(Q(resumed_on__isnull=True) | Q(case_id__in=ctx.changed_case_ids))
        qs = qs.exclude(_already_raised(rule, case="case_id", subject="pk")).annotate(
            _resp=_person("started_by_id", "case__current_assignee_id")
        )
        rows = qs.values_list(
            "case_id",
            "case__hall_id",
            "case__department_id",
            "_resp",
            "pk",
            "kind",
            "started_on",
            "resumed_on",
            "max_days",
        )
        for case_id, hall_id, dept_id, resp, pk, kind, started, resumed, max_days in rows:
            end = resumed or ctx.today
            days = ctx.working_days(started, end)
            if days <= max_days + grace:
                continue
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                resp,
                subject_id=pk,
                detail={
                    "kind": kind,
                    "started_on": started.isoformat(),
                    "resumed_on": _day(resumed),
                    "days": days,
                    "max_days": max_days,
                },
            )

    def describe(self, detail):
        return _("Suspended since %(start)s for %(days)s working day(s); %(max)s allowed.") % {
            "start": detail.get("started_on", "?"),
            "days": detail.get("days", "?"),
            "max": detail.get("max_days", "?"),
        }


class ExtensionWithoutApprover(Check):
    """An A-type extension without an approver (or approved by the person who asked for it)."""

    code = "extension_without_approver"
    default_level = "red"

    def breaches(self, rule, ctx):
        missing = Q(approver__isnull=True)
        if (rule.params or {}).get("self_approval_counts", True):
            missing |= Q(approver_id=F("requested_by_id"))
        # Extensions reported by a department system were approved there.
        qs = Extension.objects.order_by().filter(missing, status=Extension.Status.APPROVED)
        qs = qs.exclude(case__source=Case.Source.EXCHANGE)
        if not ctx.full:
            qs = qs.filter(case_id__in=ctx.changed_case_ids)
        qs = qs.exclude(_already_raised(rule, case="case_id", subject="pk")).annotate(
            _resp=_person("requested_by_id", "case__current_assignee_id")
        )
        rows = qs.values_list(
            "case_id",
            "case__hall_id",
            "case__department_id",
            "_resp",
            "pk",
            "days",
            "at",
            "approver_id",
        )
        for case_id, hall_id, dept_id, resp, pk, days, at, approver in rows:
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                resp,
                subject_id=pk,
                detail={"days": days, "on": _day(at), "self_approved": approver is not None},
            )

    def describe(self, detail):
        if detail.get("self_approved"):
            text = _(
                "Extension of %(days)s working day(s) on %(on)s approved by the person who asked for it."
            )
        else:
            text = _("Extension of %(days)s working day(s) on %(on)s without an approver.")
        return text % {"days": detail.get("days", "?"), "on": detail.get("on", "?")}


class ExtensionAfterLegalDue(Check):
    """An A-type extension that took effect after the legal due date had passed (行政许可法
    art. 42: the extension is decided within the limit). The services refuse one; this
    looks for rows written by another path.

    Read from the `extended` events: each records the days and the legal due date after
    the extension, so the date before it is the `days`-th working day before that one
    (adding working days to a working day can be undone). It was late when the approval
    day A lies after that date, i.e. when at most `days` working days lie in [A, new date].
    """

    code = "extension_after_legal_due"
    default_level = "red"

    def breaches(self, rule, ctx):
        qs = CaseEvent.objects.order_by().filter(kind=CaseEvent.Kind.EXTENDED)
        if not ctx.full:
            qs = qs.filter(case_id__in=ctx.changed_case_ids)
        qs = qs.exclude(_already_raised(rule, case="case_id", subject="pk")).annotate(
            _resp=_person("actor_id", "case__current_assignee_id")
        )
        rows = qs.values_list(
            "case_id", "case__hall_id", "case__department_id", "_resp", "pk", "at", "data"
        )
        for case_id, hall_id, dept_id, resp, pk, at, data in rows:
            data = data or {}
            try:
                days = int(data["days"])
                after = date.fromisoformat(data["legal_due_date"])
            except (KeyError, TypeError, ValueError):
                continue  # an event without the figures cannot be judged
            approved = ctx.local_day(at)
            if days < 1 or ctx.working_days(approved - ONE_DAY, after) > days:
                continue
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                data.get("approver_id") or resp,
                subject_id=pk,
                detail={
                    "days": days,
                    "on": approved.isoformat(),
                    "legal_due": ctx.subtract_working_days(after, days).isoformat(),
                },
            )

    def describe(self, detail):
        return _(
            "Extension of %(days)s working day(s) approved on %(on)s, after the legal due date %(due)s."
        ) % {
            "days": detail.get("days", "?"),
            "on": detail.get("on", "?"),
            "due": detail.get("legal_due", "?"),
        }


class _Delivery(Check):
    """The result handed over within N working days of the decision (送达, 行政许可法
    art. 44)."""

    threshold_label = gettext_lazy("Working days after the decision allowed")
    default_level = "red"

    def deadline(self, rule, ctx, concluded_at) -> date:
        n = rule.threshold if rule.threshold is not None else 10
        return ctx.add_working_days(ctx.local_day(concluded_at), n)

    def describe(self, detail):
        if detail.get("delivered"):
            text = _("Decided on %(concluded)s, delivered on %(delivered)s (due by %(due)s).")
        else:
            text = _("Decided on %(concluded)s and not delivered by %(due)s.")
        return text % {
            "concluded": detail.get("concluded", "?"),
            "delivered": detail.get("delivered", "?"),
            "due": detail.get("due", "?"),
        }


class LateDelivery(_Delivery):
    """A result delivered later than N working days after the decision."""

    code = "late_delivery"

    def breaches(self, rule, ctx):
        n = rule.threshold if rule.threshold is not None else 10
        qs = Case.objects.order_by().filter(
            status=Case.Status.DELIVERED,
            concluded_at__isnull=False,
            delivered_at__gt=_days_after("concluded_at", n),
        )
        if not ctx.full:
            qs = qs.filter(pk__in=ctx.changed_case_ids)
        qs = qs.exclude(_already_raised(rule)).annotate(
            _resp=_person(_last_actor(CaseEvent.Kind.DELIVERED), "received_by_id")
        )
        for pk, hall_id, dept_id, resp, concluded, delivered in qs.values_list(
            "pk", "hall_id", "department_id", "_resp", "concluded_at", "delivered_at"
        ):
            due = self.deadline(rule, ctx, concluded)
            if ctx.local_day(delivered) <= due:
                continue
            detail = {
                "concluded": ctx.local_day(concluded).isoformat(),
                "delivered": ctx.local_day(delivered).isoformat(),
                "due": due.isoformat(),
            }
            yield Breach(pk, hall_id, dept_id, resp, due_date=due, detail=detail)


class NotDelivered(_Delivery):
    """A decided case whose result was still not delivered N working days after the
    decision. The case changes nothing while it waits, so every scan looks at them all."""

    code = "not_delivered"

    def breaches(self, rule, ctx):
        n = rule.threshold if rule.threshold is not None else 10
        qs = Case.objects.order_by().filter(
            status=Case.Status.CONCLUDED,
            concluded_at__lt=ctx.now - timedelta(days=n),
        )
        qs = qs.exclude(_already_raised(rule)).annotate(
            _resp=_person("current_assignee_id", "received_by_id")
        )
        for pk, hall_id, dept_id, resp, concluded in qs.values_list(
            "pk", "hall_id", "department_id", "_resp", "concluded_at"
        ):
            due = self.deadline(rule, ctx, concluded)
            if ctx.today <= due:
                continue
            detail = {"concluded": ctx.local_day(concluded).isoformat(), "due": due.isoformat()}
            yield Breach(pk, hall_id, dept_id, resp, due_date=due, detail=detail)


class ConcludedWithoutAcceptance(Check):
    """A case concluded (or delivered) that was never accepted: the clock never ran."""

    code = "concluded_without_acceptance"
    default_level = "red"

    def breaches(self, rule, ctx):
        qs = Case.objects.order_by().filter(
            status__in=(Case.Status.CONCLUDED, Case.Status.DELIVERED), accepted_at__isnull=True
        )
        if not ctx.full:
            qs = qs.filter(pk__in=ctx.changed_case_ids)
        qs = qs.exclude(_already_raised(rule)).annotate(
            _resp=_person(
                _last_actor(CaseEvent.Kind.CONCLUDED), "current_assignee_id", "received_by_id"
            )
        )
        for pk, hall_id, dept_id, resp, concluded in qs.values_list(
            "pk", "hall_id", "department_id", "_resp", "concluded_at"
        ):
            yield Breach(pk, hall_id, dept_id, resp, detail={"concluded": _day(concluded)})

    def describe(self, detail):
        return _("Concluded on %(date)s without having been accepted.") % {
            "date": detail.get("concluded") or "?"
        }


CHECKS: dict[str, Check] = {
    check.code: check
    for check in (
        StepDueSoon(),
        CaseDueSoon(),
        CaseOverdue(),
        StepOverdue(),
        LegalOverdue(),
        RefusalWithoutReason(),
        IntakeOverdue(),
        LateCorrectionNotice(),
        FeeMismatch(),
        SuspensionTooLong(),
        ExtensionWithoutApprover(),
        ExtensionAfterLegalDue(),
        LateDelivery(),
        NotDelivered(),
        ConcludedWithoutAcceptance(),
    )
}
