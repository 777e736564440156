"""The floor's pages: the hall's kiosk, the ticket (phone status page and 58 mm slip), the
display screen for the big screen, and the clerk's window console.

Thin views: look up, validate, call one service, answer. The kiosk and the display
screen are public (they stand in the hall); the console needs the right to serve a window.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases.views import INTAKE_PREFILL
from onewindow.core.http import permission_required
from onewindow.halls.models import Hall, Window

from . import kiosks, services
from .errors import FloorError, InvalidInput
from .models import QueueCategory, QueueEvent, Ticket
from .services import SERVE

LATEST_CALLS = 8


def _hall(code: str) -> Hall:
    hall = Hall.objects.active().filter(code=code).first()
    if hall is None:
        raise Http404("no such hall")
    return hall


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


# ------------------------------------------------------------------------ kiosk


def kiosk(request, hall_code: str):
    """The hall's ticket kiosk: big buttons, one per open line; an optional ID number
    typed on the screen's digit pad (for the daily limit and the green channel); an
    appointment's number typed or scanned to check in. Only a kiosk paired with the hall
    (`kiosks`) shows it or takes tickets."""
    hall = _hall(hall_code)
    lines = list(QueueCategory.objects.active().filter(hall=hall))
    context = {"hall": hall, "lines": lines}
    try:
        device = kiosks.paired_device(request, hall)
    except FloorError as exc:
        return render(request, "floor/kiosk_not_paired.html", {"hall": hall,
                      "error": exc.message}, status=exc.status)  # fmt: skip
    if request.method != "POST":
        return render(request, "floor/kiosk.html", context)
    letter = (request.POST.get("category") or "").strip().upper()
    line = next((c for c in lines if c.letter == letter), None)
    try:
        if line is None:
            raise InvalidInput({"category": _("Choose one of the lines on the screen.")})
        ticket = kiosks.take_ticket(
            device=device, category=line, id_number=request.POST.get("id_number", "")
        )
    except FloorError as exc:
        context["error"] = exc.message
        return render(request, "floor/kiosk.html", context, status=exc.status)
    return redirect(reverse("floor:slip", args=[ticket.token]) + "?kiosk=1")


@require_POST
def kiosk_check_in(request, hall_code: str):
    """An appointment checked in at the kiosk: its number typed on the pad or scanned
    from the confirmation's QR; the priority ticket's slip follows."""
    hall = _hall(hall_code)
    try:
        device = kiosks.paired_device(request, hall)
    except FloorError as exc:
        return render(request, "floor/kiosk_not_paired.html", {"hall": hall,
                      "error": exc.message}, status=exc.status)  # fmt: skip
    try:
        ticket = kiosks.check_in(device=device, number=request.POST.get("number", ""))
    except FloorError as exc:
        context = {
            "hall": hall,
            "lines": list(QueueCategory.objects.active().filter(hall=hall)),
            "error": exc.message,
            "appointment_number": request.POST.get("number", ""),
        }
        return render(request, "floor/kiosk.html", context, status=exc.status)  # fmt: skip
    return redirect(reverse("floor:slip", args=[ticket.token]) + "?kiosk=1")


def _ticket(token: str) -> Ticket:
    ticket = Ticket.objects.select_related("hall", "category", "window").filter(token=token).first()
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


def _ticket_context(request, ticket: Ticket) -> dict:
    url = request.build_absolute_uri(reverse("floor:ticket", args=[ticket.token]))
    return {
        "ticket": ticket,
        "hall": ticket.hall,
        "position": services.position(ticket),
        "qr": qr_data_uri(url),
        "status_url": url,
    }


@require_GET
def ticket(request, token: str):
    """The ticket's public page (the QR on the slip): place in the line, estimated wait,
    and the window when called. Refreshes itself."""
    ticket = _ticket(token)
    context = _ticket_context(request, ticket)
    if request.headers.get("HX-Request"):
        return render(request, "floor/_ticket_state.html", context)
    return render(request, "floor/ticket.html", context)


@require_GET
def slip(request, token: str):
    """The ticket as printed by the kiosk's 58 mm thermal printer (and shown on its
    screen until the next visitor)."""
    ticket = _ticket(token)
    context = _ticket_context(request, ticket)
    context["kiosk"] = request.GET.get("kiosk") == "1"
    return render(request, "floor/slip.html", context)


# ---------------------------------------------------------------------- display


@require_GET
def display(request, hall_code: str):
    """The hall's big screen: latest calls and people waiting per line, refreshed every
    second from a cached fragment; the calls can be spoken (the browser's speech)."""
    hall = _hall(hall_code)
    return render(request, "floor/display.html", {"hall": hall, "live": _live(hall)})


@require_GET
def display_live(request, hall_code: str):
    hall = _hall(hall_code)
    return HttpResponse(_live(hall))


def _live(hall: Hall) -> str:
    """The display's fragment, cached until the hall's queue changes."""
    key = f"floor:display:{hall.pk}:{services.hall_version(hall.pk)}:{get_language()}"
    html = cache.get(key)
    if html is None:
        today = timezone.localdate()
        calls = list(
            QueueEvent.objects.filter(
                hall=hall,
                kind__in=[QueueEvent.Kind.CALLED, QueueEvent.Kind.RECALLED],
                at__date=today,
            )
            .select_related("ticket", "window")
            .order_by("-at", "-pk")[:LATEST_CALLS]
        )
        html = render_to_string(
            "floor/_live.html",
            {"calls": calls, "lines": services.waiting_counts(hall, today), "hall": hall},
        )
        cache.set(key, html, 300)
    return html


# ---------------------------------------------------------------------- console


def _serve_halls(user):
    return list(Hall.objects.active().filter(pk__in=user.hall_id_set).order_by("sort_order"))


def _console_context(request) -> dict:
    user = request.user
    session = services.open_session(user)
    context = {"session": session}
    if session is None:
        halls = _serve_halls(user)
        taken = dict(
            services.WindowSession.objects.open()
            .filter(hall__in=halls)
            .values_list("window_id", "clerk__full_name")
        )
        context["windows"] = [
            (w, taken.get(w.pk))
            for w in Window.objects.active().filter(hall__in=halls).select_related("hall")
        ]
        return context
    hall = session.hall
    context.update(
        hall=hall,
        current=services.current_ticket(session.window),
        lines=services.waiting_counts(hall),
        all_lines=QueueCategory.objects.filter(hall=hall),
        other_windows=Window.objects.active().filter(hall=hall).exclude(pk=session.window_id),
    )
    return context


@permission_required(SERVE)
def console(request):
    """The clerk's window: sign in at a window of the hall, then call, recall, serve,
    transfer, pause and sign out."""
    return render(request, "floor/console.html", _console_context(request))


def _window_of(request) -> Window | None:
    """The window the form was made for (a console page left open at another window is
    refused by the services as not signed in there)."""
    value = request.POST.get("window", "")
    if not value.isdigit():
        return None
    return Window.objects.filter(pk=int(value)).select_related("hall").first()


def _line(request, hall_id: int | None):
    value = request.POST.get("category", "")
    if not value.isdigit():
        return None
    return QueueCategory.objects.filter(pk=int(value), hall_id=hall_id).first()


@require_POST
@permission_required(SERVE)
def console_action(request, action: str):
    user = request.user
    window = _window_of(request)
    if action != "sign-in" and window is None:
        window = getattr(services.open_session(user), "window", None)
    try:
        if window is None:
            raise InvalidInput({"window": _("Choose a window.")})
        if action == "sign-in":
            services.sign_in(actor=user, window=window, request=request)
            messages.success(
                request, _("You are signed in at window %(n)s.") % {"n": window.number}
            )
        elif action == "call":
            ticket = services.call_next(actor=user, window=window)
            if ticket is None:
                messages.info(request, _("Nobody is waiting for this window."))
            else:
                messages.success(request, _("Called %(number)s.") % {"number": ticket.number})
        elif action == "recall":
            services.recall(actor=user, window=window)
        elif action == "start":
            services.start_service(actor=user, window=window)
        elif action == "done":
            ticket = services.finish(actor=user, window=window)
            messages.success(request, _("%(number)s is done.") % {"number": ticket.number})
        elif action == "no-show":
            ticket = services.mark_no_show(actor=user, window=window, request=request)
            messages.info(request, _("%(number)s did not come.") % {"number": ticket.number})
        elif action == "transfer":
            to_window = None
            if request.POST.get("to_window", "").isdigit():
                to_window = Window.objects.filter(pk=int(request.POST["to_window"])).first()
            ticket = services.transfer(
                actor=user,
                window=window,
                category=_line(request, window.hall_id),
                to_window=to_window,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            messages.success(request, _("%(number)s was transferred.") % {"number": ticket.number})
        elif action == "pause":
            services.pause(
                actor=user, window=window, reason=request.POST.get("reason", ""), request=request
            )
        elif action == "resume":
            services.resume(actor=user, window=window, request=request)
        elif action == "sign-out":
            services.sign_out(actor=user, window=window, request=request)
            messages.success(request, _("You signed out of the window."))
        elif action == "rejoin":
            ticket = services.rejoin(
                actor=user, hall=window.hall, number=request.POST.get("number", ""),
                request=request,
            )  # fmt: skip
            messages.success(
                request, _("%(number)s rejoined the line.") % {"number": ticket.number}
            )
        elif action == "start-case":
            return _start_case(request, window)
        else:
            raise Http404("no such action")
    except FloorError as exc:
        messages.error(request, exc.message)
        return render(request, "floor/console.html", _console_context(request), status=exc.status)
    return redirect("floor:console")


def _start_case(request, window: Window):
    """Open the intake form for the visitor at the window: the line's item when it covers
    one, the ID number taken at the kiosk, and the intake key that links case and ticket."""
    ticket = services.prepare_case(actor=request.user, window=window)
    hall = window.hall
    request.session[INTAKE_PREFILL] = {
        "hall": hall.code,
        "window": window.pk,
        "intake_key": ticket.intake_key,
        "applicant_id_number": ticket.id_number,
    }
    items = list(
        ticket.category.items.filter(published_version__halls=hall).values_list(
            "implementation_code", flat=True
        )
    )
    query = {"hall": hall.code}
    if len(items) == 1:
        query["item"] = items[0]
    return redirect(reverse("cases:workbench") + "?" + urlencode(query))
