"""The GeoReport v2 endpoints, at the spec's paths and in its two formats.

Plain Django views: the paths, parameters and answers are fixed by the spec (the ninja
API's JSON schemas and error format would not fit). Every error is the spec's list of
``{code, description}`` with the HTTP status the spec names: 403 for a missing or invalid
``api_key``, 404 for an unknown service, request, token or jurisdiction, 400 for the rest
(429 past the rate limits). Descriptions follow the request's language like every page
and are Chinese unless the client asks for English: unlike the pages, which follow the
language switch's cookie alone, these follow Accept-Language too, since partner systems
keep no cookie (`speaks_the_clients_language`).

GETs need no key; a POST (form-encoded, CSRF-exempt: partner systems have no session)
needs a live partner key and registers the complaint through the complaints app's
`register`, in one transaction with the `Submission` that remembers which key posted it.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.complaints.models import Complaint
from onewindow.complaints.services import ComplaintInvalid, register
from onewindow.core.http import client_address
from onewindow.halls.models import Hall

from . import conf, limits, mapping
from .models import PartnerKey, Submission
from .renderers import render, render_errors

MAX_REQUESTS = 1000
MAX_SPAN = dt.timedelta(days=90)
MAX_IDS = 1000


def speaks_the_clients_language(view):
    """Answer in the language the client asks for (cookie, else Accept-Language), else
    in the site's default (Chinese)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return wrapper


class Open311Error(Exception):
    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status = status
        self.description = description


def _errors(fmt: str, exc: Open311Error | list):
    if isinstance(exc, Open311Error):
        return render_errors(fmt, exc.status, [(exc.status, exc.description)])
    return render_errors(fmt, 400, [(400, description) for description in exc])


def _check_jurisdiction(params) -> None:
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given != conf.jurisdiction():
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found.") % {"id": given[:100]})


def _partner(request) -> str | None:
    """The name of the partner whose live key a GET carries (optional), or None."""
    key = PartnerKey.find((request.GET.get("api_key") or "").strip())
    return key.name if key else None


# -------------------------------------------------------------------------- services


@never_cache
@speaks_the_clients_language
@require_GET
def service_list(request, fmt: str):
    try:
        _check_jurisdiction(request.GET)
    except Open311Error as exc:
        return _errors(fmt, exc)
    items = [mapping.service_item(category) for category in mapping.services()]
    return render(fmt, "services", items)


@never_cache
@speaks_the_clients_language
@require_GET
def service_definition(request, code: str, fmt: str):
    try:
        _check_jurisdiction(request.GET)
        category = mapping.services().filter(code=code).first()
        if category is None:
            raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    except Open311Error as exc:
        return _errors(fmt, exc)
    return render(fmt, "service_definition", mapping.service_definition(category))


# -------------------------------------------------------------------------- requests


