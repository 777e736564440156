import calendar as pycal
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required

from . import services
from .forms import CalendarCsvForm
from .models import CalendarDay, CalendarYear


@login_required
def year_list(request):
    years = CalendarYear.objects.order_by("-year")
    missing = services.missing_upcoming_years()
    result = None
    start, n = request.GET.get("start"), request.GET.get("n")
    if start and n:
        try:
            start_date, count = date.fromisoformat(start), int(n)
            if count < 0:
                raise ValueError
            result = services.get_calendar().add_working_days(start_date, count)
        except ValueError:
            messages.error(
                request, _("Enter a date as YYYY-MM-DD and a whole number of working days.")
            )
    return render(
        request,
        "workdays/year_list.html",
        {"years": years, "missing": missing, "result": result, "start": start or "", "n": n or ""},
    )


@login_required
def year_detail(request, year: int):
    cal_year = CalendarYear.objects.filter(year=year).first()
    if cal_year is None and year not in services.missing_upcoming_years():
        raise Http404
    days = {d.day: d for d in CalendarDay.objects.filter(day__year=year)}
    cal = services.get_calendar()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    None
                    if d.month != month
                    else {
                        "date": d,
                        "entry": days.get(d),
                        "working": cal.is_working_day(d),
                        "weekend": d.weekday() >= 5,
                    }
                    for d in week
                ]
            )
        months.append({"month": month, "first": date(year, month, 1), "weeks": weeks})
    return render(
        request,
        "workdays/year_detail.html",
        {
            "year": year,
            "cal_year": cal_year,
            "months": months,
            "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
            "entries": sorted(days.values(), key=lambda e: e.day),
        },
    )


@permission_required("workdays.manage_calendar")
def year_import(request):
    form = CalendarCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        years = services.import_csv(
            actor=request.user,
            text=form.cleaned_data["csv_text"],
            notice=form.cleaned_data["notice"],
            request=request,
        )
        messages.success(
            request,
            _("Calendar saved for %(years)s.") % {"years": ", ".join(str(y.year) for y in years)},
        )
        return redirect("workdays:year", year=years[0].year)
    next_year = timezone.localdate().year + 1
    return render(request, "workdays/year_import.html", {"form": form, "next_year": next_year})
