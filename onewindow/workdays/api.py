from datetime import date
from typing import Annotated

from ninja import Field, Router, Schema

from onewindow.core.api_errors import ErrorOut

from .services import covered_years, get_calendar

router = Router()

# The days the calendar answers for, and the longest count it makes: wide enough for any
# legal time limit, narrow enough that no request makes it work out centuries of holidays.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_WORKING_DAYS = 1000


class DayOut(Schema):
    date: date
    provisional: bool
    missing_years: list[int]


@router.get(
    "/add",
    response={200: DayOut, 401: ErrorOut, 422: ErrorOut},
    summary="The N-th working day after START",
)
def add(
    request,
    start: Annotated[
        date, Field(ge=FIRST_DAY, le=LAST_DAY, description="2000-01-01 to 2099-12-31")
    ],
    n: Annotated[int, Field(ge=0, le=MAX_WORKING_DAYS)],
):
    result = get_calendar().add_working_days(start, n)
    return {
        "date": result.value,
        "provisional": result.provisional,
        "missing_years": sorted(result.missing_years),
    }


@router.get(
    "/years",
    response={200: list[int], 401: ErrorOut},
    summary="Years with official holiday data",
)
def years(request):
    return covered_years()
