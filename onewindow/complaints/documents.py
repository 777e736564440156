"""The complaint letters as PDF (WeasyPrint), in Chinese, one page each: the
acknowledgement (投诉受理告知书: number, query code, the dates the complainant may
expect) and the answer (投诉答复书: the finding, the answer, until when it may be
reopened). Each carries a QR code to the public page of the complaint. The complainant's
name is masked, as anywhere the letter may be fetched with the number and query code.
Rendered when asked for, never inside the services."""

from __future__ import annotations

import io
import logging

from django.template.loader import render_to_string
from django.utils import translation

from onewindow.cases import clock
from onewindow.cases.documents import qr_svg_data_uri

from .models import Complaint
from .services import days

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

ACKNOWLEDGEMENT, ANSWER = "acknowledgement", "answer"
TEMPLATES = {
    ACKNOWLEDGEMENT: "complaints/letters/acknowledgement.html",
    ANSWER: "complaints/letters/answer.html",
}


def available(complaint: Complaint) -> list[str]:
    kinds = [ACKNOWLEDGEMENT]
    if complaint.answered_at is not None and complaint.status in Complaint.OPEN311_CLOSED:
        kinds.append(ANSWER)
    return kinds


def render_letter(complaint: Complaint, kind: str) -> tuple[bytes, int]:
    """The letter as PDF bytes and its page count (always in Chinese: it is an official
    letter to the complainant)."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string(
            TEMPLATES[kind],
            {
                "complaint": complaint,
                "hall": complaint.hall,
                "qr": qr_svg_data_uri(complaint.public_url),
                "public_url": complaint.public_url,
                "today": clock.local_date(),
                "reopen_days": days()["reopen"],
                "registered_on": clock.local_date(complaint.registered_at),
            },
        )
    document = HTML(string=html).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)


def download_name(complaint: Complaint, kind: str) -> str:
    return f"{kind}-{complaint.number}.pdf"
