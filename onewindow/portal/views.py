import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncMonth
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from onewindow.complaints.models import Complaint, ComplaintCategory, ComplaintStep
from onewindow.halls.models import Hall
from onewindow.ratings import statistics
from onewindow.ratings.stats_views import can_view_satisfaction, level_labels, trend_chart
from onewindow.workdays.services import missing_upcoming_years

PUBLIC_MONTHS = 24
COMPLAINTS_NONE = {"received": 0, "closed": 0, "on_time": 0}


def home(request):
    """The public home page: the halls and what the portal offers."""
    halls = Hall.objects.active().select_related("department").prefetch_related("opening_hours")
    return render(request, "portal/home.html", {"halls": halls})


def _attention(user) -> list[dict]:
    """What needs the user today, as counts with links: the staff home's first panel."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from onewindow.cases.models import Case
    from onewindow.supervision.models import Alert

    items = []
    if user.has_perm("cases.handle_cases"):
        waiting = Case.objects.filter(current_assignee=user, status__in=Case.OPEN_STATUSES).count()
        items.append(
            {
                "label": _("Cases waiting for me"),
                "count": waiting,
                "url": reverse("cases:queue"),
                "level": "primary",
            }
        )
    if user.has_perm("cases.handle_cases") or user.sees_all_halls:
        overdue = Case.objects.visible_to(user).overdue(timezone.localdate()).count()
        items.append(
            {
                "label": _("Overdue cases in my halls"),
                "count": overdue,
                "url": reverse("cases:list") + "?overdue=on",
                "level": "danger",
            }
        )
    alerts = Alert.objects.visible_to(user).answerable_by(user).awaiting_answer().count()
    items.append(
        {
            "label": _("Alerts waiting for my answer"),
            "count": alerts,
            "url": reverse("supervision:inbox"),
            "level": "warning",
        }
    )
    return items


@login_required
def staff_home(request):
    """The staff home: the user's halls and roles, and what needs attention."""
    user = request.user
    halls = Hall.objects.visible_to(user) if user.sees_all_halls else user.halls.all()
    context = {
        "attention": _attention(user),
        "my_halls": user.halls.all(),
        "scope_halls": halls,
        "roles": user.role_labels,
        "sees_satisfaction": can_view_satisfaction(user),
        "missing_years": missing_upcoming_years()
        if user.has_perm("workdays.manage_calendar")
        else [],
    }
    return render(request, "portal/staff_home.html", context)


def switch_language(request):
    """Switch the language of the site (the select in the header): remember the choice in
    the language cookie and go back to ``next``.

    A plain GET, so that the switch needs no CSRF token: a public page that posts nothing
    (the status page) carries none, and a visitor gets no cookie before choosing a
    language. The only effect is the language of the pages; a link that switches it does
    no harm. Django's `set_language` (POST, under /i18n/) stays for clients that use it."""
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def healthz(request):
    """A constant answer through the whole middleware stack: liveness probes, and the
    floor the benchmarks (bench/run.py) compare the public pages with."""
    return HttpResponse("ok\n", content_type="text/plain")


def complaint_counts(period: statistics.MonthRange) -> dict[int, dict[str, int]]:
    """Per hall id: complaints received in the period, complaints closed in the period,
    and how many of the closed ones had been answered by their answer due date. Complaints
    only (not consultations, suggestions or requests for help). Two GROUP BY queries."""
    complaints = Complaint.objects.filter(
        category__kind=ComplaintCategory.Kind.COMPLAINT
    ).order_by()
    received = complaints.filter(registered_at__gte=period.start, registered_at__lt=period.end)
    closed = complaints.filter(closed_at__gte=period.start, closed_at__lt=period.end)
    out: dict[int, dict[str, int]] = {}
    for hall, n in received.values_list("hall_id").annotate(n=Count("id")):
        out.setdefault(hall, dict(COMPLAINTS_NONE))["received"] = n
    on_time = Count("id", filter=Q(answered_at__date__lte=F("answer_due")))
    for hall, n, in_time in closed.values_list("hall_id").annotate(n=Count("id"), t=on_time):
        row = out.setdefault(hall, dict(COMPLAINTS_NONE))
        row["closed"], row["on_time"] = n, in_time
    return out


