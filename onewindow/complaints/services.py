"""Writes of the complaints app: registering, the handling steps, reopening, revealing
the complainant's contact details.

Every write runs in one transaction, locks the complaint row (``select_for_update``),
checks the optimistic version (a stale form or a double submit is refused) and the one
transitions table (`TRANSITIONS`), appends a `ComplaintStep` and writes the audit row.
Other apps call `register` (the Open311 endpoint, conduct observers) and never write
complaints themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.accounts.roles import Role
from onewindow.audit.services import record
from onewindow.cases import clock
from onewindow.cases.models import Case
from onewindow.halls.models import Hall, Window
from onewindow.lib import idnumbers

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintNumberCounter,
    ComplaintStep,
    PublicAttempt,
)

S = Complaint.Status
K = ComplaintStep.Kind

#: Working days for each step, counted from the registration (the investigation and the
#: answer from the last reopening too), and the reopening limit in calendar days from
#: the answer. Overridden by ``settings.ONEWINDOW_COMPLAINT_DAYS``.
DEFAULT_DAYS = {"assign": 1, "investigate": 10, "answer": 15, "reopen": 15, "close": 3}


def days() -> dict[str, int]:
    return {**DEFAULT_DAYS, **getattr(settings, "ONEWINDOW_COMPLAINT_DAYS", {})}


# -- errors -----------------------------------------------------------------------------
class ComplaintError(Exception):
    """Nothing was changed. ``code`` is stable, ``message`` translated when read."""

    code = "complaint_error"
    status = 400

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        self._message = message
        self.field = field
        if code:
            self.code = code
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class ComplaintInvalid(ComplaintError):
    """What was sent is incomplete or wrong; ``errors`` maps each field to its messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list]):
        self.errors = errors
        first = next(iter(errors.values()))[0]
        super().__init__(first, field=next(iter(errors)))

    def messages(self) -> dict[str, list[str]]:
        return {k: [str(m) for m in v] for k, v in self.errors.items()}


class NotPermitted(ComplaintError):
    code = "not_permitted"
    status = 403


class TransitionNotAllowed(ComplaintError):
    code = "transition_not_allowed"
    status = 409


class StaleComplaint(ComplaintError):
    code = "stale"
    status = 409


class ReopenTooLate(ComplaintError):
    code = "reopen_too_late"
    status = 409


# -- the transitions table ------------------------------------------------------------
#: action -> (statuses it may start from, status it leads to, step kind). One table for
#: the pages, the services and the tests.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "assign": ((S.REGISTERED, S.ASSIGNED, S.INVESTIGATING), S.ASSIGNED, K.ASSIGNED),
    "investigate": ((S.ASSIGNED,), S.INVESTIGATING, K.INVESTIGATING),
    "findings": ((S.INVESTIGATING,), None, K.FINDINGS),  # None: the status stays
    "answer": ((S.INVESTIGATING,), S.ANSWERED, K.ANSWERED),
    "close": ((S.ANSWERED,), S.CLOSED, K.CLOSED),
    "reopen": ((S.ANSWERED, S.CLOSED), S.INVESTIGATING, K.REOPENED),
}


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


# -- who may do what --------------------------------------------------------------------
def is_office(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("complaints.manage_complaints")
    )


def can_view_desk(user) -> bool:
    return is_office(user) or bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("complaints.handle_complaints")
    )


def may_act(user, complaint: Complaint, action: str) -> bool:
    """The office does every step; the assigned handler investigates, records the
    findings and answers; assigning, closing and reopening on the complainant's behalf
    are the office's."""
    if is_office(user):
        return True
    if action in ("investigate", "findings", "answer"):
        return complaint.assigned_to_id is not None and complaint.assigned_to_id == getattr(
            user, "pk", None
        )
    return False


