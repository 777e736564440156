"""At the window: receive, correct, accept (with gaps), refuse, handle at once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.lib import idnumbers

from .. import clock
from ..models import Attachment, Case, CaseEvent, CaseMaterial, CorrectionNotice
from ..numbering import next_case_number
from ..uploads import content_type_for
from .common import (
    Change,
    Origin,
    finish,
    hand_back_to_window,
    in_hall,
    lock,
    now,
    official,
    require,
    start_step,
)
from .errors import InvalidInput, NotPermitted, TransitionNotAllowed, fmt
from .handling import conclude_into, default_remedies

S = Case.Status
K = CaseEvent.Kind

# Days the law gives for a correction notice (一次性告知), counted as working days.
CORRECTION_NOTICE_DAYS = clock.INTAKE_DAYS

#: Kept with an acceptance whose clock runs from the day the papers came in.
DEEMED_REASON = _(
    "No correction notice or decision within 5 working days of the papers coming in: "
    "the application counts as accepted on that day (行政许可法 第三十二条)."
)

_PHONE_RE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})|(0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)|(\d{7,8})")

ID_ERRORS = {
    "empty": _("Enter the resident ID number."),
    "length": _("A resident ID number has 18 characters."),
    "characters": _("A resident ID number is 17 digits followed by a digit or X."),
    "region": _("The region code at the start of the ID number is not valid."),
    "birth_date": _("The birth date in the ID number is not valid."),
    "checksum": _("The check character (the last one) does not match: please check the ID number."),
}
CREDIT_ERRORS = {
    "empty": _("Enter the unified social credit code."),
    "length": _("A unified social credit code has 18 characters."),
    "characters": _("A credit code uses digits and capital letters except I, O, Z, S and V."),
    "region": _("The region code in the credit code (characters 3 to 8) is not valid."),
    "checksum": _(
        "The check character (the last one) does not match: please check the credit code."
    ),
}


def normalise_phone(value: str) -> str | None:
    """A mobile or landline number in a plain form, or None when it is not one."""
    v = idnumbers.normalize(value or "").replace(" ", "")
    m = _PHONE_RE.fullmatch(v)
    if not m:
        return None
    return m.group(1) or m.group(2) or m.group(3)


def validate_applicant(
    applicant_kind: str, applicant_id_number: str
) -> tuple[str | None, object | None]:
    """(normalised number, None) or (None, translated error) for a person's resident ID
    or an organisation's unified social credit code."""
    try:
        if applicant_kind == Case.ApplicantKind.PERSON:
            return idnumbers.validate_resident_id(applicant_id_number or ""), None
        return idnumbers.validate_credit_code(applicant_id_number or ""), None
    except idnumbers.InvalidIdNumber as exc:
        table = ID_ERRORS if applicant_kind == Case.ApplicantKind.PERSON else CREDIT_ERRORS
        return None, table.get(exc.code, table["checksum"])


def _material_ids(values, field: str, errors: dict) -> set[int]:
    ids = set()
    for v in values or ():
        try:
            ids.add(int(v))
        except (TypeError, ValueError):
            errors[field] = _("Choose materials from the item's checklist.")
    return ids


