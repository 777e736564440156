"""Appointment pages of the portal (public, no sign-in: the citizen holds the
confirmation's secret link, or its number and query code) and the hall manager's kiosk
pairing page.

Thin views: look up, validate, call one service (`appointments`, `kiosks`), answer. A
refusal re-shows the form with everything typed, and the message in the visitor's
language.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onewindow.catalogue.models import ServiceItem
from onewindow.core.http import permission_required
from onewindow.halls.models import Hall

from . import appointments, kiosks
from .errors import FloorError, InvalidInput
from .models import Appointment, KioskDevice

# ------------------------------------------------------------------ booking


def _bookable_items():
    lines = appointments.bookable_lines()
    return (
        ServiceItem.objects.filter(queues__in=lines, published_version__isnull=False)
        .select_related("published_version")
        .distinct()
        .order_by("implementation_code")
    )


def _choice(request) -> dict:
    """What the visitor has chosen so far (item → hall → day), each checked against the
    choices the step before offers."""
    source = request.POST if request.method == "POST" else request.GET
    items = list(_bookable_items())
    item = next((i for i in items if i.implementation_code == source.get("item")), None)
    context = {"items": items, "item": item, "form": source}
    if item is None:
        return context
    lines = list(appointments.bookable_lines().filter(items=item).order_by("hall__sort_order"))
    context["halls"] = [line.hall for line in lines]
    line = next((c for c in lines if c.hall.code == source.get("hall")), None)
    context["line"] = line
    if line is None:
        return context
    context["hall"] = line.hall
    days = appointments.bookable_days(line)
    context["days"] = days
    day = parse_date(source.get("day") or "") if source.get("day") else None
    if day is not None:
        context["day"] = day
        try:
            context["slots"] = appointments.slots_on(line, day)
            if not context["slots"]:
                context["errors"] = {"day": _("The hall is closed on this day: choose another.")}
        except FloorError as exc:
            context["errors"] = exc.errors if isinstance(exc, InvalidInput) else {}
            context["error"] = exc.message
        context["now"] = timezone.now()
    return context


@never_cache
def book(request):
    """Book an appointment: pick an item, a hall, a day and a free time, then give the
    name, ID number and phone. The confirmation's link, number and code follow."""
    context = _choice(request)
    if request.method != "POST":
        return render(request, "floor/book.html", context)
    line = context.get("line")
    try:
        if line is None:
            raise InvalidInput({"item": _("Choose the item and the hall.")})
        value = request.POST.get("slot", "")
        starts = parse_datetime(value) if value else None
        if starts is None:
            raise InvalidInput({"slot": _("Choose one of the times.")})
        if timezone.is_naive(starts):
            starts = timezone.make_aware(starts)
        appointment = appointments.book(
            category=line,
            item=context["item"],
            starts_at=starts,
            name=request.POST.get("name", ""),
            id_number=request.POST.get("id_number", ""),
            phone=request.POST.get("phone", ""),
        )
    except (FloorError, ValueError) as exc:
        if isinstance(exc, ValueError):
            exc = InvalidInput({"slot": _("Choose one of the times.")})
        context["errors"] = exc.errors if isinstance(exc, InvalidInput) else {}
        context["error"] = exc.message
        return render(request, "floor/book.html", context, status=exc.status)
    return redirect(reverse("floor:appointment", args=[appointment.token]) + "?new=1")


def _appointment(token: str) -> Appointment:
    found = (
        Appointment.objects.select_related("hall", "category", "item__published_version", "ticket")
        .filter(token=token)
        .first()
    )
    if found is None:
        raise Http404("no such appointment")
    return found


@never_cache
def appointment(request, token: str):
    """The confirmation (the citizen's secret link): number, query code, time, place, the
    QR the kiosk scans, and cancelling while it is booked."""
    found = _appointment(token)
    return render(request, "floor/appointment.html", {
        "appointment": found,
        "qr": segno.make(found.number, error="m").svg_data_uri(scale=5, border=1),
        "new": request.GET.get("new") == "1",
        "may_cancel": found.status == Appointment.Status.BOOKED
        and found.starts_at > timezone.now(),
        "check_in_from": found.starts_at - appointments.CHECK_IN_EARLY,
    })  # fmt: skip


@require_POST
def cancel(request, token: str):
    found = _appointment(token)
    try:
        appointments.cancel(appointment=found)
    except FloorError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The appointment is cancelled."))
    return redirect("floor:appointment", token)


@never_cache
def find(request):
    """Look up an appointment by its number and query code."""
    if request.method != "POST":
        return render(request, "floor/find.html", {"form": {}})
    found = appointments.find(request.POST.get("number", ""), request.POST.get("code", ""))
    if found is None:
        return render(request, "floor/find.html", {"form": request.POST, "error": _(
            "No appointment has this number and query code.")}, status=404)  # fmt: skip
    return redirect("floor:appointment", found.token)


# ------------------------------------------------------------------- kiosks


def _managed_halls(user):
    return Hall.objects.active().filter(pk__in=user.hall_id_set).order_by("sort_order")


@permission_required(kiosks.MANAGE)
def kiosk_devices(request):
    """The kiosks of the manager's halls: add one, open its pairing link on the kiosk
    (valid 15 minutes), revoke one."""
    halls = list(_managed_halls(request.user))
    errors = {}
    if request.method == "POST":
        hall = next((h for h in halls if h.code == request.POST.get("hall")), None)
        try:
            if hall is None:
                raise InvalidInput({"hall": _("Choose one of your halls.")})
            device = kiosks.add_kiosk(actor=request.user, hall=hall,
                                      name=request.POST.get("name", ""), request=request)  # fmt: skip
        except FloorError as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"name": exc.message}
        else:
            messages.success(request, _("Kiosk added: open its pairing link on the kiosk."))
            return redirect(reverse("floor:kiosks") + f"#kiosk-{device.pk}")
    rows = []
    for device in KioskDevice.objects.filter(hall__in=halls).select_related("hall"):
        row = {"device": device}
        if device.is_active:
            url = request.build_absolute_uri(
                reverse("floor:kiosk_pair", args=[kiosks.pairing_token(device)])
            )
            row.update(url=url, qr=segno.make(url).svg_data_uri(scale=3, border=1))
        rows.append(row)
    return render(request, "floor/kiosks.html", {"rows": rows, "halls": halls,
                  "errors": errors, "form": request.POST}, status=400 if errors else 200)  # fmt: skip


@require_POST
@permission_required(kiosks.MANAGE)
def kiosk_revoke(request, pk: int):
    device = KioskDevice.objects.filter(pk=pk, hall__in=_managed_halls(request.user)).first()
    if device is None:
        raise Http404("no such kiosk")
    kiosks.revoke_kiosk(actor=request.user, device=device, request=request)
    messages.success(request, _("The kiosk is revoked: it takes no more tickets."))
    return redirect("floor:kiosks")


@never_cache
def kiosk_pair(request, token: str):
    """The hall manager's pairing link, opened on the kiosk: the kiosk keeps its device."""
    device = kiosks.device_for_pairing(token)
    if device is None:
        return render(request, "floor/kiosk_pair_failed.html", status=404)
    response = render(request, "floor/kiosk_paired.html", {"device": device})
    kiosks.pair(response, device)
    return response
