"""The public status page (办件查询): case number + query code, nothing else needed.

It shows the item, the hall, the status, the due date with the days left, the result and
the steps passed in plain words, with the applicant's name masked; nothing else (no ID
number, phone, staff or internal opinions). A wrong query code gets exactly the answer an
unknown number gets, and a client that fails too often is held off for a while (guessing
query codes must not pay): the failures are rows of `StatusLookupFailure`, so the limit
holds across the web processes.

The answer (the page below its header) is kept in Django's cache while nothing it shows
changes (`answer_key`), and so is the whole page of a visitor who is not signed in (the
applicants following a QR code: their page differs by its address and language only).
The rate limit and the code check run on every request, in the one query that reads the
case (`find_case`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.cache import cache
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from onewindow.core.http import client_address

from . import clock
from .models import Case, CaseEvent, StatusLookupFailure, Suspension

MAX_FAILURES = 10
WINDOW = dt.timedelta(minutes=10)
# How long a rendered answer is kept (seconds); its key changes with whatever it shows.
ANSWER_TIMEOUT = 3600
K = CaseEvent.Kind

# Their plain words, for the kinds the public sees and whose words say nothing more.
PLAIN_WORDS = {
    K.RECEIVED: gettext_lazy("Application received"),
    K.CORRECTION_ISSUED: gettext_lazy("Correction notice issued: some materials are missing"),
    K.CORRECTION_SUPPLIED: gettext_lazy("Missing materials handed in"),
    K.ACCEPTED: gettext_lazy("Application accepted: the time limit runs"),
    K.ACCEPTED_WITH_GAPS: gettext_lazy("Accepted with materials to follow"),
    K.GAPS_SUPPLIED: gettext_lazy("Materials to follow handed in"),
    K.REFUSED: gettext_lazy("Application not accepted"),
    K.SENT_BACK: gettext_lazy("Returned to an earlier step for further work"),
    K.RESUMED: gettext_lazy("Special procedure finished: the time limit runs again"),
    K.DELIVERED: gettext_lazy("Result delivered"),
}
# Kinds the public sees: those above and the ones whose words take something from the
# event's data (`step_words`). Staff-only detail (assignments, documents, scans, fees) is
# left out.
PUBLIC_KINDS = (*PLAIN_WORDS, K.STEP_DECIDED, K.EXTENDED, K.SUSPENDED, K.CONCLUDED)


def client_key(request) -> str:
    """The rate limit's bucket: the client's address behind the trusted proxies, so that
    visitors behind the TLS proxy do not share one and a client cannot pick its own."""
    return (client_address(request) or "unknown")[:64]


def _recent_failures(client: str, now: dt.datetime):
    return StatusLookupFailure.objects.filter(client=client, at__gt=now - WINDOW)


def note_failure(client: str, now: dt.datetime) -> None:
    # Old rows of this client go at the same time, so the table stays small.
    StatusLookupFailure.objects.filter(client=client, at__lte=now - WINDOW).delete()
    StatusLookupFailure.objects.create(client=client, at=now)


def _normalise(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


# What the page shows of a case (and its hall's and item's names): the rest stays unread.
SHOWN = (
    "number",
    "query_code",
    "version",
    "status",
    "applicant_kind",
    "applicant_name",
    "promised_due_date",
    "due_provisional",
    "suspended_since",
    "result",
    "concluded_at",
    "hall__name",
    "hall__name_en",
    "item_version__name",
    "item__implementation_code",
)


def find_case(number: str, code: str, client: str, now: dt.datetime) -> tuple[Case | None, int]:
    """The case with this number and query code (with what the page shows), or None; and
    how many times the client failed recently, read in the same query.

    The code is compared in constant time (against a stand-in when there is no case). An
    unknown number costs one count more than a wrong code: case numbers are printed on
    every notice and follow each other; the query code is what must not be guessed."""
    failures = Subquery(
        _recent_failures(client, now)
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    case = (
        Case.objects.select_related("hall", "item_version", "item")
        .only(*SHOWN)
        .annotate(failures=Coalesce(failures, 0))
        .filter(number=number)
        .first()
    )
    if case is None:
        return None, _recent_failures(client, now)[:MAX_FAILURES].count()
    matches = secrets.compare_digest(case.query_code.encode(), code.encode())
    return (case if matches else None), case.failures


def step_words(kind: str, data: dict) -> str:
    """An event of a public kind in plain words for the applicant."""
    if kind == K.STEP_DECIDED:
        return _("Step done: %(step)s") % {"step": data.get("step", "")}
    if kind == K.EXTENDED:
        return _("Time limit extended by %(days)s working days") % {"days": data.get("days", "")}
    if kind == K.SUSPENDED:
        label = dict(Suspension.Kind.choices).get(data.get("kind"), _("special procedure"))
        return _("Special procedure (%(kind)s): the time limit stops") % {"kind": label}
    if kind == K.CONCLUDED:
        result = dict(Case.Result.choices).get(data.get("result"), "")
        return _("Concluded: %(result)s") % {"result": result}
    return str(PLAIN_WORDS[kind])


def public_steps(case: Case) -> list[dict]:
    """The case's history as the public sees it: its public events in order, in words."""
    events = case.events.filter(kind__in=PUBLIC_KINDS).values_list("kind", "at", "data")
    return [{"at": at, "text": step_words(kind, data or {})} for kind, at, data in events]