def receive_case(
    *,
    actor,
    hall,
    item,
    applicant_kind: str,
    applicant_name: str,
    applicant_id_number: str,
    contact_phone: str,
    contact_name: str = "",
    window=None,
    provided_material_ids: Iterable[int] = (),
    received_at: dt.datetime | None = None,
    source: str = Case.Source.WINDOW,
    intake_key: str | None = None,
    number: str | None = None,
    origin: Origin | None = None,
    request=None,
) -> Case:
    """Take in an application (收件): a new case in status *received* with the item's
    material checklist, the materials handed in ticked. The clock does not run yet.

    ``intake_key`` (optional, unique per hall): the same key twice in the hall is a double
    submit; the database refuses the second case (IntegrityError) and the caller looks up
    the first in the same hall.
    ``number``: a case number given by another system (the exchange); otherwise the
    hall's next number of the day.
    """
    if actor is not None and (
        not actor.is_active
        or not actor.has_perm("cases.handle_cases")
        or not in_hall(actor, hall.pk)
    ):
        raise NotPermitted()
    errors: dict = {}
    version = getattr(item, "published_version", None)
    if version is None or version.status != version.Status.PUBLISHED:
        errors["item"] = _(
            "This item is not published: cases can only be received for items in force."
        )
    elif hall.pk not in version.frozen_parts().hall_ids:
        errors["item"] = fmt(_("This item is not handled in %(hall)s."), hall=hall.name)
    if applicant_kind not in Case.ApplicantKind.values:
        errors["applicant_kind"] = _("Choose a person or an organisation.")
        number_checked = None
    else:
        number_checked, error = validate_applicant(applicant_kind, applicant_id_number)
        if error:
            errors["applicant_id_number"] = error
    name = (applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = _("Enter the applicant's name.")
    elif len(name) > 200:
        errors["applicant_name"] = _("The name is too long (at most 200 characters).")
    phone = normalise_phone(contact_phone)
    if phone is None:
        errors["contact_phone"] = _(
            "Enter a mobile number (11 digits) or a landline number with its area code."
        )
    if window is not None and window.hall_id != hall.pk:
        errors["window"] = _("This window is not in the hall.")
    if source not in Case.Source.values:
        errors["source"] = _("Unknown source.")
    provided = _material_ids(provided_material_ids, "provided_material_ids", errors)
    materials = version.frozen_parts().materials if "item" not in errors else ()
    if provided - {m.pk for m in materials} and "item" not in errors:
        errors["provided_material_ids"] = _("Choose materials from the item's checklist.")
    moment = received_at or now()
    if moment > now() + dt.timedelta(minutes=5):
        errors["received_at"] = _("The time of receipt cannot be in the future.")
    if errors:
        raise InvalidInput(errors)

    case = Case(
        source=source,
        hall=hall,
        window=window,
        department_id=item.department_id,
        item=item,
        item_version=version,
        is_immediate=version.is_immediate,
        applicant_kind=applicant_kind,
        applicant_name=name,
        applicant_id_number=number_checked,
        contact_name=(contact_name or "").strip()[:60],
        contact_phone=phone,
        received_at=moment,
        received_by=actor if getattr(actor, "pk", None) else None,
        intake_key=intake_key or None,
        legal_limit_days=version.legal_limit_days,
        promised_limit_days=version.promised_limit_days,
    )
    with transaction.atomic():
        case.number = number or next_case_number(hall, clock.local_date(moment))
        case.save(force_insert=True)
        CaseMaterial.objects.bulk_create(
            CaseMaterial(
                case=case,
                material=m,
                name=m.name,
                required=m.required,
                provided=m.pk in provided,
            )
            for m in materials
        )
        change = Change(
            case=case, actor=actor, action="received", at=moment, origin=origin, window=window
        )
        change.before = None
        change.event(
            K.RECEIVED,
            to_status=S.RECEIVED,
            data={
                "item": item.implementation_code,
                "version": version.number,
                "provided": sorted(provided),
                "source": source,
            },
        )
        return finish(change, request=request, bump=False)


def _missing_required(case: Case) -> list[CaseMaterial]:
    """Required materials neither handed in nor allowed to follow."""
    return list(
        case.materials.filter(required=True, provided=False, to_follow=False).order_by("id")
    )


def _notices(case: Case) -> list[tuple[dt.date, dt.date | None]]:
    """The case's correction notices as (issued on, papers back on), in order."""
    return [
        (clock.local_date(n.issued_at), clock.local_date(n.supplied_at) if n.supplied_at else None)
        for n in case.corrections.order_by("round")
    ]


def _accept(change: Change, *, start_steps: bool = True) -> None:
    """Start the clock: copy the limits of the version, compute the due dates, open the
    first step (or hand the case back to the window when the item has no steps)."""
    case = change.case
    version = case.item_version
    deemed = clock.deemed_acceptance_on(
        clock.local_date(case.received_at), _notices(case), change.today
    )
    from_status = case.status
    case.status = S.ACCEPTED
    case.accepted_at = change.at
    case.accepted_on = deemed or change.today
    case.acceptance_deemed = deemed is not None
    case.is_immediate = version.is_immediate
    case.legal_limit_days = version.legal_limit_days
    case.promised_limit_days = version.promised_limit_days
    clock.recompute(case, periods=[])
    change.event(
        K.ACCEPTED,
        from_status=from_status,
        to_status=S.ACCEPTED,
        data={
            "accepted_on": case.accepted_on,
            "promised_due_date": case.promised_due_date,
            "legal_due_date": case.legal_due_date,
            "provisional": case.due_provisional,
            "deemed_on_receipt": deemed is not None,
        },
        reason=official(DEEMED_REASON) if deemed else "",
    )
    # A case handled in a department system takes its steps there (the exchange records
    # them as they are reported).
    if start_steps and case.source != Case.Source.EXCHANGE and version.frozen_parts().steps:
        start_step(change, 1)
    else:
        hand_back_to_window(case)


def _missing_error(missing: list[CaseMaterial]):
    return fmt(
        _(
            "Required materials are missing: %(names)s. Issue a correction notice, or accept with these materials to follow."
        ),
        names="、".join(m.name for m in missing),
    )


@transaction.atomic
def accept_case(
    *,
    actor,
    case: Case,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Accept (受理): every required material is there; the clock starts."""
    case = lock(case, "accept", expected_version)
    require(actor, case)
    missing = _missing_required(case)
    if missing:
        raise InvalidInput({"provided_material_ids": _missing_error(missing)})
    change = Change(case=case, actor=actor, action="accepted", at=at, origin=origin, window=window)
    _accept(change)
    return finish(change, request=request)


@transaction.atomic
def accept_with_gaps(
    *,
    actor,
    case: Case,
    missing_material_ids: Iterable[int],
    gaps_due_date: dt.date,
    promise: str,
    expected_version: int | None = None,
    window=None,
    request=None,
) -> Case:
    """Accept with gaps (容缺受理): minor materials the item allows to follow later come
    after acceptance, on the applicant's signed promise and by a due date."""
    case = lock(case, "accept_with_gaps", expected_version)
    require(actor, case)
    errors: dict = {}
    ids = _material_ids(missing_material_ids, "missing_material_ids", errors)
    by_material = {
        m.material_id: m for m in case.materials.select_related("material") if m.material_id
    }
    gaps = []
    for material_id in sorted(ids):
        cm = by_material.get(material_id)
        if cm is None:
            errors["missing_material_ids"] = _("Choose materials from the item's checklist.")
        elif cm.provided:
            errors["missing_material_ids"] = fmt(
                _("“%(name)s” was handed in already."), name=cm.name
            )
        elif cm.material is None or not cm.material.may_follow_later:
            errors["missing_material_ids"] = fmt(
                _("“%(name)s” may not follow later: the item does not allow it (容缺)."),
                name=cm.name,
            )
        else:
            gaps.append(cm)
    if not ids:
        errors["missing_material_ids"] = _("Choose the materials that will follow.")
    if not errors:
        others = [m for m in _missing_required(case) if m not in gaps]
        if others:
            errors["missing_material_ids"] = fmt(
                _(
                    "Other required materials are missing too: %(names)s. Issue a correction notice instead."
                ),
                names="、".join(m.name for m in others),
            )
    if not (promise or "").strip():
        errors["promise"] = _("Record the applicant's promise to hand in the materials.")
    today = clock.local_date()
    if not isinstance(gaps_due_date, dt.date):
        errors["gaps_due_date"] = _("Enter the date by which the materials will follow.")
    elif gaps_due_date < today:
        errors["gaps_due_date"] = _("The due date for the materials cannot be in the past.")
    if errors:
        raise InvalidInput(errors)
    change = Change(case=case, actor=actor, action="accepted_with_gaps", window=window)
    for cm in gaps:
        cm.to_follow = True
        cm.save(update_fields=["to_follow"])
    case.gaps_due_date = gaps_due_date
    case.gaps_promise = promise.strip()
    change.event(
        K.ACCEPTED_WITH_GAPS,
        from_status=S.RECEIVED,
        to_status=S.ACCEPTED,
        reason=case.gaps_promise,
        data={
            "to_follow": [cm.name for cm in gaps],
            "material_ids": sorted(ids),
            "due": gaps_due_date,
        },
    )
    _accept(change)
    return finish(change, request=request)


@transaction.atomic
def refuse_case(
    *,
    actor,
    case: Case,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Refuse at intake (不予受理) with a written reason given to the applicant."""
    case = lock(case, "refuse", expected_version)
    require(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {
                "reason": _(
                    "Write the reason for not accepting: the applicant receives it in writing."
                )
            }
        )
    change = Change(case=case, actor=actor, action="refused", at=at, origin=origin, window=window)
    from_status = case.status
    case.status = S.REFUSED
    case.refusal_reason = reason
    case.refused_at = change.at
    case.remedies = default_remedies()
    case.current_assignee = None
    change.event(K.REFUSED, from_status=from_status, to_status=S.REFUSED, reason=reason)
    return finish(change, request=request)


def _normalise_items(raw_items, materials: dict[int, CaseMaterial], errors: dict) -> list[dict]:
    items: list[dict] = []
    seen_materials: set[int] = set()
    for raw in raw_items or ():
        if isinstance(raw, bool):
            raw = None
        if isinstance(raw, int):
            raw = {"material_id": raw}
        elif isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, dict):
            errors["items"] = _("Each item is a material of the checklist or a line of text.")
            continue
        material_id = raw.get("material_id")
        if material_id in ("", None):
            material_id = None
        else:
            try:
                material_id = int(material_id)
            except (TypeError, ValueError):
                material_id = -1
            if material_id not in materials:
                errors["items"] = _("Choose materials from the item's checklist.")
                continue
            if material_id in seen_materials:
                continue
            seen_materials.add(material_id)
        name = str(raw.get("name") or "").strip() or (
            materials[material_id].name if material_id else ""
        )
        if not name:
            continue
        items.append(
            {
                "material_id": material_id,
                "name": name[:200],
                "note": str(raw.get("note") or "").strip()[:500],
                "derived_from": (str(raw["derived_from"]) if raw.get("derived_from") else None),
            }
        )
    return items


@transaction.atomic
def issue_correction_notice(
    *,
    actor,
    case: Case,
    items,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Issue a one-time correction notice (一次性告知) listing everything missing.

    ``items``: material ids of the checklist, lines of text, or dicts with
    ``material_id``, ``name``, ``note`` and ``derived_from`` (the key of an item of an
    earlier notice). The first notice always lists every required material not handed
    in. A later notice may only list what is still missing from an earlier notice or
    derives from it: what was already there to check cannot be added afterwards.
    Items are stored with a ``key`` ("round.index").
    """
    case = lock(case, "issue_correction", expected_version)
    require(actor, case)
    errors: dict = {}
    case_materials = {m.material_id: m for m in case.materials.all() if m.material_id}
    items = _normalise_items(items, case_materials, errors)
    earlier = list(case.corrections.all())
    round_no = len(earlier) + 1
    listed = {i["material_id"] for i in items if i["material_id"]}
    # Everything missing goes on the notice: required materials not handed in are added.
    for m in case_materials.values():
        if m.required and not m.provided and m.material_id not in listed:
            items.append(
                {"material_id": m.material_id, "name": m.name, "note": "", "derived_from": None}
            )
    if round_no > 1:
        earlier_items = [i for n in earlier for i in n.items]
        by_key = {i.get("key"): i for i in earlier_items}
        by_material = {i.get("material_id"): i for i in earlier_items if i.get("material_id")}
        by_name = {i.get("name"): i for i in earlier_items}
        for item in items:
            source_item = (
                by_key.get(item["derived_from"])
                or by_material.get(item["material_id"])
                or by_name.get(item["name"])
            )
            if source_item is None:
                errors["items"] = fmt(
                    _(
                        "“%(name)s” was not on an earlier notice. A later notice may only list what is still "
                        "missing from an earlier one, or what derives from it (一次性告知)."
                    ),
                    name=item["name"],
                )
            else:
                item["derived_from"] = source_item.get("key")
    if not items and not errors:
        errors["items"] = _("List at least one missing material or problem.")
    if errors:
        raise InvalidInput(errors)
    for index, item in enumerate(items, start=1):
        item["key"] = f"{round_no}.{index}"
    change = Change(
        case=case, actor=actor, action="correction_issued", at=at, origin=origin, window=window
    )
    # Round 1 counts from receipt; a later round from the day the last papers came in.
    start = clock.intake_start(clock.local_date(case.received_at), _notices(case))
    due_by = clock.intake_due(start).value
    late = change.today > due_by
    CorrectionNotice.objects.create(
        case=case,
        round=round_no,
        items=items,
        issued_at=change.at,
        issued_by=change.actor if getattr(actor, "pk", None) else None,
        due_by=due_by,
        late=late,
    )
    case.status = S.CORRECTION
    change.event(
        K.CORRECTION_ISSUED,
        from_status=S.RECEIVED,
        to_status=S.CORRECTION,
        data={
            "round": round_no,
            "items": [i["name"] for i in items],
            "due_by": due_by,
            "late": late,
        },
    )
    return finish(change, request=request)


@transaction.atomic
def supply_correction(
    *,
    actor,
    case: Case,
    provided_material_ids: Iterable[int] = (),
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """The applicant brings what was missing.

    After a correction notice the case goes back to *received*, to be checked again
    (accepted, refused, or given a further notice for what is still missing). After an
    acceptance with gaps, the materials that were to follow are recorded (the status
    stays); when the last one is in, the gaps due date is cleared.
    """
    case = lock(case, ("supply_correction", "supply_gaps"), expected_version)
    require(actor, case)
    errors: dict = {}
    ids = _material_ids(provided_material_ids, "provided_material_ids", errors)
    materials = {m.material_id: m for m in case.materials.all() if m.material_id}
    if ids - set(materials):
        errors["provided_material_ids"] = _("Choose materials from the item's checklist.")
    if errors:
        raise InvalidInput(errors)
    if case.status == S.CORRECTION:
        change = Change(
            case=case,
            actor=actor,
            action="correction_supplied",
            at=at,
            origin=origin,
            window=window,
        )
        names = []
        for material_id in sorted(ids):
            cm = materials[material_id]
            if not cm.provided:
                cm.provided = True
                cm.save(update_fields=["provided"])
                names.append(cm.name)
        notice = case.corrections.order_by("-round").first()
        notice.supplied_at = change.at
        notice.save(update_fields=["supplied_at"])
        case.status = S.RECEIVED
        change.event(
            K.CORRECTION_SUPPLIED,
            from_status=S.CORRECTION,
            to_status=S.RECEIVED,
            data={"round": notice.round, "provided": names},
        )
        return finish(change, request=request)
    to_follow = {mid: m for mid, m in materials.items() if m.to_follow}
    if not to_follow:
        raise TransitionNotAllowed(_("No materials are waiting to follow for this case."))
    if not ids:
        raise InvalidInput(
            {"provided_material_ids": _("Tick the materials the applicant handed in.")}
        )
    if ids - set(to_follow):
        raise InvalidInput(
            {
                "provided_material_ids": _(
                    "Only the materials that were to follow can be recorded here."
                )
            }
        )
    change = Change(case=case, actor=actor, action="gaps_supplied", window=window)
    for material_id in sorted(ids):
        cm = to_follow[material_id]
        cm.provided, cm.to_follow = True, False
        cm.save(update_fields=["provided", "to_follow"])
    remaining = len(to_follow) - len(ids)
    data = {
        "provided": [to_follow[i].name for i in sorted(ids)],
        "remaining": remaining,
        "due": case.gaps_due_date,
    }
    if not remaining:
        case.gaps_due_date = None
    change.event(K.GAPS_SUPPLIED, data=data)
    return finish(change, request=request)


@transaction.atomic
def handle_immediately(
    *,
    actor,
    case: Case,
    certificate_number: str = "",
    fee_charged: Decimal | None = None,
    fee_conditions: list[dict] | None = None,
    expected_version: int | None = None,
    window=None,
    request=None,
) -> Case:
    """An immediate item (即办件) accepted and concluded as granted in the same visit
    (零时间停留): no steps, the result handed out at the window."""
    case = lock(case, "handle_immediately", expected_version)
    require(actor, case)
    if not case.item_version.is_immediate:
        raise TransitionNotAllowed(
            _("Only immediate items (即办件) can be handled at once; accept this case instead.")
        )
    missing = _missing_required(case)
    if missing:
        raise InvalidInput({"provided_material_ids": _missing_error(missing)})
    change = Change(case=case, actor=actor, action="handled_immediately", window=window)
    _accept(change, start_steps=False)
    conclude_into(
        change,
        result=Case.Result.GRANTED,
        certificate_number=certificate_number,
        fee_charged=fee_charged,
        fee_conditions=fee_conditions,
    )
    return finish(change, request=request)


@transaction.atomic
def attach_scan(
    *, actor, case: Case, upload, material_id: int | None = None, window=None, request=None
) -> Attachment:
    """Keep a scan with the case (validated by `uploads.validate_scan` beforehand).
    Not a change of state: the version stays, an event and an audit row are written."""
    case = lock(case, "attach", None)
    require(actor, case)
    case_material = None
    if material_id:
        case_material = case.materials.filter(material_id=material_id).first()
        if case_material is None:
            raise InvalidInput({"material_id": _("Choose materials from the item's checklist.")})
    change = Change(case=case, actor=actor, action="scan_attached", window=window)
    attachment = Attachment.objects.create(
        case=case,
        case_material=case_material,
        file=upload,
        original_name=(getattr(upload, "name", "") or "scan")[:200],
        # What the content is (checked by uploads.validate_scan), not what the browser said.
        content_type=content_type_for(getattr(upload, "name", "")),
        size=upload.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=change.at,
    )
    change.event(
        K.ATTACHED,
        data={
            "name": attachment.original_name,
            "material": case_material.name if case_material else None,
        },
    )
    finish(change, request=request, bump=False)
    return attachment


__all__ = [
    "accept_case",
    "accept_with_gaps",
    "attach_scan",
    "handle_immediately",
    "issue_correction_notice",
    "normalise_phone",
    "receive_case",
    "refuse_case",
    "supply_correction",
    "validate_applicant",
]
