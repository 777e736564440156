from datetime import date

from ninja import Router, Schema
from ninja.errors import HttpError

from .services import covered_years, get_calendar

router = Router()


class DayOut(Schema):
    date: date
    provisional: bool
    missing_years: list[int]


@router.get("/add", response=DayOut, summary="The N-th working day after START")
def add(request, start: date, n: int):
    if n < 0:
        raise HttpError(400, "n must be zero or positive")
    result = get_calendar().add_working_days(start, n)
    return {
        "date": result.value,
        "provisional": result.provisional,
        "missing_years": sorted(result.missing_years),
    }


@router.get("/years", response=list[int], summary="Years with official holiday data")
def years(request):
    return covered_years()
