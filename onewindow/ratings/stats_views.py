"""Staff pages of satisfaction (满意度): by hall, then a hall's windows and staff, each with
its monthly trend. Figures from `statistics`; halls through `visible_to`, so hall staff
see their own halls only and another hall is a 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from onewindow.core.scoping import visible_hall_ids
from onewindow.halls.models import Hall, Window

from . import statistics
from .models import Level, Rating
from .statistics import Figures, MonthRange

MAX_MONTHS = 60


def can_view_satisfaction(user) -> bool:
    """The centre and the supervision office (every hall) and hall managers (their own
    halls): those who answer for the service, as for the supervision desk."""
    return user.is_authenticated and (user.sees_all_halls or user.has_perm("halls.manage_halls"))


def satisfaction_required(view):
    """Signed-in users who may see the figures; others get 403 (never a login loop)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_view_satisfaction(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class MonthInput(forms.TextInput):
    input_type = "month"


class PeriodForm(forms.Form):
    """A range of whole months (YYYY-MM); the last twelve months when empty or invalid."""

    start = forms.CharField(label=gettext_lazy("From month"), required=False, widget=MonthInput)
    end = forms.CharField(label=gettext_lazy("To month"), required=False, widget=MonthInput)

    def __init__(self, data=None, *, today: dt.date | None = None):
        super().__init__(data)
        self.today = today
        self.default = MonthRange.default(today)

    def _clean_month(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name) or ""
        if not value.strip():
            return None
        month = statistics.parse_month(value)
        if month is None:
            raise forms.ValidationError(
                _("Enter a month as year and month, e.g. 2025-03."), code="invalid"
            )
        return month

    def clean_start(self):
        return self._clean_month("start")

    def clean_end(self):
        return self._clean_month("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start and end and end < start:
            raise forms.ValidationError(_("The last month comes before the first."), code="order")
        if start or end:
            end = end or (
                min(statistics.add_months(start, 11), self.default.last)
                if start <= self.default.last
                else start
            )
            start = start or statistics.add_months(end, -11)
            span = (end.year - start.year) * 12 + end.month - start.month + 1
            if span > MAX_MONTHS:
                raise forms.ValidationError(
                    _("Choose at most %(n)d months.") % {"n": MAX_MONTHS}, code="span"
                )
            data["period"] = MonthRange(start, end)
        return data

    def period(self) -> MonthRange:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("period"):
            return self.cleaned_data["period"]
        return self.default


def _scope(user) -> tuple:
    ids = visible_hall_ids(user)
    return ("all",) if ids is None else tuple(sorted(ids))


def _month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def level_labels() -> list[str]:
    return [str(Level(level).label) for level in statistics.LEVELS]


def trend_chart(period: MonthRange, series: list[tuple[str, dict]], counts=None) -> dict:
    """The data of a trend line chart: the satisfaction rate (%) per month of each series
    (None where a month has no rating), and optionally the ratings per month as bars."""
    months = period.months()
    out = {
        "months": [_month_label(m) for m in months],
        "rate_label": _("Satisfaction rate (%)"),
        "series": [
            {"name": name, "data": [per[m].percent for m in months]} for name, per in series
        ],
    }
    if counts is not None:
        out["counts"] = {
            "name": pgettext("count", "Ratings"),
            "data": [counts[m].ratings for m in months],
        }
    return out


def levels_chart(rows: list[tuple[str, Figures]]) -> dict:
    """The data of a stacked bar chart: each row's share (%) of every level."""
    labels = level_labels()
    rows = [(name, f) for name, f in rows if f.ratings]
    return {
        "categories": [name for name, _f in rows],
        "share_label": _("Share of ratings (%)"),
        "series": [
            {"name": label, "data": [f.level_percents()[i] for _n, f in rows]}
            for i, label in enumerate(labels)
        ],
    }


def _context(request, form: PeriodForm, period: MonthRange, **extra) -> dict:
    query = request.GET.copy()
    return {
        "form": form,
        "period": period,
        "query": query.urlencode(),
        "levels": level_labels(),
        "definition": _(
            "Satisfaction rate = (very satisfied + satisfied + basically satisfied) / all "
            "ratings given in the period."
        ),
        **extra,
    }


@satisfaction_required
def overview(request):
    """Every hall the user sees: its figures over the period, a monthly trend line per
    hall, and the share of each level per hall."""
    user = request.user
    form = PeriodForm(request.GET or None)
    period = form.period()
    halls = list(Hall.objects.visible_to(user).order_by("sort_order", "code"))
    hall_ids = [h.pk for h in halls]

    def compute():
        ratings = statistics.ratings_in(period, Rating.objects.filter(hall_id__in=hall_ids))
        per_hall = statistics.with_acts(
            statistics.grouped(ratings, "hall_id"), statistics.acts_by_hall(period, hall_ids)
        )
        return {
            "per_hall": per_hall,
            "monthly": statistics.monthly(ratings, period, by="hall_id"),
            "overall_monthly": statistics.monthly(ratings, period),
        }

    data = statistics.cached("overview", (_scope(user), period.key()), compute)
    rows = [(hall, data["per_hall"].get(hall.pk, Figures())) for hall in halls]
    empty = {m: Figures() for m in period.months()}
    trend = trend_chart(
        period,
        [(_("All halls"), data["overall_monthly"])]
        + [
            (hall.local_name, data["monthly"][hall.pk])
            for hall in halls
            if hall.pk in data["monthly"]
        ],
        counts=data["overall_monthly"] or empty,
    )
    context = _context(
        request,
        form,
        period,
        rows=rows,
        total=statistics.total(f for _h, f in rows),
        trend=trend,
        level_chart=levels_chart([(hall.local_name, f) for hall, f in rows]),
    )
    return render(request, "ratings/satisfaction/overview.html", context)


def _hall_for(request, code: str) -> Hall:
    return get_object_or_404(Hall.objects.visible_to(request.user), code=code)


@satisfaction_required
def hall_detail(request, code):
    """One hall: its monthly trend, and its windows and staff over the period."""
    hall = _hall_for(request, code)
    form = PeriodForm(request.GET or None)
    period = form.period()

    def compute():
        ratings = statistics.ratings_in(period, Rating.objects.filter(hall=hall))
        return {
            "monthly": statistics.monthly(ratings, period),
            "windows": statistics.grouped(ratings, "window_id"),
            "staff": statistics.grouped(ratings, "staff_id"),
            "acts": statistics.acts_by_hall(period, [hall.pk]).get(hall.pk, (0, 0)),
        }

    data = statistics.cached("hall", (hall.pk, period.key()), compute)
    windows = {w.pk: w for w in Window.objects.filter(hall=hall).order_by("number")}
    window_rows = [(w, data["windows"].get(w.pk, Figures())) for w in windows.values()]
    window_rows = [(w, f) for w, f in window_rows if f.ratings or w.is_active]
    people = (
        get_user_model().objects.filter(pk__in=[k for k in data["staff"] if k]).order_by("username")
    )
    staff_rows = sorted(
        ((p, data["staff"][p.pk]) for p in people),
        key=lambda pf: (-(pf[1].rate or 0), -pf[1].ratings, pf[0].username),
    )
    total = statistics.total(data["windows"].values())
    acts, rated = data["acts"]
    total = Figures(levels=total.levels, acts=acts, acts_rated=rated)
    context = _context(
        request,
        form,
        period,
        hall=hall,
        total=total,
        window_rows=window_rows,
        staff_rows=staff_rows,
        unassigned_window=data["windows"].get(None),
        unassigned_staff=data["staff"].get(None),
        trend=trend_chart(period, [(hall.local_name, data["monthly"])], counts=data["monthly"]),
        level_chart=levels_chart(
            [(_("Window %(number)s") % {"number": w.number}, f) for w, f in window_rows]
        ),
    )
    return render(request, "ratings/satisfaction/hall.html", context)


def _subject_page(request, hall: Hall, title: str, ratings, key: tuple):
    form = PeriodForm(request.GET or None)
    period = form.period()

    def compute():
        rated = statistics.ratings_in(period, ratings)
        return {"monthly": statistics.monthly(rated, period)}

    data = statistics.cached("subject", (*key, period.key()), compute)
    monthly = data["monthly"]
    total = statistics.total(monthly.values())
    context = _context(
        request,
        form,
        period,
        hall=hall,
        title=title,
        total=total,
        months=[(m, f) for m, f in monthly.items()],
        trend=trend_chart(period, [(title, monthly)], counts=monthly),
        level_chart=levels_chart([(title, total)]),
    )
    return render(request, "ratings/satisfaction/subject.html", context)


@satisfaction_required
def window_detail(request, code, number):
    """One window of a hall, month by month."""
    hall = _hall_for(request, code)
    window = get_object_or_404(Window, hall=hall, number=number)
    title = _("Window %(number)s") % {"number": window.number}
    if window.name:
        title = f"{title} {window.name}"
    return _subject_page(
        request, hall, title, Rating.objects.filter(hall=hall, window=window), ("w", window.pk)
    )


@satisfaction_required
def staff_detail(request, code, username):
    """One staff member's ratings in a hall, month by month. Someone who neither belongs to
    the hall nor was ever rated there is unknown here."""
    hall = _hall_for(request, code)
    person = get_object_or_404(get_user_model(), username=username)
    ratings = Rating.objects.filter(hall=hall, staff=person)
    if not person.halls.filter(pk=hall.pk).exists() and not ratings.exists():
        raise Http404
    return _subject_page(request, hall, str(person), ratings, ("s", hall.pk, person.pk))
