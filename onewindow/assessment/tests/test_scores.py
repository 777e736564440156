"""Scores, deductions and bonuses with their evidence, ranking and locking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from onewindow.assessment import services
from onewindow.assessment.models import Adjustment, Indicator, Result
from onewindow.assessment.services import AssessmentError
from onewindow.audit.models import AuditEntry

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def ind(scheme, code):
    return Indicator.objects.get(block__scheme=scheme, code=code)


def adjust(personas, scheme, code="environment", kind="deduction", points="2", **kw):
    hall = kw.pop("hall", personas.hall)
    values = {"reason": "地面有垃圾", "note": "现场照片已存档"}
    values.update(kw)
    return services.record_adjustment(
        actor=personas.supervisor, scheme=scheme, hall=hall,
        indicator_id=str(ind(scheme, code).pk), kind=kind, points=points, **values,
    )  # fmt: skip


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_the_ranking_adds_up_the_blocks_as_counted_by_hand(personas, year2025):
    rows = services.ranking(year2025["scheme"])
    assert [r["code"] for r in rows] == ["MZ", "CG"]
    assert [r["rank"] for r in rows] == [1, 2]
    cg = by_code(rows)["CG"]
    assert [b["points"] for b in cg["blocks"]] == [10.0, 9.6, 20.0, 14.1, 15.8, 10.0, 0.0]
    assert cg["total"] == 79.5
    assert by_code(rows)["MZ"]["total"] == 100.0
    window = cg["blocks"][2]["indicators"][0]
    assert window["full"] == 12.5 and window["score"] == 75.0 and window["points"] == 9.38
    assert window["evidence"] == {"num": 3, "den": 4}


def test_a_deduction_with_a_note_lowers_the_indicator_and_is_audited(personas, year2025):
    scheme = year2025["scheme"]
    a = adjust(personas, scheme, points="2")
    assert a.inspector == personas.supervisor
    cg = by_code(services.ranking(scheme))["CG"]
    assert cg["blocks"][0]["indicators"][0]["deducted"] == 2.0
    assert cg["total"] == 77.5
    assert AuditEntry.objects.get(action="assessment.deduction").after["points"] == "2.00"


def test_deductions_never_take_an_indicator_below_zero(personas, year2025):
    scheme = year2025["scheme"]
    adjust(personas, scheme, code="cards", points="5")  # the cards score 0 already
    assert by_code(services.ranking(scheme))["CG"]["total"] == 79.5


def test_a_deduction_with_a_scan_keeps_the_file(personas, year2025):
    scan = SimpleUploadedFile("photo.png", PNG, "image/png")
    a = adjust(personas, year2025["scheme"], note="", upload=scan)
    assert a.evidence.name.endswith(".png") and a.evidence_type == "image/png"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"note": ""}, "需要证据"),
        ({"points": "7"}, "最多只能扣"),
        ({"points": "0"}, "必须大于0"),
        ({"points": "abc"}, "必须是数字"),
        ({"reason": " "}, "说明扣分或加分的理由"),
        ({"kind": "bonus", "points": "4"}, "加分最多3.00分"),
        ({"note": "", "upload": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" * 20)}, "内容与文件名不符"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_deduction_and_changes_nothing(personas, year2025, changes, message):
    audits = AuditEntry.objects.count()
    with translation.override("zh-hans"), pytest.raises(AssessmentError) as e:
        adjust(personas, year2025["scheme"], **changes)
    assert message in str(e.value)
    assert Adjustment.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_bonuses_count_up_to_the_cap(personas, year2025):
    scheme = year2025["scheme"]
    adjust(personas, scheme, code="guides", kind="bonus", points="2", reason="获市级表彰")
    adjust(personas, scheme, code="guides", kind="bonus", points="2", reason="获省级表彰")
    cg = by_code(services.ranking(scheme))["CG"]
    assert cg["bonus"] == 3.0 and cg["total"] == 82.5


def test_equal_totals_share_a_rank(personas, year2025):
    scheme = year2025["scheme"]
    services.record_adjustment(
        actor=personas.admin, scheme=scheme, hall=personas.other_hall,
        indicator_id=str(ind(scheme, "environment").pk), kind="deduction", points="5",
        reason="环境脏乱", note="检查记录",
    )  # fmt: skip
    adjust(personas, scheme, code="guides", kind="bonus", points="3", reason="表彰")
    ranks = {r["code"]: r["rank"] for r in services.ranking(scheme)}
    # MZ 95; CG 79.5 + 3 = 82.5
    assert ranks == {"MZ": 1, "CG": 2}
    rows = services._ranked([{"code": "A", "total": 90.0}, {"code": "B", "total": 95.0},
                             {"code": "C", "total": 90.0}, {"code": "D", "total": 80.0}])  # fmt: skip
    assert [(r["code"], r["rank"]) for r in rows] == [("B", 1), ("A", 2), ("C", 2), ("D", 4)]


def test_only_a_year_that_is_over_can_be_locked(personas, year2025):
    scheme = year2025["scheme"]
    with pytest.raises(AssessmentError):
        services.lock_scores(actor=personas.admin, scheme=scheme, today=dt.date(2025, 12, 31))
    assert not Result.objects.exists()


def test_locking_keeps_the_scores_and_refuses_further_deductions(personas, year2025):
    scheme = year2025["scheme"]
    adjust(personas, scheme, points="1")
    services.lock_scores(actor=personas.admin, scheme=scheme, today=dt.date(2026, 1, 5))
    assert Result.objects.get(hall=personas.hall).total == Decimal("78.50")
    # Data that changes afterwards leaves the locked scores as they were.
    year2025["cases"][0].__class__.objects.filter(pk=year2025["cases"][3].pk).update(
        outcome_promised="on_time"
    )
    assert by_code(services.ranking(scheme))["CG"]["total"] == 78.5
    with pytest.raises(AssessmentError):
        adjust(personas, scheme, points="1")
    with pytest.raises(AssessmentError):
        services.lock_scores(actor=personas.admin, scheme=scheme)
    assert AuditEntry.objects.filter(action="assessment.scores_locked").count() == 1


def test_the_centre_itself_is_not_assessed(personas, year2025):
    with pytest.raises(AssessmentError):
        adjust(personas, year2025["scheme"], hall=personas.centre)
    assert "ZX" not in by_code(services.ranking(year2025["scheme"]))
