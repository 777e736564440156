"""The floor statistics API (mounted at /api/v1/floorstats): the figures and the staffing
estimate of the halls one sees (`floorstats.view_floor_stats`), and the live wait per
line (public, as on /floor-wait/). Another hall's code is answered as an unknown one."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from onewindow.cases.api import api_language
from onewindow.core.api_errors import ErrorOut
from onewindow.core.scoping import visible_hall_ids
from onewindow.floor.models import QueueCategory
from onewindow.halls.models import Hall

from . import statistics
from .forms import MAX_DAYS
from .statistics import Period, Scope
from .views import VIEW

router = Router()

ERRORS = {s: ErrorOut for s in (400, 401, 403, 404, 422)}


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        self.status, self.code, self.message, self.errors = status, code, message, errors or {}


class DurationsOut(Schema):
    count: int
    mean: float | None = Field(description="minutes")
    p90: float | None = Field(description="minutes, 90th percentile")


class FiguresOut(Schema):
    issued: int
    called: int
    served: int
    no_shows: int
    no_show_rate: float | None = Field(description="% of called tickets")
    waiting: DurationsOut
    service: DurationsOut
    stay: DurationsOut
    immediate_stay: DurationsOut


class HallFloorFiguresOut(FiguresOut):
    hall: str


class LineFiguresOut(FiguresOut):
    hall: str
    category: str
    name: str


class ItemFiguresOut(FiguresOut):
    item: str
    name: str


class WindowOut(Schema):
    hall: str
    window: int
    hours: float
    served: int
    per_hour: float | None
    serving: float | None = Field(description="% of the signed-in time")
    paused: float | None
    idle: float | None


class StatisticsOut(Schema):
    first: dt.date
    last: dt.date
    total: FiguresOut
    halls: list[HallFloorFiguresOut]
    lines: list[LineFiguresOut]
    items: list[ItemFiguresOut]
    windows: list[WindowOut]
    arrivals: list[list[int]] = Field(description="7 weekdays (Monday first) × 24 hours")


class StaffingLineOut(Schema):
    category: str
    arrivals: float = Field(description="tickets per hour")
    load: float = Field(description="erlangs")
    service: float = Field(description="mean minutes")
    needed: int | None
    p_wait: float | None = Field(description="% waiting longer than the target")


class StaffingHourOut(Schema):
    hour: int
    needed: int
    open_windows: float | None
    lines: list[StaffingLineOut]


class StaffingOut(Schema):
    hall: str
    first: dt.date
    last: dt.date
    days: int
    target: int
    share: float
    hours: list[StaffingHourOut]


class LiveLineOut(Schema):
    letter: str
    name: str
    name_en: str
    waiting: int
    windows: int
    minutes: int


class LiveHallOut(Schema):
    code: str
    name: str
    name_en: str
    lines: list[LiveLineOut]


class LiveOut(Schema):
    at: dt.datetime
    halls: list[LiveHallOut]


HallCode = Field(None, min_length=1, max_length=6, pattern="^[A-Za-z0-9]+$")


class StatisticsFilters(Schema):
    hall: str | None = HallCode
    category: str | None = Field(
        None, pattern="^[A-Za-z]$", description="a line's letter (with hall)"
    )
    start: dt.date | None = None
    end: dt.date | None = None


class StaffingFilters(Schema):
    hall: str = Field(min_length=1, max_length=6, pattern="^[A-Za-z0-9]+$")
    start: dt.date | None = None
    end: dt.date | None = None
    target: int = Field(15, ge=1, le=240, description="target wait in minutes")


def answers(view):
    """Answer in the client's language; refusals in the API's one error format."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(api_language(request)):
            try:
                if not request.user.has_perm(VIEW):
                    raise Refused(403, "forbidden", _("You may not see the floor statistics."))
                return view(request, *args, **kwargs)
            except Refused as exc:
                body = {"code": exc.code, "message": exc.message, "errors": exc.errors}
                return Status(exc.status, body)

    return wrapper


