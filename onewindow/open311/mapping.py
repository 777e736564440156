"""How complaints and their categories read in GeoReport v2, and back.

One active `ComplaintCategory` is one service (its ``code`` the ``service_code``); one
`Complaint` is one service request (its public number the ``service_request_id``).
Open311 knows two statuses: a complaint is ``closed`` once it has its answer (answered or
closed; a reopened one is open again), ``open`` before.

What a GET shows to anyone is what the public may know of any complaint: category,
status, the responsible hall, dates and the place. The complainant's name, phone, e-mail,
ID number and postal address are never shown; the text of the complaint
(``description``) and its ``media_url`` only to the partner key that posted it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.complaints.models import Complaint, ComplaintCategory
from onewindow.complaints.services import days
from onewindow.halls.models import Hall

# The channels a partner key may post in.
KEY_CHANNELS = (Complaint.Channel.HOTLINE, Complaint.Channel.PARTNER)

# The attributes every service takes (all optional): what the complaint is about and the
# partner's own number, as `complaints.services.register` takes them.
ATTRIBUTE_CODES = ("case_number", "hall", "window_number", "staff", "external_id")


def channel_choices() -> dict[str, str]:
    """The channels a partner key may be tied to, the 12345 hotline first."""
    return {str(value): str(Complaint.Channel(value).label) for value in KEY_CHANNELS}


def services():
    return ComplaintCategory.objects.filter(active=True).order_by("sort", "code")


def service_item(category: ComplaintCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.local_name,
        "description": category.local_description,
        "metadata": True,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.local_group or category.get_kind_display(),
    }


def _halls():
    return Hall.objects.filter(is_active=True).order_by("sort_order", "code")


def service_definition(category: ComplaintCategory) -> dict:
    """The attributes a POST may carry as ``attribute[code]``: all optional."""
    hall_values = [{"key": hall.code, "name": hall.local_name} for hall in _halls()]
    attributes = [
        _attribute(
            "case_number",
            "string",
            1,
            _("The number of the case the complaint is about, as on the receipt."),
        ),
        _attribute(
            "hall",
            "singlevaluelist",
            2,
            _("The hall the complaint is about (without it: the centre)."),
            values=hall_values,
        ),
        _attribute(
            "window_number",
            "number",
            3,
            _("The number of the window the complaint is about (with the hall)."),
        ),
        _attribute(
            "staff",
            "string",
            4,
            _("The staff member's name or number, as the complainant gave it."),
        ),
        _attribute(
            "external_id",
            "string",
            5,
            _(
                "The partner system's own number of the request: the same number posted "
                "again returns the request already registered."
            ),
        ),
    ]
    return {"service_code": category.code, "attributes": attributes}


def _attribute(code, datatype, order, description, values=None) -> dict:
    item = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": None,
        "order": order,
        "description": description,
    }
    if values is not None:
        item["values"] = values
    return item


def w3(value: dt.datetime | None) -> str | None:
    """A time in the w3 form with its offset (Asia/Shanghai: +08:00)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def updated_at(complaint: Complaint) -> dt.datetime:
    """The last change of the complaint, from the times each step stores on its row."""
    times = (
        complaint.registered_at,
        complaint.assigned_at,
        complaint.findings_at,
        complaint.answered_at,
        complaint.closed_at,
        complaint.reopened_at,
    )
    return max(t for t in times if t is not None)


def service_notice() -> str:
    return _(
        "The supervision office answers a complaint within %(days)s working days of "
        "its registration."
    ) % {"days": days()["answer"]}


def request_item(complaint: Complaint, *, partner: str | None = None) -> dict:
    """One service request. ``partner``: the name of the key that asks; the text and
    the media of its own complaints are shown to it."""
    own = partner is not None and complaint.source_system == partner
    status = complaint.open311_status
    return {
        "service_request_id": complaint.number,
        "status": status,
        "status_notes": complaint.get_status_display(),
        "service_name": complaint.category.local_name,
        "service_code": complaint.category.code,
        "description": complaint.content if own else None,
        "agency_responsible": complaint.hall.local_name,
        "service_notice": service_notice() if status == "open" else None,
        "requested_datetime": w3(complaint.registered_at),
        "updated_datetime": w3(updated_at(complaint)),
        "expected_datetime": w3(end_of_day(complaint.answer_due)) if status == "open" else None,
        "address": complaint.address or None,
        "lat": _number(complaint.lat),
        "long": _number(complaint.long),
        "media_url": (complaint.media_url or None) if own else None,
    }


# What a request list reads of a complaint: nothing of the complainant.
REQUEST_FIELDS = (
    "number",
    "status",
    "content",
    "address",
    "lat",
    "long",
    "media_url",
    "source_system",
    "registered_at",
    "assigned_at",
    "findings_at",
    "answered_at",
    "closed_at",
    "reopened_at",
    "answer_due",
    "category__code",
    "category__name",
    "category__name_en",
    "hall__name",
    "hall__name_en",
)


def requests():
    return Complaint.objects.select_related("category", "hall").only(*REQUEST_FIELDS)
