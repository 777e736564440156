"""The hall's ticket kiosks: how a kiosk is paired with its hall, and the limits on what
one kiosk (and one ID number) may take.

As the window tablets of ratings (`ratings.tablet`): the hall manager makes a pairing link
for a kiosk (signed, valid 15 minutes) and opens it on the kiosk; the kiosk keeps its
device's id and key signed in a long-lived cookie (SameSite=Strict, HttpOnly), so it needs
no staff sign-in. A kiosk takes tickets only while its device is not revoked and belongs
to the hall; revoking the device (a stolen or replaced kiosk) ends its cookie at once.

Rate limits, counted in Django's cache framework per fixed window: a device may take at
most ``device`` requests (tickets and check-ins) per window, an ID number at most
``id_number`` tickets at all kiosks per window. Settings `FLOOR_KIOSK_LIMITS` may change
them: ``{"device": (count, seconds), "id_number": (count, seconds)}``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import record
from onewindow.halls.models import Hall

from . import appointments, services
from .errors import InvalidInput, NotPaired, NotPermitted, RateLimited
from .models import KioskDevice, QueueCategory, Ticket

COOKIE = "ow_kiosk"
COOKIE_SALT = "onewindow.floor.kiosk"
PAIRING_SALT = "onewindow.floor.kiosk-pairing"
PAIRING_MAX_AGE = 15 * 60
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
MANAGE = "halls.manage_halls"
LIMITS = {"device": (60, 300), "id_number": (5, 600)}


# ---------------------------------------------------------------------- pairing


def pairing_token(device: KioskDevice) -> str:
    return signing.dumps({"k": device.pk}, salt=PAIRING_SALT)


def device_for_pairing(token: str) -> KioskDevice | None:
    """The live device of a pairing link still valid, or None."""
    try:
        data = signing.loads(token, salt=PAIRING_SALT, max_age=PAIRING_MAX_AGE)
    except signing.BadSignature:
        return None
    device_id = data.get("k") if isinstance(data, dict) else None
    return (
        KioskDevice.objects.select_related("hall")
        .filter(pk=device_id, revoked_at__isnull=True, hall__is_active=True)
        .first()
    )


def pair(response, device: KioskDevice) -> None:
    """Give the kiosk that receives ``response`` its device."""
    response.set_cookie(
        COOKIE,
        signing.dumps({"k": device.pk, "s": device.key}, salt=COOKIE_SALT),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict",
    )
    KioskDevice.objects.filter(pk=device.pk).update(paired_at=timezone.now())


def paired_device(request, hall: Hall) -> KioskDevice:
    """The live kiosk device of this hall that sent the request, or NotPaired."""
    value = request.COOKIES.get(COOKIE)
    data = None
    if value:
        try:
            data = signing.loads(value, salt=COOKIE_SALT)
        except signing.BadSignature:
            data = None
    if isinstance(data, dict) and isinstance(data.get("k"), int):
        device = KioskDevice.objects.filter(
            pk=data["k"], hall=hall, revoked_at__isnull=True
        ).first()
        if device is not None and device.key == data.get("s"):
            return device
    raise NotPaired()


def add_kiosk(*, actor, hall: Hall, name: str, request=None) -> KioskDevice:
    """A new kiosk of the hall, to be paired with its link."""
    if not (actor.has_perm(MANAGE) and hall.pk in actor.hall_id_set):
        raise NotPermitted()
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise InvalidInput({"name": _("Name the kiosk (at most 60 characters).")})
    with transaction.atomic():
        device = KioskDevice.objects.create(hall=hall, name=name, created_by=actor)
        record(actor=actor, action="kiosk.added", obj=device, hall=hall,
               after={"name": name}, request=request)  # fmt: skip
    return device


def revoke_kiosk(*, actor, device: KioskDevice, request=None) -> KioskDevice:
    """The kiosk may take no more tickets (its cookie no longer counts)."""
    if not (actor.has_perm(MANAGE) and device.hall_id in actor.hall_id_set):
        raise NotPermitted()
    with transaction.atomic():
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
            record(actor=actor, action="kiosk.revoked", obj=device, hall=device.hall,
                   after={"name": device.name}, request=request)  # fmt: skip
    return device


# ------------------------------------------------------------------- rate limits


def _limits() -> dict:
    return {**LIMITS, **getattr(settings, "FLOOR_KIOSK_LIMITS", {})}


def _within(kind: str, who: str) -> bool:
    """Count one request of ``who`` in the current window; False once over the limit."""
    count, seconds = _limits()[kind]
    bucket = int(time.time() // seconds)
    key = f"floor:rate:{kind}:{who}:{bucket}"
    cache.add(key, 0, seconds * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, seconds * 2)
        used = 1
    return used <= count


def _check_device(device: KioskDevice) -> None:
    if not _within("device", str(device.pk)):
        raise RateLimited(
            _("This kiosk is taking too many tickets at once: please wait a minute and try "
              "again, or ask at the information desk.")
        )  # fmt: skip


def _check_id_number(id_number: str) -> None:
    # The number itself is not kept in the cache, only a digest of it.
    digest = hashlib.sha256(id_number.encode()).hexdigest()[:24]
    if not _within("id_number", digest):
        raise RateLimited(
            _("This ID number has taken too many tickets in a short time: please ask at "
              "the information desk.")
        )  # fmt: skip


# ----------------------------------------------------------------- at the kiosk


def take_ticket(*, device: KioskDevice, category: QueueCategory, id_number: str = "") -> Ticket:
    """A ticket taken at a paired kiosk, within its rate limits."""
    _check_device(device)
    id_number = services.normalise_id_number(id_number)
    if id_number:
        _check_id_number(id_number)
    return services.issue_ticket(hall=device.hall, category=category, id_number=id_number)


def check_in(*, device: KioskDevice, number: str) -> Ticket:
    """An appointment checked in at a paired kiosk (counted in the device's limit, so a
    kiosk cannot be used to try numbers)."""
    _check_device(device)
    return appointments.check_in(hall=device.hall, number=number)