def _w3(value: str, name: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise Open311Error(
            400,
            _("%(name)s must be a w3 date and time with its time zone, e.g. %(example)s.")
            % {"name": name, "example": "2010-01-01T00:00:00Z"},
        )
    return parsed


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _filtered(params, queryset):
    """The requests the spec's filters select: ``service_request_id`` (a comma list,
    which overrides the rest), ``service_code`` (a comma list), ``start_date`` and
    ``end_date`` (at most 90 days apart; the last 90 days by default) and ``status``
    (``open``, ``closed`` or both)."""
    ids = _comma_list(params.get("service_request_id", ""))
    if ids:
        return queryset.filter(number__in=ids[:MAX_IDS])
    codes = _comma_list(params.get("service_code", ""))
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    start = _w3(params.get("start_date", ""), "start_date")
    end = _w3(params.get("end_date", ""), "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date may not be more than 90 days apart."))
    queryset = queryset.filter(registered_at__gte=start, registered_at__lte=end)
    statuses = set(_comma_list(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both (comma separated)."))
    if statuses == {"open"}:
        queryset = queryset.exclude(status__in=Complaint.OPEN311_CLOSED)
    elif statuses == {"closed"}:
        queryset = queryset.filter(status__in=Complaint.OPEN311_CLOSED)
    return queryset


@never_cache
@speaks_the_clients_language
@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request, fmt: str):
    if request.method == "POST":
        return _post_request(request, fmt)
    try:
        _check_jurisdiction(request.GET)
        complaints = _filtered(request.GET, mapping.requests())
    except Open311Error as exc:
        return _errors(fmt, exc)
    partner = _partner(request)
    complaints = complaints.order_by("-registered_at", "-pk")[:MAX_REQUESTS]
    items = [mapping.request_item(c, partner=partner) for c in complaints]
    return render(fmt, "service_requests", items)


@never_cache
@speaks_the_clients_language
@require_GET
def request_detail(request, number: str, fmt: str):
    try:
        _check_jurisdiction(request.GET)
        complaint = mapping.requests().filter(number=number).first()
        if complaint is None:
            raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": number})
    except Open311Error as exc:
        return _errors(fmt, exc)
    item = mapping.request_item(complaint, partner=_partner(request))
    return render(fmt, "service_requests", [item])


@never_cache
@speaks_the_clients_language
@require_GET
def token_detail(request, token: str, fmt: str):
    try:
        _check_jurisdiction(request.GET)
        submission = (
            (Submission.objects.select_related("complaint").only("token", "complaint__number"))
            .filter(token=token)
            .first()
        )
        if submission is None:
            raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    except Open311Error as exc:
        return _errors(fmt, exc)
    item = {"service_request_id": submission.complaint.number, "token": submission.token}
    return render(fmt, "service_requests", [item])


# -------------------------------------------------------------------------- POST


def _attribute(params, code: str) -> str:
    return (params.get(f"attribute[{code}]") or "").strip()


def _complainant_name(first: str, last: str) -> str:
    """Chinese names are written family name first and without a space."""
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _hall(code: str) -> Hall | None:
    if not code:
        return None
    hall = Hall.objects.filter(code=code, is_active=True).first()
    if hall is None:
        raise Open311Error(400, _("attribute[hall]: there is no hall %(code)s.") % {"code": code})
    return hall


def _post_request(request, fmt: str):
    params = request.POST
    address = client_address(request)
    try:
        _check_jurisdiction(params)
        if limits.bad_keys_exceeded(address):
            raise Open311Error(429, _("Too many requests without a valid api_key; wait a minute."))
        key = PartnerKey.find((params.get("api_key") or "").strip())
        if key is None:
            limits.note_bad_key(address)
            raise Open311Error(403, _("api_key is missing or invalid."))
        if limits.posts_exceeded(key.prefix):
            raise Open311Error(429, _("Too many requests from this api_key; wait a minute."))
        limits.note_post(key.prefix)
        code = (params.get("service_code") or "").strip()
        if not code:
            raise Open311Error(400, _("service_code was not provided."))
        category = mapping.services().filter(code=code).first()
        if category is None:
            raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
        lat, long = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
        address_string = (params.get("address_string") or "").strip()
        address_id = (params.get("address_id") or "").strip()
        if bool(lat) != bool(long):
            raise Open311Error(400, _("lat and long must be sent together."))
        if not (lat or address_string or address_id):
            raise Open311Error(
                400, _("A location is required: lat and long, address_string or address_id.")
            )
        hall = _hall(_attribute(params, "hall"))
    except Open311Error as exc:
        return _errors(fmt, exc)

    try:
        with transaction.atomic():
            complaint = register(
                category=category,
                channel=key.channel,
                content=params.get("description") or "",
                hall=hall,
                case_number=_attribute(params, "case_number"),
                window_number=_attribute(params, "window_number") or None,
                subject_text=_attribute(params, "staff"),
                complainant_name=_complainant_name(
                    params.get("first_name") or "", params.get("last_name") or ""
                ),
                complainant_phone=params.get("phone") or "",
                complainant_email=params.get("email") or "",
                address=address_string or address_id,
                lat=lat or None,
                long=long or None,
                media_url=params.get("media_url") or "",
                source_system=key.name,
                external_id=_attribute(params, "external_id"),
                actor=None,
                actor_label=key.name,
                request=request,
            )
            submission, _created = Submission.objects.get_or_create(
                complaint=complaint, defaults={"key": key}
            )
            PartnerKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    except ComplaintInvalid as exc:
        return _errors(
            fmt,
            [
                f"{_PARAMETER.get(field, field)}: {message}"
                for field, messages in exc.messages().items()
                for message in messages
            ],
        )
    item = {"token": submission.token} if key.batch else {"service_request_id": complaint.number}
    item.update({"service_notice": mapping.service_notice(), "account_id": None})
    return render(fmt, "service_requests", [item])


# The complaint's field names as the spec's parameters name them.
_PARAMETER = {
    "content": "description",
    "complainant_phone": "phone",
    "complainant_email": "email",
    "subject_text": "attribute[staff]",
    "case_number": "attribute[case_number]",
    "window_number": "attribute[window_number]",
    "hall": "attribute[hall]",
    "category": "service_code",
    "media_url": "media_url",
    "lat": "lat",
    "long": "long",
}