def _complaint_months(period: statistics.MonthRange) -> list[int]:
    """Complaints received per month of the period, all halls (one query)."""
    rows = (
        Complaint.objects.filter(
            category__kind=ComplaintCategory.Kind.COMPLAINT,
            registered_at__gte=period.start,
            registered_at__lt=period.end,
        )
        .order_by()
        .annotate(month=TruncMonth("registered_at"))
        .values_list("month")
        .annotate(n=Count("id"))
    )
    counts: dict = {}
    for month, n in rows:
        key = statistics.local_month(month)
        counts[key] = counts.get(key, 0) + n
    return [counts.get(m, 0) for m in period.months()]


def _figures_data(month: dt.date, trend_period: statistics.MonthRange) -> dict:
    """The public figures of a month per hall id, and each hall's months over the trend
    period: counts only, never a person (see `figures`)."""
    return {
        "ratings": statistics.grouped(
            statistics.ratings_in(statistics.MonthRange(month, month)), "hall_id"
        ),
        "complaints": complaint_counts(statistics.MonthRange(month, month)),
        "trend": statistics.monthly(
            statistics.ratings_in(trend_period), trend_period, by="hall_id"
        ),
        "complaint_trend": _complaint_months(trend_period),
    }


def figures(request):
    """The public monthly figures (服务评价公示) per hall: ratings, the satisfaction rate
    with its numerator and denominator, and bad ratings, with a year's trend. Counts per
    hall only: no name, window or staff member, nothing of a rater. Cached (the key moves
    with every new rating or case event). A month outside the last 24 is answered 400
    with the last complete month shown."""
    this_month = statistics.month_start(timezone.localdate())
    default = statistics.add_months(this_month, -1)
    choices = [statistics.add_months(this_month, -i) for i in range(PUBLIC_MONTHS)]
    asked = request.GET.get("month", "").strip()
    error, month = "", default
    if asked:
        parsed = statistics.parse_month(asked)
        if parsed in choices:
            month = parsed
        else:
            error = _(
                "Figures are published for the last %(n)d months only; showing %(month)s."
            ) % {
                "n": PUBLIC_MONTHS,
                "month": f"{default:%Y-%m}",
            }
    trend_period = statistics.MonthRange.ending(month)
    # Complaint steps are append-only: the last one's id moves with every change of a
    # complaint, as the last rating's does for the ratings (statistics.data_stamp).
    complaints_stamp = ComplaintStep.objects.aggregate(m=Max("id"))["m"]
    data = statistics.cached(
        "public",
        (month.isoformat(), complaints_stamp),
        lambda: _figures_data(month, trend_period),
    )
    halls = list(Hall.objects.active().order_by("sort_order", "code"))
    rows = [
        (
            h,
            data["ratings"].get(h.pk, statistics.Figures()),
            data["complaints"].get(h.pk, COMPLAINTS_NONE),
        )
        for h in halls
    ]
    all_halls = {
        m: statistics.total(per[m] for per in data["trend"].values()) for m in trend_period.months()
    }
    series = [(_("All halls"), all_halls)] + [
        (h.local_name, data["trend"][h.pk]) for h in halls if h.pk in data["trend"]
    ]
    trend = trend_chart(trend_period, series)
    trend["counts"] = {"name": _("Complaints received"), "data": data["complaint_trend"]}
    context = {
        "month": month,
        "choices": choices,
        "error": error,
        "rows": rows,
        "total": statistics.total(f for _h, f, _c in rows),
        "complaints": True,
        "complaint_total": {k: sum(c[k] for _h, _f, c in rows) for k in COMPLAINTS_NONE},
        "trend": trend,
        "levels": level_labels(),
        "is_current": month == this_month,
    }
    return render(request, "portal/figures.html", context, status=400 if error else 200)