def offered(user, complaint: Complaint) -> list[str]:
    """The actions the page offers: allowed now and by this user."""
    return [
        a
        for a in TRANSITIONS
        if allowed(a, complaint.status)
        and may_act(user, complaint, a)
        and (a != "answer" or complaint.findings_at is not None)
        and (a != "reopen" or complaint.can_reopen())
    ]


def handlers_for(complaint: Complaint):
    """Who may be given a complaint: the supervision office, and the hall managers and
    approvers of the responsible hall."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name=Role.SUPERVISOR)
            | Q(
                groups__name__in=[Role.HALL_MANAGER, Role.APPROVER],
                halls=complaint.hall_id,
            )
        )
        .distinct()
        .order_by("full_name", "username")
    )


# -- dates -------------------------------------------------------------------------------
def _due(start: dt.date, n: int) -> tuple[dt.date, bool]:
    r = clock.add_working_days(start, n)
    return r.value, r.provisional


def set_handling_dues(complaint: Complaint, start: dt.date) -> None:
    d = days()
    complaint.investigate_due, p1 = _due(start, d["investigate"])
    complaint.answer_due, p2 = _due(start, d["answer"])
    complaint.due_provisional = complaint.due_provisional or p1 or p2


# -- text checks ---------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, limit: int) -> str:
    """Text as typed, without control characters, trimmed to ``limit``. HTML stays as it
    was typed: every page escapes it (shown as text, never run)."""
    return _CONTROL.sub("", str(value or "")).strip()[:limit]


def _coord(value, low: int, high: int, field: str, errors: dict):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Give a number in degrees."))
        return None
    if not (low <= number <= high):
        errors.setdefault(field, []).append(_("This coordinate is out of range."))
        return None
    return number


def category_for(value) -> ComplaintCategory | None:
    if isinstance(value, ComplaintCategory):
        return value
    return ComplaintCategory.objects.filter(code=str(value or ""), active=True).first()


def default_hall() -> Hall | None:
    return Hall.objects.filter(kind=Hall.Kind.CENTRE, is_active=True).order_by("sort_order").first()


def _next_number(year: int) -> str:
    counter = ComplaintNumberCounter.objects.filter(year=year)
    for _attempt in range(5):
        if counter.update(last=F("last") + 1):
            return f"TS{year}{counter.values_list('last', flat=True).get():06d}"
        try:
            with transaction.atomic():
                ComplaintNumberCounter.objects.create(year=year, last=1)
            return f"TS{year}{1:06d}"
        except IntegrityError:
            continue
    raise RuntimeError("could not take a complaint number")  # pragma: no cover


def _step(complaint, kind, *, actor, at, from_status="", note="", public_note="", label=""):
    seq = (complaint.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return ComplaintStep.objects.create(
        complaint=complaint,
        seq=seq,
        kind=kind,
        from_status=from_status,
        to_status=complaint.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=label[:60],
        at=at,
        due=complaint.current_due,
        note=note,
        public_note=public_note,
    )


def _snapshot(c: Complaint) -> dict:
    return {
        "status": c.status,
        "assigned_to": c.assigned_to_id,
        "finding": c.finding,
        "staff_action": c.staff_action,
        "answer_due": c.answer_due.isoformat() if c.answer_due else None,
        "reopen_count": c.reopen_count,
    }


# -- register --------------------------------------------------------------------------
STAFF_CHANNELS = (
    Complaint.Channel.PHONE,
    Complaint.Channel.LETTER,
    Complaint.Channel.ON_SITE,
    Complaint.Channel.HOTLINE,
)


def register(
    *,
    category,
    channel: str,
    content: str,
    hall: Hall | None = None,
    subject_kind: str = "",
    case_number: str = "",
    window: Window | None = None,
    window_number: int | str | None = None,
    staff=None,
    subject_text: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_email: str = "",
    complainant_id_number: str = "",
    complainant_address: str = "",
    address: str = "",
    lat=None,
    long=None,
    media_url: str = "",
    source_system: str = "",
    external_id: str = "",
    actor=None,
    actor_label: str = "",
    at: dt.datetime | None = None,
    request=None,
) -> Complaint:
    """Register a complaint or request and return it, with its number and query code.

    ``category`` is a `ComplaintCategory` or its code (an Open311 ``service_code``).
    The subject is a case (``case_number``: the case's hall becomes the responsible
    hall), a window (``window``, or ``window_number`` in ``hall``), a staff member
    (``staff``, or ``subject_text`` as the complainant named them) or a hall; without
    ``hall`` the centre is responsible. The complainant needs a phone, an e-mail or a
    postal address, except a conduct observer's finding (``actor`` is the observer).
    ``actor`` is the staff member, observer or None (the public, a partner system: then
    ``actor_label`` names it). A partner's ``source_system`` + ``external_id`` registers
    once: the same pair again returns the complaint already registered.

    Raises `ComplaintInvalid` (field -> translated messages) and changes nothing.
    """
    now = at or timezone.now()
    errors: dict[str, list] = {}
    cat = category_for(category)
    if cat is None:
        errors["category"] = [_("Choose a category from the list.")]
    if channel not in Complaint.Channel.values:
        errors["channel"] = [_("Choose a channel from the list.")]
    content = clean_text(content, 4000)
    if not content:
        errors["content"] = [_("Write what the complaint is about.")]
    name = clean_text(complainant_name, 60)
    phone = clean_text(complainant_phone, 30)
    email = clean_text(complainant_email, 120)
    postal = clean_text(complainant_address, 200)
    if phone and not re.fullmatch(r"[0-9+\-() ]{5,30}", phone):
        errors.setdefault("complainant_phone", []).append(
            _("Give a phone number in digits (a landline may have an area code and a dash).")
        )
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.setdefault("complainant_email", []).append(_("Give a valid e-mail address."))
    if channel != Complaint.Channel.OBSERVER and not (phone or email or postal):
        errors.setdefault("complainant_phone", []).append(
            _("Give a phone number or an e-mail address so that we can answer you.")
        )
    id_number = clean_text(complainant_id_number, 40)
    if id_number:
        try:
            id_number = idnumbers.validate_resident_id(id_number)
        except idnumbers.InvalidIdNumber as exc:
            errors.setdefault("complainant_id_number", []).append(
                _("This resident ID number is not valid: %(reason)s") % {"reason": exc}
            )
    media_url = clean_text(media_url, 500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.setdefault("media_url", []).append(_("Give a web address (http or https)."))
    lat_v = _coord(lat, -90, 90, "lat", errors)
    long_v = _coord(long, -180, 180, "long", errors)

    case = None
    case_number = clean_text(case_number, 32).upper().replace(" ", "")
    if case_number:
        case = Case.objects.select_related("hall", "window").filter(number=case_number).first()
        if case is None:
            errors.setdefault("case_number", []).append(
                _("There is no case with the number %(number)s. Check the number on your receipt.")
                % {"number": case_number}
            )
    if window is None and window_number not in (None, "") and hall is None and not case_number:
        errors.setdefault("hall", []).append(_("Choose the hall of the window."))
    if window is None and window_number not in (None, "") and hall is not None:
        try:
            window = Window.objects.filter(hall=hall, number=int(window_number)).first()
        except (TypeError, ValueError):
            window = None
        if window is None:
            errors.setdefault("window_number", []).append(
                _("This hall has no window with that number.")
            )
    if case is not None:
        hall = case.hall
        if window is None and case.window_id:
            window = case.window
    elif window is not None:
        hall = window.hall
    elif staff is not None and hall is None:
        hall = staff.halls.order_by("sort_order").first()
    hall = hall or default_hall()
    if hall is None:
        errors.setdefault("hall", []).append(_("Choose the hall the complaint is about."))
    if not subject_kind:
        subject_kind = (
            Complaint.Subject.CASE
            if case
            else Complaint.Subject.STAFF
            if (staff or clean_text(subject_text, 100))
            else Complaint.Subject.WINDOW
            if window
            else Complaint.Subject.HALL
        )
    if subject_kind not in Complaint.Subject.values:
        errors.setdefault("subject_kind", []).append(_("Choose what the complaint is about."))
    elif subject_kind == Complaint.Subject.CASE and case is None and "case_number" not in errors:
        errors.setdefault("case_number", []).append(_("Give the number of the case."))
    elif (
        subject_kind == Complaint.Subject.WINDOW
        and window is None
        and not errors.get("window_number")
    ):
        errors.setdefault("window_number", []).append(_("Give the window's number."))
    elif (
        subject_kind == Complaint.Subject.STAFF
        and staff is None
        and not clean_text(subject_text, 100)
    ):
        errors.setdefault("subject_text", []).append(
            _("Give the staff member's name or number as you saw it.")
        )
    source_system = clean_text(source_system, 40)
    external_id = clean_text(external_id, 64)
    if errors:
        raise ComplaintInvalid(errors)

    if external_id:
        existing = Complaint.objects.filter(
            source_system=source_system, external_id=external_id
        ).first()
        if existing is not None:
            return existing

    d = days()
    on = clock.local_date(now)
    with transaction.atomic():
        complaint = Complaint(
            number=_next_number(on.year),
            category=cat,
            channel=channel,
            hall=hall,
            subject_kind=subject_kind,
            subject_case=case,
            subject_window=window,
            subject_staff=staff,
            subject_text=clean_text(subject_text, 100),
            complainant_name=name,
            complainant_phone=phone,
            complainant_email=email,
            complainant_id_number=id_number,
            complainant_address=postal,
            content=content,
            address=clean_text(address, 200),
            lat=lat_v,
            long=long_v,
            media_url=media_url,
            source_system=source_system,
            external_id=external_id,
            registered_at=now,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        complaint.assign_due, p0 = _due(on, d["assign"])
        complaint.due_provisional = p0
        set_handling_dues(complaint, on)
        complaint.save()
        _step(
            complaint,
            K.REGISTERED,
            actor=actor,
            at=now,
            label=actor_label or complaint.get_channel_display(),
        )
        record(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action="complaint.registered",
            obj=complaint,
            hall=hall,
            after={**_snapshot(complaint), "channel": channel, "category": cat.code},
            note=actor_label or channel,
            request=request,
        )
    return complaint


# -- the handling steps ---------------------------------------------------------------
def _lock(complaint: Complaint, expected_version: int | None) -> Complaint:
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("hall", "category")
        .get(pk=complaint.pk)
    )
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleComplaint(
            _(
                "Someone changed this complaint in the meantime (or the form was sent "
                "twice). Nothing was changed: check the current state and try again."
            )
        )
    return locked


def _refuse_transition(locked: Complaint, action: str):
    raise TransitionNotAllowed(
        _("A complaint that is “%(status)s” cannot be %(action)s.")
        % {"status": locked.get_status_display(), "action": ACTION_VERBS[action]}
    )


ACTION_VERBS = {
    "assign": pgettext_lazy("complaint action", "assigned"),
    "investigate": pgettext_lazy("complaint action", "put under investigation"),
    "findings": pgettext_lazy("complaint action", "given findings"),
    "answer": pgettext_lazy("complaint action", "answered"),
    "close": pgettext_lazy("complaint action", "closed"),
    "reopen": pgettext_lazy("complaint action", "reopened"),
}


def _act(
    action: str,
    *,
    actor,
    complaint: Complaint,
    expected_version: int | None,
    change,
    note: str = "",
    public_note: str = "",
    label: str = "",
    at: dt.datetime | None = None,
    request=None,
    check=None,
) -> Complaint:
    now = at or timezone.now()
    with transaction.atomic():
        locked = _lock(complaint, expected_version)
        if not allowed(action, locked.status):
            _refuse_transition(locked, action)
        if actor is not None and not may_act(actor, locked, action):
            raise NotPermitted(_("You may not do this step of this complaint."))
        if check is not None:
            check(locked, now)
        before = _snapshot(locked)
        from_status = locked.status
        to_status = TRANSITIONS[action][1]
        if to_status is not None:
            locked.status = to_status
        change(locked, now)
        locked.version += 1
        locked.save()
        _step(
            locked,
            TRANSITIONS[action][2],
            actor=actor,
            at=now,
            from_status=from_status,
            note=note,
            public_note=public_note,
            label=label,
        )
        record(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=f"complaint.{action}",
            obj=locked,
            hall=locked.hall,
            before=before,
            after=_snapshot(locked),
            note=(note or public_note)[:500],
            request=request,
        )
    return locked


def assign(
    *,
    actor,
    complaint: Complaint,
    handler,
    note: str = "",
    expected_version: int | None = None,
    at=None,
    request=None,
) -> Complaint:
    """The office gives the complaint to a handler (in the office or in the responsible
    hall); again to another handler while it is being handled."""
    if not is_office(actor):
        raise NotPermitted(_("Only the supervision office assigns complaints."))
    if handler is None or not handlers_for(complaint).filter(pk=handler.pk).exists():
        raise ComplaintInvalid(
            {
                "handler": [
                    _("Choose a handler of the supervision office or of the responsible hall.")
                ]
            }
        )

    def change(c, now):
        c.assigned_to = handler
        c.assigned_at = now

    return _act(
        "assign",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=change,
        note=clean_text(note, 2000) or str(handler.full_name or handler.username),
        at=at,
        request=request,
    )


def start_investigation(
    *, actor, complaint, note: str = "", expected_version=None, at=None, request=None
) -> Complaint:
    """The handler takes the complaint up."""
    return _act(
        "investigate",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=lambda c, now: None,
        note=clean_text(note, 2000),
        at=at,
        request=request,
    )


def record_findings(
    *,
    actor,
    complaint,
    finding: str,
    staff_action: str,
    note: str,
    expected_version=None,
    at=None,
    request=None,
) -> Complaint:
    """What the investigation found (valid / partly valid / not valid) and the action
    taken on the staff member; the note is internal. May be recorded again before the
    answer."""
    errors: dict[str, list] = {}
    if finding not in Complaint.Finding.values:
        errors["finding"] = [_("Choose a finding.")]
    if staff_action not in Complaint.StaffAction.values:
        errors["staff_action"] = [_("Choose the action on the staff member (or none).")]
    note = clean_text(note, 4000)
    if not note:
        errors["note"] = [_("Write what the investigation found.")]
    if errors:
        raise ComplaintInvalid(errors)

    def change(c, now):
        c.finding, c.staff_action, c.investigation_note = finding, staff_action, note
        c.findings_at = now

    return _act(
        "findings",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=change,
        note=note,
        at=at,
        request=request,
    )


def answer(
    *, actor, complaint, text: str, expected_version=None, at=None, request=None
) -> Complaint:
    """The answer to the complainant (public). The reopening limit starts from its date."""
    text = clean_text(text, 4000)
    if not text:
        raise ComplaintInvalid({"text": [_("Write the answer to the complainant.")]})

    def check(c, now):
        if c.findings_at is None:
            raise TransitionNotAllowed(_("Record the findings of the investigation first."))

    def change(c, now):
        d = days()
        on = clock.local_date(now)
        c.answer_text = text
        c.answered_at = now
        c.reopen_until = on + dt.timedelta(days=d["reopen"])
        c.close_due, p = _due(c.reopen_until, d["close"])
        c.due_provisional = c.due_provisional or p

    return _act(
        "answer",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=change,
        public_note=text,
        at=at,
        request=request,
        check=check,
    )


def close(*, actor, complaint, note: str = "", expected_version=None, at=None, request=None):
    """The office closes an answered complaint (the complainant may still reopen it
    within the limit)."""

    def change(c, now):
        c.closed_at = now

    return _act(
        "close",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=change,
        note=clean_text(note, 2000),
        at=at,
        request=request,
    )


def reopen(
    *,
    complaint,
    reason: str,
    actor=None,
    expected_version=None,
    at=None,
    request=None,
) -> Complaint:
    """The complainant (``actor`` None, from the public page) or the office on their
    behalf reopens an answered or closed complaint within the limit; it goes back to
    investigating with new due dates counted from today and needs new findings."""
    reason = clean_text(reason, 2000)
    if not reason:
        raise ComplaintInvalid({"reason": [_("Write why you are not satisfied with the answer.")]})
    if actor is not None and not is_office(actor):
        raise NotPermitted(_("Only the complainant or the supervision office reopens a complaint."))

    def check(c, now):
        if c.reopen_until is None or clock.local_date(now) > c.reopen_until:
            raise ReopenTooLate(
                _(
                    "The time to reopen this complaint ended on %(date)s (%(days)s days "
                    "after the answer). You may register a new complaint."
                )
                % {"date": c.reopen_until, "days": days()["reopen"]}
            )

    def change(c, now):
        c.reopened_at = now
        c.reopen_count += 1
        c.findings_at = None
        c.closed_at = None
        c.close_due = None
        c.reopen_until = None
        set_handling_dues(c, clock.local_date(now))

    return _act(
        "reopen",
        actor=actor,
        complaint=complaint,
        expected_version=expected_version,
        change=change,
        public_note=reason,
        label="" if actor else str(_("Complainant")),
        at=at,
        request=request,
        check=check,
    )


ACTIONS = {
    "assign": assign,
    "investigate": start_investigation,
    "findings": record_findings,
    "answer": answer,
    "close": close,
    "reopen": reopen,
}


# -- contact details --------------------------------------------------------------------
def reveal_contact(*, actor, complaint: Complaint, request=None) -> dict[str, str]:
    """The complainant's full contact details, for those handling the complaint; each
    view is an audit row ``complaint.contact_viewed`` (the details are not logged)."""
    if not complaint.is_handled_by(actor):
        raise NotPermitted(
            _("Only the supervision office and the assigned handler see the complainant's details.")
        )
    with transaction.atomic():
        record(
            actor=actor,
            action="complaint.contact_viewed",
            obj=complaint,
            hall=complaint.hall,
            request=request,
        )
    return {
        "complainant_name": complaint.complainant_name,
        "complainant_phone": complaint.complainant_phone,
        "complainant_email": complaint.complainant_email,
        "complainant_id_number": complaint.complainant_id_number,
        "complainant_address": complaint.complainant_address,
    }


# -- public limits -------------------------------------------------------------------
REGISTER_LIMIT = (5, dt.timedelta(hours=1))
LOOKUP_LIMIT = (10, dt.timedelta(minutes=15))


def too_many(client: str, kind: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    limit, window = REGISTER_LIMIT if kind == PublicAttempt.Kind.REGISTER else LOOKUP_LIMIT
    return (
        PublicAttempt.objects.filter(client=client, kind=kind, at__gt=now - window).count() >= limit
    )


def note_attempt(client: str, kind: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    PublicAttempt.objects.filter(client=client, at__lte=now - dt.timedelta(hours=1)).delete()
    PublicAttempt.objects.create(client=client, kind=kind, at=now)


def find_public(number: str, code: str) -> Complaint | None:
    """The complaint with this number and query code, or None (a wrong code answers as
    an unknown number does)."""
    import secrets

    number = "".join((number or "").split()).upper()[:20]
    code = "".join((code or "").split()).upper()[:8]
    complaint = Complaint.objects.select_related("hall", "category").filter(number=number).first()
    stored = complaint.query_code if complaint else "X" * 8
    if not code or not secrets.compare_digest(stored.encode(), code.encode()) or not complaint:
        return None
    return complaint
