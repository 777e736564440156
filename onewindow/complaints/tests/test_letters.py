"""The complaint letters as PDF: read back with pypdf, one page each."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from onewindow.complaints import documents

from .factories import take_to

pytestmark = pytest.mark.django_db


def read(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", "", text), len(reader.pages)


def test_the_acknowledgement_letter(complaint):
    pdf, pages = documents.render_letter(complaint, documents.ACKNOWLEDGEMENT)
    text, n = read(pdf)
    assert pages == n == 1
    assert "投诉受理告知书" in text
    assert complaint.number in text and complaint.query_code in text
    assert "2026年3月23日" in text  # the answer's due date
    assert "13912345678" not in text  # contact masked


def test_the_answer_letter_even_with_a_long_answer(complaint, personas):
    c = take_to(personas, complaint, "answered")
    pdf, pages = documents.render_letter(c, documents.ANSWER)
    text, n = read(pdf)
    assert pages == n == 1
    assert "投诉答复书" in text and "部分属实" in text and "提醒谈话" in text
    assert "2026年3月17日" in text  # may be reopened until
    c.answer_text = "经核实" * 1300
    assert documents.render_letter(c, documents.ANSWER)[1] == 1


def test_the_complainant_downloads_the_letters_with_the_query_code(complaint, personas):
    url = reverse("complaints_public:letter", args=["acknowledgement"])
    r = Client().get(url, {"number": complaint.number, "code": complaint.query_code})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert Client().get(url, {"number": complaint.number, "code": "AAAAAAAA"}).status_code == 404
    answer = reverse("complaints_public:letter", args=["answer"])
    assert (
        Client().get(answer, {"number": complaint.number, "code": complaint.query_code}).status_code
        == 404
    )