def answer_key(case: Case) -> str:
    """The cache key of a case's answer.

    The case's version covers what the services change (every service that appends an
    event the public sees bumps it, the exchange included). What changes without a new
    version is in the key by value: today's date and the due date (the days left; the
    deadlines job moves the due date and its provisional mark once a calendar year is
    entered), and the hall's and the item's names. The number keeps apart cases of a
    database loaded afresh that reuse ids and versions. Hashed: any cache backend takes
    the key."""
    parts = (
        case.pk,
        case.number,
        case.version,
        get_language(),
        timezone.localdate().isoformat(),
        case.promised_due_date,
        case.due_provisional,
        case.hall.name,
        case.hall.name_en,
        case.item_version.name,
    )
    return "cases:status-answer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def render_answer(case: Case) -> str:
    """The answer for a case, from the cache or rendered (and kept) now."""
    answer = cache.get_or_set(
        answer_key(case),
        lambda: render_to_string(
            "cases/public/_answer.html",
            {"case": case, "left": clock.case_days_left(case), "steps": public_steps(case)},
        ),
        ANSWER_TIMEOUT,
    )
    return mark_safe(answer)  # rendered by the template above, escaped there


def _page(request, template: str, context: dict, status: int = 200):
    """The page, for a visitor who is not signed in without a CSRF token: nothing on these
    pages is posted (the lookup form and the language switch are GETs), so an applicant
    who scans a QR code gets no cookie."""
    if not request.user.is_authenticated:
        context = {**context, "csrf_token": ""}
    return render(request, template, context, status=status)


@never_cache
def lookup(request):
    """The form; with number and code given, the answer (or the same "not found")."""
    number = _normalise(request.GET.get("number", ""))
    code = _normalise(request.GET.get("code", ""))
    if not number and not code:
        return _page(request, "cases/public/lookup.html", {})
    return _answer(request, number, code)


@never_cache
def status(request, number):
    """The QR code link: /status/<number>/?code=<query code>."""
    code = _normalise(request.GET.get("code", ""))
    if not code:
        return redirect(reverse("status:lookup") + "?" + urlencode({"number": _normalise(number)}))
    return _answer(request, _normalise(number), code)


def _answer(request, number: str, code: str):
    now = timezone.now()
    client = client_key(request)
    if number and code:
        case, failures = find_case(number, code, client, now)
    else:
        case, failures = None, _recent_failures(client, now)[:MAX_FAILURES].count()
    if failures >= MAX_FAILURES:
        context = {"number": number, "blocked": True}
        return _page(request, "cases/public/lookup.html", context, status=429)
    if case is None:
        note_failure(client, now)
        context = {"number": number, "not_found": True}
        return _page(request, "cases/public/lookup.html", context, status=404)
    if request.user.is_authenticated:
        context = {"case": case, "answer": render_answer(case)}
        return _page(request, "cases/public/status.html", context)
    key = f"{answer_key(case)}:page:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"
    page = cache.get(key)
    if page is None:
        context = {"case": case, "answer": render_answer(case), "csrf_token": ""}
        page = render_to_string("cases/public/status.html", context, request=request)
        cache.set(key, page, ANSWER_TIMEOUT)
    return HttpResponse(page)
