from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from onewindow.halls.models import Hall
from onewindow.workdays.services import missing_upcoming_years


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
