"""The public status page (办件查询): case number + query code, nothing else needed.

It shows the item, the steps passed in plain words, the due date and the result, with
the applicant's name masked. A wrong query code gets exactly the answer an unknown
number gets, and a client that fails too often is held off for a while (guessing query
codes must not pay).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import clock
from .models import Case, CaseEvent, StatusLookupFailure

MAX_FAILURES = 10
WINDOW = dt.timedelta(minutes=10)
K = CaseEvent.Kind

# Kinds the public sees; staff-only detail (assignments, documents, scans) is left out.
PUBLIC_KINDS = (
    K.RECEIVED,
    K.CORRECTION_ISSUED,
    K.CORRECTION_SUPPLIED,
    K.ACCEPTED,
    K.ACCEPTED_WITH_GAPS,
    K.GAPS_SUPPLIED,
    K.REFUSED,
    K.STEP_DECIDED,
    K.SENT_BACK,
    K.EXTENDED,
    K.SUSPENDED,
    K.RESUMED,
    K.CONCLUDED,
    K.DELIVERED,
)


def client_key(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def is_blocked(client: str, now: dt.datetime) -> bool:
    return (
        StatusLookupFailure.objects.filter(client=client, at__gt=now - WINDOW).count()
        >= MAX_FAILURES
    )


def note_failure(client: str, now: dt.datetime) -> None:
    # Old rows of this client go at the same time, so the table stays small.
    StatusLookupFailure.objects.filter(client=client, at__lte=now - WINDOW).delete()
    StatusLookupFailure.objects.create(client=client, at=now)


def _normalise(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


def find_case(number: str, code: str) -> Case | None:
    """The case when number and query code match; None otherwise (same work either way)."""
    case = (
        Case.objects.select_related("item_version", "hall")
        .only(
            "number",
            "query_code",
            "status",
            "applicant_name",
            "applicant_kind",
            "received_at",
            "accepted_on",
            "promised_due_date",
            "legal_due_date",
            "due_provisional",
            "suspended_since",
            "result",
            "concluded_at",
            "delivered_at",
            "is_immediate",
            "item_version__name",
            "item_version__result_name",
            "hall__name",
            "hall__name_en",
            "hall__phone",
        )
        .filter(number=number)
        .first()
    )
    expected = case.query_code if case is not None else "X" * 8
    if not secrets.compare_digest(expected.encode(), code.encode()) or case is None:
        return None
    return case


def public_steps(case: Case) -> list[dict]:
    """The case's history in plain words for the applicant."""
    steps = []
    events = (
        CaseEvent.objects.filter(case_id=case.pk, kind__in=PUBLIC_KINDS)
        .only("kind", "at", "data")
        .order_by("seq")
    )
    for e in events:
        data = e.data or {}
        text = {
            K.RECEIVED: _("Application received"),
            K.CORRECTION_ISSUED: _("Correction notice issued: some materials are missing"),
            K.CORRECTION_SUPPLIED: _("Missing materials handed in"),
            K.ACCEPTED: _("Application accepted: the time limit runs"),
            K.ACCEPTED_WITH_GAPS: _("Accepted with materials to follow"),
            K.GAPS_SUPPLIED: _("Materials to follow handed in"),
            K.REFUSED: _("Application not accepted"),
            K.SENT_BACK: _("Returned to an earlier step for further work"),
            K.RESUMED: _("Special procedure finished: the time limit runs again"),
            K.DELIVERED: _("Result delivered"),
        }.get(e.kind)
        if e.kind == K.STEP_DECIDED:
            text = _("Step done: %(step)s") % {"step": data.get("step", "")}
        elif e.kind == K.EXTENDED:
            text = _("Time limit extended by %(days)s working days") % {
                "days": data.get("days", "")
            }
        elif e.kind == K.SUSPENDED:
            text = _("Special procedure (%(kind)s): the time limit stops") % {
                "kind": _kind_label(data.get("kind"))
            }
        elif e.kind == K.CONCLUDED:
            text = _("Concluded: %(result)s") % {"result": _result_label(data.get("result"))}
        if text:
            steps.append({"at": e.at, "text": text})
    return steps


def _kind_label(kind) -> str:
    from .models import Suspension

    try:
        return str(Suspension.Kind(kind).label)
    except ValueError:
        return _("special procedure")


def _result_label(result) -> str:
    try:
        return str(Case.Result(result).label)
    except ValueError:
        return ""


@never_cache
def lookup(request):
    """The form; with number and code given, the answer (or the same "not found")."""
    number = _normalise(request.GET.get("number", ""))
    code = _normalise(request.GET.get("code", ""))
    if not number and not code:
        return render(request, "cases/public/lookup.html", {})
    return _answer(request, number, code)


@never_cache
def status(request, number):
    """The QR code link: /status/<number>/?code=<query code>."""
    code = _normalise(request.GET.get("code", ""))
    if not code:
        return redirect(reverse("status:lookup") + f"?number={_normalise(number)}")
    return _answer(request, _normalise(number), code)


def _answer(request, number: str, code: str):
    now = timezone.now()
    client = client_key(request)
    context = {"number": number, "code": code}
    if is_blocked(client, now):
        context["blocked"] = True
        return render(request, "cases/public/lookup.html", context, status=429)
    case = find_case(number, code) if number and code else None
    if case is None:
        note_failure(client, now)
        context["not_found"] = True
        return render(request, "cases/public/lookup.html", context, status=404)
    left = clock.case_days_left(case)
    return render(
        request,
        "cases/public/status.html",
        {"case": case, "steps": public_steps(case), "left": left, "number": number, "code": code},
    )