def _hall(user, code: str) -> Hall:
    hall = Hall.objects.visible_to(user).filter(code=code.upper()).first()
    if hall is None:
        raise Refused(404, "not_found", _("There is no such hall, or it is not one of yours."))
    return hall


def _period(start: dt.date | None, end: dt.date | None) -> Period:
    default = Period.default()
    if start and end and end < start:
        raise Refused(400, "invalid", _("The last day comes before the first."),
                      {"end": _("The last day comes before the first.")})  # fmt: skip
    if not (start or end):
        return default
    end = end or min(start + dt.timedelta(days=27), default.last)
    start = start or end - dt.timedelta(days=27)
    if (end - start).days + 1 > MAX_DAYS:
        message = _("Choose at most %(n)d days.") % {"n": MAX_DAYS}
        raise Refused(400, "invalid", message, {"start": message})
    return Period(start, end)


def _figures(row: dict, **names) -> dict:
    return {**{k: v for k, v in row.items() if k not in ("hall", "line", "item")}, **names}


@router.get("/statistics", response={200: StatisticsOut, **ERRORS})
@answers
def get_statistics(request, filters: Query[StatisticsFilters]):
    """Waiting, service and stay times (mean and 90th percentile, minutes), no-shows, per
    hall, line and item; the windows' busy shares; arrivals by weekday and hour."""
    hall = _hall(request.user, filters.hall) if filters.hall else None
    line = None
    if filters.category:
        if hall is None:
            raise Refused(400, "invalid", _("Name the hall of the line."),
                          {"hall": _("Name the hall of the line.")})  # fmt: skip
        line = QueueCategory.objects.filter(hall=hall, letter=filters.category.upper()).first()
        if line is None:
            raise Refused(400, "invalid", _("This line is not one of the hall's."),
                          {"category": _("This line is not one of the hall's.")})  # fmt: skip
    period = _period(filters.start, filters.end)
    scope = Scope(period=period, hall_ids=visible_hall_ids(request.user), hall=hall,
                  category=line)  # fmt: skip
    figures = statistics.ticket_figures(scope)
    windows = statistics.window_figures(scope) if line is None else []
    return {
        "first": period.first,
        "last": period.last,
        "total": figures["total"],
        "halls": [_figures(r, hall=r["hall"].code) for r in figures["halls"]],
        "lines": [
            _figures(r, hall=r["line"].hall.code, category=r["line"].letter, name=r["line"].name)
            for r in figures["lines"]
        ],  # fmt: skip
        "items": [
            _figures(r, item=r["item"].implementation_code, name=statistics.item_name(r["item"]))
            for r in figures["items"]
        ],  # fmt: skip
        "windows": [
            {
                **{k: v for k, v in w.items() if k != "window"},
                "hall": w["window"].hall.code,
                "window": w["window"].number,
            }
            for w in windows
        ],  # fmt: skip
        "arrivals": statistics.arrivals_heatmap(scope),
    }


@router.get("/staffing", response={200: StaffingOut, **ERRORS})
@answers
def get_staffing(request, filters: Query[StaffingFilters]):
    """Per hour of the day, the windows each line needs (Erlang C) so that at most 10 %
    wait longer than `target` minutes, beside the windows open on average."""
    hall = _hall(request.user, filters.hall)
    period = _period(filters.start, filters.end)
    result = statistics.staffing(hall, period, filters.target)
    return {
        "hall": hall.code,
        "first": period.first,
        "last": period.last,
        "days": result["days"],
        "target": filters.target,
        "share": result["share"],
        "hours": [
            {"hour": row.hour, "needed": row.needed, "open_windows": row.open_windows,
             "lines": [{**{k: v for k, v in c.items() if k != "line"},
                        "category": c["line"].letter} for c in row.lines]}
            for row in result["rows"]
        ],
    }  # fmt: skip


@router.get("/live", response={200: LiveOut}, auth=None)
def get_live(request):
    """People waiting and the estimated wait per open line of every hall, now (public;
    cached a few seconds)."""
    return statistics.live_wait()
