"""The public rating pages: the window tablet, the rating part of a case's status page,
and the rating link of a notice's QR code. None needs a sign-in.

What allows a rating is a secret the rater holds, never a session: the tablet's signed
window cookie (SameSite=Strict), the case's query code, or the notice's signed token. A
forging site knows none of them, so the POSTs take no CSRF token (the status page and the
QR page set no cookie at all). Every refusal is a translated message and writes nothing.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from onewindow.cases.public_views import MAX_FAILURES, client_key, find_case, note_failure
from onewindow.cases.rating_links import RATING_SALT
from onewindow.halls.models import Window

from . import reasons as reason_list
from . import services, tablet
from .models import BAD_LEVELS, Channel, Level, Rating

NOT_PAIRED = "ratings/not_paired.html"
NOT_PAIRED_MESSAGE = _("This tablet is not paired to a window.")
NOT_THIS_WINDOW = _("This service was not done at this window, or too long ago.")


def form_context(**extra) -> dict:
    """What the rating form needs: the five levels (the best first), the bad ones, the
    reasons."""
    return {
        "levels": [(value, label) for value, label in reversed(Level.choices)],
        "bad_levels": sorted(BAD_LEVELS),
        "reasons": reason_list.REASONS,
        **extra,
    }


def _sent(request) -> dict:
    return {
        "level": request.POST.get("level", ""),
        "reasons": request.POST.getlist("reasons"),
        "comment": request.POST.get("comment", ""),
    }


def _rate(request, event, channel: str):
    sent = _sent(request)
    return services.rate(
        event=event,
        level=sent["level"],
        channel=channel,
        reasons=sent["reasons"],
        comment=sent["comment"],
        request=request,
    )


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}


# ------------------------------------------------------------------ the tablet


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def evaluator(request):
    """The tablet's one page (GET); its rating (POST: event, level, reasons, comment).

    The POST answers an htmx request with the next screen, any other client in JSON:
    201 ``{"rating": id, "level": n}``, 400 ``{"errors": {field: [messages]}}``, 403
    when the tablet is not paired or the act is not its window's."""
    window_id = tablet.paired_window_id(request)
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        return _tablet_rate(request, window_id, htmx)
    window = None
    if window_id is not None:
        window = Window.objects.select_related("hall").filter(pk=window_id).first()
    if window is None:
        return render(request, NOT_PAIRED, status=403)
    return render(request, "ratings/evaluator.html", {"window": window})


def _tablet_rate(request, window_id, htmx: bool):
    if window_id is None:
        if htmx:
            return render(request, NOT_PAIRED, status=403)
        return JsonResponse({"errors": {"tablet": [str(NOT_PAIRED_MESSAGE)]}}, status=403)
    try:
        event = services.find_act(request.POST.get("event"))
        if not tablet.may_rate_here(event, window_id):
            raise services.refused("event", NOT_THIS_WINDOW, "other_window")
        rating = _rate(request, event, Channel.WINDOW)
    except ValidationError as exc:
        if not htmx:
            return JsonResponse({"errors": _errors(exc)}, status=400)
        event = tablet.current_act(window_id)
        if event is None:  # the act is gone (rated elsewhere, too old): start again
            return render(request, "ratings/_tablet_idle.html", {"error": _errors(exc)})
        context = form_context(event=event, errors=_errors(exc), sent=_sent(request))
        return render(request, "ratings/_tablet_act.html", context)
    if not htmx:
        return JsonResponse({"rating": rating.pk, "level": rating.level}, status=201)
    return render(request, "ratings/_tablet_thanks.html", {"rating": rating})


@never_cache
def evaluator_act(request):
    """What the tablet shows now (polled by the idle screen every two seconds): the act to
    rate, or the welcome screen (``idle``: after a rating, a skip or a timeout; ``skip``:
    the act just left is not shown again)."""
    window_id = tablet.paired_window_id(request)
    if window_id is None:
        return render(request, NOT_PAIRED, status=403)
    skip = request.GET.get("skip", "")
    skip_id = int(skip) if skip.isdigit() else None
    event = None if request.GET.get("idle") else tablet.current_act(window_id, skip=skip_id)
    if event is None:
        return render(request, "ratings/_tablet_idle.html", {"skip": skip_id or ""})
    return render(request, "ratings/_tablet_act.html", form_context(event=event, sent={}))


@never_cache
def pair(request, token):
    """A hall manager's pairing link, opened on the tablet: the tablet keeps the window."""
    window = tablet.window_for_pairing(token)
    if window is None:
        return render(request, "ratings/pair_failed.html", status=404)
    response = render(request, "ratings/paired.html", {"window": window})
    tablet.pair(response, window)
    return response


# ------------------------------------------------------ the status page's part


def _normalise(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def case_acts(request, number):
    """The acts of a case and their ratings, with a form for each act not yet rated.
    Needs the case number and its query code, checked and limited exactly as the status
    page does (a wrong code is an unknown case)."""
    source = request.POST if request.method == "POST" else request.GET
    number, code = _normalise(number), _normalise(source.get("code", ""))
    now = timezone.now()
    client = client_key(request)
    case, failures = find_case(number, code, client, now) if code else (None, 0)
    partial = request.headers.get("HX-Request") == "true"
    if failures >= MAX_FAILURES:
        return render(request, "ratings/case_not_found.html", {"blocked": True}, status=429)
    if case is None:
        note_failure(client, now)
        return render(request, "ratings/case_not_found.html", {"number": number}, status=404)
    errors, failed_event, rated = {}, None, None
    if request.method == "POST":
        try:
            event = services.find_act(request.POST.get("event"))
            if event.case_id != case.pk:
                raise services.refused("event", services.NOT_AN_ACT, "no_act")
            rated = _rate(request, event, Channel.STATUS_PAGE)
        except ValidationError as exc:
            errors, failed_event = _errors(exc), request.POST.get("event")
    acts = list(
        services.service_acts().filter(case_id=case.pk).select_related("rating").order_by("seq")
    )
    context = form_context(
        case=case,
        code=code,
        acts=acts,
        errors=errors,
        failed_event=failed_event,
        sent=_sent(request) if errors else {},
        just_rated=rated,
    )
    status = 400 if errors else 200
    template = "ratings/_case_acts.html" if partial else "ratings/case_acts.html"
    return render(request, template, context, status=status)


# ------------------------------------------------------------ the QR link


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def by_token(request, token):
    """The rating of the act a notice reports, opened from its QR code."""
    try:
        data = signing.loads(token, salt=RATING_SALT)
        event = services.find_act(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValidationError):
        return render(request, "ratings/link_invalid.html", status=404)
    errors = {}
    if request.method == "POST":
        try:
            _rate(request, event, Channel.QR)
        except ValidationError as exc:
            errors = _errors(exc)
    rating = Rating.objects.filter(event_id=event.pk).first()
    context = form_context(
        event=event, case=event.case, rating=rating, errors=errors, sent=_sent(request)
    )
    return render(request, "ratings/by_token.html", context, status=400 if errors else 200)
