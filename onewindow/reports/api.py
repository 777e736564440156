"""Open data (办事公开) over the API: the published monthly figures per hall, as JSON or
CSV. No sign-in; only published reports, and of them only the figures."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse
from django.utils import translation
from ninja import Router, Schema, Status

from onewindow.cases.api import api_language
from onewindow.core.api_errors import ErrorOut, error

from . import services
from .services import ReportError

router = Router()


class RateOut(Schema):
    value: float | None
    num: int
    den: int


class HallFiguresOut(Schema):
    hall: str
    hall_name: str
    published_at: dt.datetime | None
    counts: dict[str, int]
    rates: dict[str, RateOut]


class MonthlyOut(Schema):
    month: str
    halls: list[HallFiguresOut]


def _csv(month: dt.date, rows: list[dict]) -> HttpResponse:
    """One line per hall: the month, the hall, every count, and each rate's value,
    numerator and denominator (columns named by their keys)."""
    out = io.StringIO()
    writer = csv.writer(out)
    rates = list(services.OPEN_RATES)
    writer.writerow(
        ["month", "hall", "hall_name", *services.OPEN_COUNTS]
        + [name for r in rates for name in (r, "_".join((r, "num")), "_".join((r, "den")))]
    )
    for row in rows:
        line = [row["month"], row["hall"], row["hall_name"]]
        line += [row["counts"][c] for c in services.OPEN_COUNTS]
        for r in rates:
            rate = row["rates"].get(r, {"value": None, "num": "", "den": ""})
            line += ["" if rate["value"] is None else rate["value"], rate["num"], rate["den"]]
        writer.writerow(line)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="monthly-{month:%Y-%m}.csv"'
    return response


@router.get(
    "/monthly",
    response={200: MonthlyOut, 422: ErrorOut},
    auth=None,
    url_name="monthly_stats",
    summary="Published monthly figures per hall (open data)",
    description="month=YYYY-MM (a month that is over). Only the halls whose report of the "
    "month the centre has published. `format=csv` (or `Accept: text/csv`) answers CSV.",
)
def monthly(request, month: str, format: str = "json"):  # noqa: A002  (the public name)
    with translation.override(api_language(request)):
        try:
            if format not in ("json", "csv"):
                raise ReportError(translation.gettext("Choose the format json or csv."))
            asked = services.parse_open_month(month)
        except ReportError as exc:
            return Status(422, error(422, str(exc)))
    rows = services.open_rows(asked)
    if format == "csv" or "text/csv" in request.headers.get("Accept", ""):
        return _csv(asked, rows)
    return Status(200, {"month": f"{asked:%Y-%m}", "halls": rows})
