"""The notices as PDF: read back with pypdf and checked for what they must say."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from onewindow.cases import documents, rating_links, services
from onewindow.cases.models import CaseDocument

from .factories import (
    at,
    make_accepted_case,
    make_case,
    make_item,
    material_id,
    required_ids,
    run_steps,
)

pytestmark = pytest.mark.django_db


def read(document: CaseDocument) -> tuple[str, int]:
    with document.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", "", text), len(reader.pages)


def printed(personas, case, kind, **kwargs):
    return documents.print_document(actor=personas.clerk, case=case, kind=kind, **kwargs)


@pytest.fixture
def qr_urls(monkeypatch):
    """The URLs the notices put into their QR codes."""
    urls = []
    real = documents.qr_svg_data_uri

    def spy(url):
        urls.append(url)
        return real(url)

    monkeypatch.setattr(documents, "qr_svg_data_uri", spy)
    return urls


def test_it_prints_an_acceptance_receipt(personas, item, monday, qr_urls, settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.cn"
    case = make_accepted_case(personas, item, applicant_name="张三丰")
    doc = printed(personas, case, "receipt")
    text, pages = read(doc)
    assert pages == 1 and doc.pages == 1
    assert "受理通知书" in text and case.number in text and case.query_code in text
    assert "张三丰" in text and "机动车转移登记" in text
    assert (
        case.applicant_id_number not in text and case.applicant_id_number[:6] + "********" in text
    )
    assert "138****5678" in text and "13812345678" not in text
    assert "2026年3月16日" in text and "2026年3月30日" in text  # promised and legal due dates
    for name in ("申请表", "居民身份证", "机动车登记证书"):
        assert name in text
    assert "委托书" not in text  # not handed in, not required
    url = f"https://zwfw.example.cn/status/{case.number}/?code={case.query_code}"
    # The second QR code opens the rating of the act the receipt reports: the acceptance.
    acceptance = case.events.get(kind="accepted")
    assert qr_urls == [url, rating_links.rating_url(acceptance.pk)]
    assert url in text.replace("\n", "") and "扫码评价本次服务" in text
    assert "待确认" not in text and "暂未最终确定" not in text


def test_it_warns_on_a_receipt_with_provisional_dates(personas, item, time_machine):
    time_machine.move_to(at("2026-12-21"), tick=False)
    case = make_accepted_case(personas, item)
    text, _pages = read(printed(personas, case, "receipt"))
    assert "暂未最终确定" in text and "2027年1月5日" in text


def test_it_lists_materials_to_follow_on_the_receipt(personas, item, monday):
    import datetime as dt

    insurance = material_id(item, "交通事故责任强制保险凭证")
    case = make_case(personas, item, provided=[i for i in required_ids(item) if i != insurance])
    case = services.accept_with_gaps(
        actor=personas.clerk,
        case=case,
        missing_material_ids=[insurance],
        gaps_due_date=dt.date(2026, 3, 9),
        promise="三日内补交",
    )
    text, _pages = read(printed(personas, case, "receipt"))
    assert (
        "容缺后补材料" in text
        and "交通事故责任强制保险凭证" in text
        and "2026年3月9日" in text
        and "三日内补交" in text
    )


def test_it_prints_a_refusal_notice_with_reason_and_remedies(personas, item, monday):
    case = services.refuse_case(
        actor=personas.clerk, case=make_case(personas, item), reason="申请事项不属于本机关职权范围"
    )
    assert documents.available_kinds(case) == ["refusal"]
    text, pages = read(printed(personas, case, "refusal"))
    assert pages == 1 and "不予受理通知书" in text and case.number in text
    assert "申请事项不属于本机关职权范围" in text and "行政复议" in text and "行政诉讼" in text


def test_it_prints_an_extension_notice_with_the_new_dates(personas, item, monday):
    case = make_accepted_case(personas, item)
    assert "extension" not in documents.available_kinds(case)
    case = services.request_extension(
        actor=personas.handler, case=case, days=5, reason="需要实地核查车辆"
    )
    assert "extension" not in documents.available_kinds(case)  # not approved yet
    case = services.decide_extension(actor=personas.approver, case=case, approve=True)
    assert "extension" in documents.available_kinds(case)
    text, pages = read(printed(personas, case, "extension"))
    assert pages == 1 and "延期告知书" in text and case.number in text
    assert "需要实地核查车辆" in text and "5个工作日" in text
    assert "2026年3月23日" in text and "2026年4月7日" in text  # promised and legal, moved


def test_it_prints_a_correction_notice_listing_everything_missing(personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    case = services.issue_correction_notice(
        actor=personas.clerk,
        case=case,
        items=[{"name": "申请表未签字", "note": "请申请人本人签字"}, "照片背景颜色不符"],
    )
    doc = printed(personas, case, "correction")
    text, pages = read(doc)
    # A problem written in words is not "missing": it is to be corrected as described.
    problem = text.split("照片背景颜色不符", 1)[1][:12]
    assert problem.startswith("请按说明更正") and "缺少" not in problem
    assert pages == 1 and doc.round == 1
    assert "补正告知书" in text and "一次性告知" in text and case.number in text
    for name in (
        "申请表未签字",
        "请申请人本人签字",
        "居民身份证",
        "机动车登记证书",
        "交通事故责任强制保险凭证",
    ):
        assert name in text
    # A second notice prints only what is still missing.
    case = services.supply_correction(
        actor=personas.clerk, case=case, provided_material_ids=[material_id(item, "居民身份证")]
    )
    case = services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    second, _pages = read(printed(personas, case, "correction"))
    listed = second.split("需补正的内容", 1)[1].split("告知日期", 1)[0]
    assert "第2次告知" in second and "机动车登记证书" in listed and "居民身份证" not in listed
    first_again, _pages = read(printed(personas, case, "correction", round_no=1))
    assert "居民身份证" in first_again.split("需补正的内容", 1)[1]


def test_it_prints_a_pickup_notice_with_the_certificate(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    case = services.conclude_case(
        actor=personas.clerk,
        case=case,
        result="granted",
        certificate_number="苏E·A1234",
        fee_charged="10",
    )
    text, pages = read(printed(personas, case, "conclusion"))
    assert pages == 1 and "办结及领证通知书" in text and case.number in text
    assert "苏E·A1234" in text and "1号窗口领取" in text and "¥10.00" in text


def test_it_prints_a_conclusion_notice_for_a_refusal(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item), ("pass", "pass", "reject"))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="refused", reason="车辆存在未处理的违法记录"
    )
    text, _pages = read(printed(personas, case, "conclusion"))
    assert "不予许可" in text and "车辆存在未处理的违法记录" in text and "行政复议" in text


def test_it_keeps_one_copy_per_state_and_records_the_printing(personas, item, monday):
    case = make_accepted_case(personas, item)
    first = printed(personas, case, "receipt")
    assert printed(personas, case, "receipt") == first
    assert (
        case.events.filter(kind="document").count() == 1 and case.version == 2
    )  # printing changes no state
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=10
    )
    assert printed(personas, case, "receipt") != first
    assert CaseDocument.objects.filter(case=case).count() == 2


def test_it_prints_only_notices_that_exist(personas, item, monday):
    case = make_case(personas, item)
    with pytest.raises(services.TransitionNotAllowed):
        printed(personas, case, "receipt")
    with pytest.raises(services.TransitionNotAllowed):
        printed(personas, case, "nonsense")
    with pytest.raises(services.NotPermitted):
        documents.print_document(
            actor=personas.outsider,
            case=services.accept_case(actor=personas.clerk, case=case),
            kind="receipt",
        )
    assert not CaseDocument.objects.exists()


def test_a_company_is_shown_by_its_name_and_its_code_masked_alike_everywhere(
    client, personas, item, monday
):
    case = make_accepted_case(
        personas, item, kind="organisation", applicant_name="张家港市港城运输有限公司"
    )
    masked = case.masked_id_number
    assert masked.startswith(case.applicant_id_number[:4]) and "*" in masked
    text, _pages = read(printed(personas, case, "receipt"))
    assert masked.replace(" ", "") in text and "张家港市港城运输有限公司" in text
    client.force_login(personas.clerk)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert masked in page and case.applicant_id_number not in page
    public = client.get(
        reverse("status:detail", args=[case.number]), {"code": case.query_code}
    ).content.decode()
    assert "张家港市港城运输有限公司" in public  # an organisation's name is not masked
    person = make_accepted_case(personas, item, applicant_name="李小龙")
    public = client.get(
        reverse("status:detail", args=[person.number]), {"code": person.query_code}
    ).content.decode()
    assert "李**" in public and "李小龙" not in public


def receipt_pages(personas, materials: int) -> list[str]:
    """The pages' text of the receipt of an item with that many long-named materials."""
    names = [
        (f"申请人身份证明及其复印件（第{i}份，需加盖公章）", True, False) for i in range(materials)
    ]
    item = make_item(personas.department, [personas.hall], materials=names)
    case = services.accept_case(
        actor=personas.clerk, case=make_case(personas, item, contact_name="王某某")
    )
    with printed(personas, case, "receipt").file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def test_a_receipt_keeps_its_seal_and_qr_code_on_its_one_page(personas, monday):
    pages = receipt_pages(personas, 12)
    assert len(pages) == 1
    assert "扫码查询办理进度" in pages[0] and "（盖章）" in pages[0] and "第11份" in pages[0]


def test_a_long_receipt_closes_with_its_last_material_not_a_page_of_seal_alone(personas, monday):
    pages = receipt_pages(personas, 16)
    assert len(pages) == 2
    assert "扫码查询办理进度" not in pages[0] and "（盖章）" not in pages[0]
    assert "第15份" in pages[1] and "扫码查询办理进度" in pages[1] and "（盖章）" in pages[1]
