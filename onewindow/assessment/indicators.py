"""The automatic indicators: a registry of functions (hall, year) -> score out of 100,
each with the raw figures it came from as evidence.

A scheme's automatic indicator names one of these by its code (`Indicator.source`).
Other apps' figures are registered the same way (`register`), so that an indicator the
scheme uses is always one that counts real data. A rate with nothing to count (no
ratings, no decided cases) scores full marks: there is nothing to fault, and the
evidence says 0 of 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.complaints.models import Complaint
from onewindow.conduct.models import ConductRecord
from onewindow.followups.models import FollowUp
from onewindow.meetings.models import Decision
from onewindow.meetings.services import overdue_decisions
from onewindow.ratings.models import BAD_LEVELS, Rating
from onewindow.reports.services import submission_record
from onewindow.supervision.models import Alert, Level
from onewindow.training.services import qualified_share

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    """A score out of 100 and the figures it was computed from (plain JSON values)."""

    score: Decimal
    evidence: dict


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    rule: str
    function: Callable[..., Measure]


REGISTRY: dict[str, Source] = {}


def register(code: str, label, rule):
    """Register `function(hall, year) -> Measure` as the automatic indicator `code`."""

    def decorator(function):
        REGISTRY[code] = Source(code, label, rule, function)
        return function

    return decorator


def measure(code: str, hall, year: int) -> Measure:
    return REGISTRY[code].function(hall, year)


def choices() -> list[tuple[str, str]]:
    return [(code, str(s.label)) for code, s in sorted(REGISTRY.items())]


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year in local time (Asia/Shanghai), as aware datetimes [start, end)."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _clip(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value)).quantize(CENT, ROUND_HALF_UP)


def rate(num: int, den: int, **more) -> Measure:
    """A share as the score: num/den × 100 (full marks with nothing to count)."""
    score = HUNDRED if not den else HUNDRED * num / den
    return Measure(_clip(score), {"num": num, "den": den, **more})


def per_occurrence(count: int, points: int, **more) -> Measure:
    """100 less `points` for each occurrence, not below 0."""
    return Measure(_clip(HUNDRED - points * count), {"count": count, "points_each": points, **more})


# --------------------------------------------------------------------- the indicators


def _decided(hall, year):
    start, end = year_bounds(year)
    return Case.objects.filter(hall=hall, concluded_at__gte=start, concluded_at__lt=end).exclude(
        outcome_promised=""
    )


@register(
    "cases_in_time",
    _("Decisions in time against the promised date"),
    _("Share of the year's decisions made by the promised date (early or on time)."),
)
def cases_in_time(hall, year) -> Measure:
    c = _decided(hall, year).aggregate(
        den=Count("id"),
        num=Count("id", filter=Q(outcome_promised__in=[Case.Outcome.EARLY, Case.Outcome.ON_TIME])),
    )
    return rate(c["num"], c["den"])


@register(
    "cases_within_legal",
    _("Decisions within the legal time limit"),
    _("Share of the year's decisions not overdue against the legal date."),
)
def cases_within_legal(hall, year) -> Measure:
    c = _decided(hall, year).aggregate(
        den=Count("id"), overdue=Count("id", filter=Q(outcome_legal=Case.Outcome.OVERDUE))
    )
    return rate(c["den"] - c["overdue"], c["den"], overdue=c["overdue"])


@register(
    "satisfaction",
    _("Satisfaction of the ratings"),
    _("Share of the year's ratings that are not bad (dissatisfied or very dissatisfied)."),
)
def satisfaction(hall, year) -> Measure:
    start, end = year_bounds(year)
    c = Rating.objects.filter(hall=hall, rated_at__gte=start, rated_at__lt=end).aggregate(
        den=Count("id"), bad=Count("id", filter=Q(level__in=[int(x) for x in BAD_LEVELS]))
    )
    return rate(c["den"] - c["bad"], c["den"], bad=c["bad"])


@register(
    "followups_in_time",
    _("Bad-rating follow-ups in time"),
    _(
        "Share of the year's follow-ups called back by their date and not fixed late; one "
        "still waiting for its call back before its date is not counted yet."
    ),
)
def followups_in_time(hall, year) -> Measure:
    start, end = year_bounds(year)
    today = timezone.localdate()
    rows = (
        FollowUp.objects.filter(hall=hall, opened_at__gte=start, opened_at__lt=end)
        .exclude(state=FollowUp.State.OPEN, callback_due__gte=today)
        .values_list("called_back_at", "callback_due", "outcome")
    )
    den = num = 0
    for called_back_at, due, outcome in rows:
        den += 1
        if (
            called_back_at is not None
            and timezone.localdate(called_back_at) <= due
            and outcome != FollowUp.Outcome.FIXED_LATE
        ):
            num += 1
    return rate(num, den)


@register(
    "complaints_in_time",
    _("Complaints answered in time"),
    _(
        "Share of the year's complaints answered by their answer date; one not answered "
        "and not yet due is not counted yet."
    ),
)
def complaints_in_time(hall, year) -> Measure:
    start, end = year_bounds(year)
    today = timezone.localdate()
    rows = (
        Complaint.objects.filter(hall=hall, registered_at__gte=start, registered_at__lt=end)
        .exclude(answered_at__isnull=True, answer_due__gte=today)
        .values_list("answered_at", "answer_due")
    )
    den = num = 0
    for answered_at, due in rows:
        den += 1
        if answered_at is not None and timezone.localdate(answered_at) <= due:
            num += 1
    return rate(num, den)


@register(
    "valid_complaints",
    _("Complaints found valid"),
    _("5 points off for each complaint of the year found valid or partly valid."),
)
def valid_complaints(hall, year) -> Measure:
    start, end = year_bounds(year)
    count = Complaint.objects.filter(
        hall=hall,
        registered_at__gte=start,
        registered_at__lt=end,
        finding__in=[Complaint.Finding.VALID, Complaint.Finding.PARTLY_VALID],
    ).count()
    return per_occurrence(count, 5)


@register(
    "conduct_records",
    _("Conduct records"),
    _("10 points off for each entry of the year on the conduct files of the hall's staff."),
)
def conduct_records(hall, year) -> Measure:
    count = ConductRecord.objects.filter(hall=hall, date__year=year).count()
    return per_occurrence(count, 10)


@register(
    "fee_anomalies",
    _("Fee anomalies"),
    _("10 points off for each fee charged otherwise than published (e-supervision alert)."),
)
def fee_anomalies(hall, year) -> Measure:
    start, end = year_bounds(year)
    count = Alert.objects.filter(
        hall=hall, raised_at__gte=start, raised_at__lt=end, rule__code="fee_mismatch"
    ).count()
    return per_occurrence(count, 10)


@register(
    "cards",
    _("Yellow and red cards"),
    _(
        "Per 1,000 decisions of the year: 10 points off for each yellow card, 20 for each "
        "red card (e-supervision)."
    ),
)
def cards(hall, year) -> Measure:
    start, end = year_bounds(year)
    c = Alert.objects.filter(hall=hall, raised_at__gte=start, raised_at__lt=end).aggregate(
        yellow=Count("id", filter=Q(level=Level.YELLOW)),
        red=Count("id", filter=Q(level=Level.RED)),
    )
    decided = _decided(hall, year).count()
    weight = c["yellow"] + 2 * c["red"]
    off = Decimal(0) if not weight else Decimal(10 * weight * 1000) / max(decided, 1)
    return Measure(
        _clip(HUNDRED - off), {"yellow": c["yellow"], "red": c["red"], "decided": decided}
    )


@register(
    "meeting_decisions",
    _("Joint meeting decisions carried out"),
    _(
        "10 points off for each decision of the joint meeting owned by the hall and due in "
        "the year that is still open after its date or was reported done after it."
    ),
)
def meeting_decisions(hall, year) -> Measure:
    late = overdue_decisions(hall, year).count()
    due = Decision.objects.filter(owner_hall=hall, due_on__year=year).count()
    return per_occurrence(late, 10, due=due)


@register(
    "training",
    _("Window staff qualified"),
    _(
        "The share of the hall's window clerks qualified to serve at a window at the end of "
        "the year (training hours and the qualifying exam, see the training rule)."
    ),
)
def training(hall, year) -> Measure:
    share = qualified_share(hall, year)
    return rate(share.qualified, share.staff)


@register(
    "monthly_reports",
    _("Monthly reports handed in on time"),
    _(
        "The mean score of the year's monthly reports: 100 handed in by the due working day, "
        "10 points off per working day late, 0 when the due day passed without one."
    ),
)
def monthly_reports(hall, year) -> Measure:
    record = submission_record(hall, year)
    score = HUNDRED if record["score"] is None else Decimal(str(record["score"]))
    evidence = {key: record[key] for key in ("on_time", "late", "missing")}
    return Measure(_clip(score), evidence)
