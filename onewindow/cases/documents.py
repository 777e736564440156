"""The notices a case produces, as PDF (WeasyPrint) in Chinese, each with the case number,
a QR code to the public status page and, on a notice that reports a service act, a
second one that opens the rating of that act (`rating_links`): acceptance receipt (受理通知书), refusal notice
(不予受理通知书), correction notice (补正告知书), extension notice (延期告知书: the
applicant is told in writing why the decision takes longer and until when) and
conclusion / pickup notice (办结/领证通知书).

Rendering takes a fraction of a second, so it happens when someone prints, not inside
the services (which must stay fast for the windows and the API). A printed notice is
kept with the case as a `CaseDocument`; printing again without a change to the case in
between hands out the kept copy.
"""

from __future__ import annotations

import io
import logging

import segno
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import record
from onewindow.lib import idnumbers

from . import clock, rating_links
from .models import Case, CaseDocument, CaseEvent
from .services.common import append_events, plain, require
from .services.errors import TransitionNotAllowed

Kind = CaseDocument.Kind

# WeasyPrint reports every layout step at INFO; only its warnings matter here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATES = {
    Kind.RECEIPT: "cases/documents/receipt.html",
    Kind.REFUSAL: "cases/documents/refusal.html",
    Kind.CORRECTION: "cases/documents/correction.html",
    Kind.EXTENSION: "cases/documents/extension.html",
    Kind.CONCLUSION: "cases/documents/conclusion.html",
}
FILE_PREFIX = {
    Kind.RECEIPT: "receipt",
    Kind.REFUSAL: "refusal",
    Kind.CORRECTION: "correction",
    Kind.EXTENSION: "extension",
    Kind.CONCLUSION: "conclusion",
}


def available_kinds(case: Case) -> list[str]:
    """The notices that exist for the case in its present state."""
    kinds = []
    if case.accepted_on is not None:
        kinds.append(Kind.RECEIPT)
    if case.status == Case.Status.REFUSED:
        kinds.append(Kind.REFUSAL)
    if case.corrections.exists():
        kinds.append(Kind.CORRECTION)
    if case.extension_days:
        kinds.append(Kind.EXTENSION)
    if case.status in (Case.Status.CONCLUDED, Case.Status.DELIVERED):
        kinds.append(Kind.CONCLUSION)
    return kinds


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def masked_id(case: Case) -> str:
    return case.masked_id_number


def _context(case: Case, kind: str, round_no: int | None) -> dict:
    version = case.item_version
    materials = list(case.materials.all())
    context = {
        "case": case,
        "kind": kind,
        "hall": case.hall,
        "version": version,
        "applicant_id_masked": masked_id(case),
        "phone_masked": idnumbers.mask_phone(case.contact_phone),
        "materials": materials,
        "provided": [m for m in materials if m.provided],
        "to_follow": [m for m in materials if m.to_follow],
        "qr": qr_svg_data_uri(case.public_status_url),
        "status_url": case.public_status_url,
        "today": clock.local_date(),
        "fees": list(version.fees.all()),
    }
    act = rating_links.notice_act(case, kind)
    if act is not None:
        context["rating_qr"] = qr_svg_data_uri(rating_links.rating_url(act.pk))
    if kind == Kind.CORRECTION:
        notices = list(case.corrections.all())
        notice = next((n for n in notices if n.round == round_no), notices[-1] if notices else None)
        context["notice"] = notice
    if kind == Kind.CONCLUSION:
        context["window"] = case.window
    if kind == Kind.EXTENSION:
        context["extensions"] = list(
            case.extensions.filter(status="approved").select_related("approver")
        )
    if kind == Kind.REFUSAL:
        from .services.handling import DEFAULT_REMEDIES

        context["remedies"] = case.remedies or DEFAULT_REMEDIES
    return context


def render_pdf(case: Case, kind: str, *, round_no: int | None = None) -> tuple[bytes, int]:
    """The notice as PDF bytes and its page count (always in Chinese: it is an official
    document handed to the applicant)."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATES[kind], _context(case, kind, round_no))
    document = HTML(string=html).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)


def download_name(case: Case, kind: str, round_no: int | None) -> str:
    """The file name a notice is kept and handed out under (the storage may add a suffix
    to keep a reprint apart; the person downloading it never sees that)."""
    return f"{FILE_PREFIX[kind]}-{case.number}" + (f"-{round_no}" if round_no else "") + ".pdf"


def print_document(
    *, actor, case: Case, kind: str, round_no: int | None = None, request=None
) -> CaseDocument:
    """The notice of ``kind`` for the case: the kept copy when the case has not changed
    since it was printed, otherwise a new one (kept, with an event and an audit row)."""
    if kind not in TEMPLATES:
        raise TransitionNotAllowed(_("Unknown document."))
    if kind not in available_kinds(case):
        raise TransitionNotAllowed(
            _("This notice does not exist for the case in its present state.")
        )
    if kind == Kind.CORRECTION:
        rounds = list(case.corrections.values_list("round", flat=True))
        round_no = round_no if round_no in rounds else max(rounds)
    else:
        round_no = None
    kept = (
        case.documents.filter(kind=kind, case_version=case.version, round=round_no)
        .order_by("-id")
        .first()
    )
    if kept is not None:
        return kept
    pdf, pages = render_pdf(case, kind, round_no=round_no)  # outside the lock: it is slow
    with transaction.atomic():
        locked = _lock_any(case)
        require(actor, locked)
        name = download_name(locked, kind, round_no)
        document = CaseDocument(
            case=locked,
            kind=kind,
            created_at=timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
            case_version=locked.version,
            round=round_no,
            pages=pages,
        )
        document.file.save(name, ContentFile(pdf), save=False)
        document.save()
        append_events(
            locked,
            [
                CaseEvent(
                    case=locked,
                    kind=CaseEvent.Kind.DOCUMENT,
                    at=document.created_at,
                    actor=document.created_by,
                    hall_id=locked.hall_id,
                    window_id=locked.window_id,
                    data=plain({"document": kind, "round": round_no, "pages": pages}),
                )
            ],
        )
        record(
            actor=actor,
            action="case.document_printed",
            obj=locked,
            hall=locked.hall,
            after={"document": kind, "round": round_no},
            request=request,
        )
    return document


def _lock_any(case: Case) -> Case:
    """Lock the case row whatever its status (printing changes no state)."""
    return Case.objects.select_for_update(of=("self",)).select_related("hall").get(pk=case.pk)
