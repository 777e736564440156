"""Bulletins: written and published by the centre, read and acknowledged once by each
recipient hall, shown to the public harmless; every bad input refused, nothing saved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.bulletins import services
from onewindow.bulletins.models import Attachment, Bulletin, Receipt
from onewindow.factories import make_user

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n" + b"0" * 64


def client_for(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def publish(p, **kw):
    data = {"title": "关于进一步规范窗口服务的通报", "body": "各分中心：\n\n请认真落实。",
            "halls": [p.hall, p.other_hall]}  # fmt: skip
    data.update(kw)
    bulletin = services.save_bulletin(actor=p.admin, **data)
    return services.publish_bulletin(actor=p.admin, bulletin=bulletin)


def footprint():
    return (AuditEntry.objects.count(), Bulletin.objects.count(), Receipt.objects.count(),
            Attachment.objects.count())  # fmt: skip


def test_it_publishes_and_each_hall_acknowledges_once(personas):
    p = personas
    bulletin = publish(p, report_to="市委办公室\n市政府办公室", send_to="市监察局")
    assert bulletin.status == "published" and bulletin.report_to_list == [
        "市委办公室",
        "市政府办公室",
    ]
    assert set(bulletin.receipts.values_list("hall__code", flat=True)) == {"CG", "MZ"}
    assert services.mark_read(actor=p.clerk, bulletin=bulletin) == 1
    assert services.mark_read(actor=p.manager, bulletin=bulletin) == 0  # the first opening only
    services.acknowledge(actor=p.manager, bulletin=bulletin)
    receipt = bulletin.receipts.get(hall=p.hall)
    assert receipt.read_by == p.clerk and receipt.acknowledged_by == p.manager
    before = footprint()
    with pytest.raises(ValidationError) as exc:
        services.acknowledge(actor=p.manager, bulletin=bulletin)
    assert exc.value.code == "already"
    assert footprint() == before
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("bulletin.acknowledged") == 1 and actions.count("bulletin.read") == 1
    assert {"bulletin.created", "bulletin.published"} <= set(actions)


def test_a_bulletin_without_recipients_is_refused(personas):
    p = personas
    before = footprint()
    with pytest.raises(ValidationError) as exc:
        services.save_bulletin(actor=p.admin, title="无收文", body="x", halls=[],
                               report_to="  \n", send_to="")  # fmt: skip
    assert exc.value.code == "no_recipients"
    r = client_for(p.admin).post("/staff/bulletins/new/", {"kind": "notice", "title": "无收文",
                                 "body": "正文", "action": "publish"})  # fmt: skip
    assert r.status_code == 200
    assert "请选择公文的接收方" in r.content.decode()
    assert footprint() == before


def test_only_named_bodies_are_recipients_enough(personas):
    bulletin = publish(personas, halls=[], report_to="市委办公室")
    assert bulletin.status == "published" and not bulletin.receipts.exists()


def test_an_oversized_or_false_attachment_saves_nothing(personas, settings):
    p = personas
    settings.UPLOAD_MAX_BYTES = 100
    before = footprint()
    big = SimpleUploadedFile("讲话.pdf", b"%PDF-" + b"0" * 200, "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.save_bulletin(actor=p.admin, title="t", body="b", halls=[p.hall], uploads=[big])
    assert exc.value.code == "too_large"
    fake = SimpleUploadedFile("讲话.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.save_bulletin(actor=p.admin, title="t", body="b", halls=[p.hall], uploads=[fake])
    assert exc.value.code == "content"
    r = client_for(p.admin).post("/staff/bulletins/new/", {"kind": "notice", "title": "t",
        "body": "b", "halls": [p.hall.pk], "attachments": [big], "action": "save"})  # fmt: skip
    assert r.status_code == 200 and "附件最大" in r.content.decode()
    assert footprint() == before


def test_an_attachment_is_kept_and_served_to_recipients(personas, settings, tmp_path):
    p = personas
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("讲话.pdf", PDF, "application/pdf")
    bulletin = publish(p, uploads=[pdf], is_public=True)
    item = bulletin.attachments.get()
    assert item.content_type == "application/pdf"
    assert client_for(p.clerk).get(f"/staff/bulletins/attachments/{item.pk}/").status_code == 200
    outsider_hall = make_user("far", halls=[p.centre], roles=[Role.WINDOW_CLERK])
    r = client_for(outsider_hall).get(f"/staff/bulletins/attachments/{item.pk}/")
    assert r.status_code == 404
    r = client_for().get(f"/bulletins/{bulletin.key}/attachments/{item.pk}/")
    assert r.status_code == 200


def test_unsafe_html_is_shown_harmless(personas):
    p = personas
    body = '<script>alert("x")</script><img src=x onerror=alert(1)>\n\n第二段'
    bulletin = publish(p, body=body, is_public=True)
    for page in (client_for().get(f"/bulletins/{bulletin.key}/"),
                 client_for(p.manager).get(f"/staff/bulletins/{bulletin.pk}/")):  # fmt: skip
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "<p>第二段</p>" in html


def test_a_stale_draft_form_is_refused(personas):
    p = personas
    draft = services.save_bulletin(actor=p.admin, title="草稿", body="b", halls=[p.hall])
    services.save_bulletin(actor=p.admin, bulletin=draft, version=1, title="改过", body="b",
                           halls=[p.hall])  # fmt: skip
    before = footprint()
    with pytest.raises(ValidationError) as exc:
        services.save_bulletin(actor=p.admin, bulletin=draft, version=1, title="旧的", body="b",
                               halls=[p.hall])  # fmt: skip
    assert exc.value.code == "stale"
    with pytest.raises(ValidationError):
        services.publish_bulletin(actor=p.admin, bulletin=draft, version=1)
    assert footprint() == before
    draft.refresh_from_db()
    assert draft.title == "改过" and draft.status == "draft"


def test_who_may_do_what(personas):
    p = personas
    bulletin = publish(p, halls=[p.hall])
    with pytest.raises(PermissionDenied):
        services.save_bulletin(actor=p.manager, title="t", body="b", halls=[p.hall])
    with pytest.raises(PermissionDenied):
        services.acknowledge(actor=p.clerk, bulletin=bulletin)
    other = make_user("mz_manager", halls=[p.other_hall], roles=[Role.HALL_MANAGER])
    r = client_for(other).get(f"/staff/bulletins/{bulletin.pk}/")
    assert r.status_code == 404
    r = client_for(other).post(f"/staff/bulletins/{bulletin.pk}/acknowledge/")
    assert r.status_code == 404
    draft = services.save_bulletin(actor=p.admin, title="草稿", body="b", halls=[p.hall])
    assert client_for(p.manager).get(f"/staff/bulletins/{draft.pk}/").status_code == 404
    assert client_for(p.manager).get("/staff/bulletins/").status_code == 403


def test_the_pages_show_reading_and_acknowledgement(personas):
    p = personas
    bulletin = publish(p)
    home = client_for(p.manager).get("/staff/").content.decode()
    assert 'id="bulletin-inbox"' in home and bulletin.title in home
    manager = client_for(p.manager)
    assert bulletin.title in manager.get("/staff/bulletins/inbox/").content.decode()
    manager.get(f"/staff/bulletins/{bulletin.pk}/")
    r = manager.post(f"/staff/bulletins/{bulletin.pk}/acknowledge/", follow=True)
    assert 'data-acknowledged="1"' in r.content.decode()
    assert 'id="bulletin-inbox"' not in manager.get("/staff/").content.decode()
    centre = client_for(p.admin).get(f"/staff/bulletins/{bulletin.pk}/").content.decode()
    assert 'data-hall="CG" data-acknowledged="1"' in centre
    assert 'data-hall="MZ" data-acknowledged="0"' in centre


def test_the_public_list_shows_public_bulletins_only(personas):
    p = personas
    public = publish(p, title="中心召开作风建设大会", is_public=True)
    publish(p, title="内部通报")
    services.save_bulletin(actor=p.admin, title="未发布草稿", body="b", halls=[p.hall],
                           is_public=True)  # fmt: skip
    page = client_for().get("/bulletins/").content.decode()
    assert "中心召开作风建设大会" in page
    assert "内部通报" not in page and "未发布草稿" not in page
    detail = client_for().get(f"/bulletins/{public.key}/").content.decode()
    assert "中心召开作风建设大会" in detail
    assert "中心主任" not in detail  # no person's name on the public page
    assert 'id="home-bulletins-link"' in client_for().get("/").content.decode()


def test_a_draft_from_a_months_report(personas):
    """The month's halls ranked by decisions in time and satisfaction (figures.py counts)."""
    from onewindow.reports.figures import monthly_figures

    p = personas
    month = dt.date(2026, 1, 1)
    figures = monthly_figures(month)
    figures["levels"]["hall"] = [
        {"code": "CG", "name": "车辆管理分中心", "rates": {
            "in_time_promised": {"num": 9, "den": 10, "value": 0.9},
            "satisfaction": {"num": 99, "den": 100, "value": 0.99}}},
        {"code": "MZ", "name": "民政分中心", "rates": {
            "in_time_promised": {"num": 20, "den": 20, "value": 1.0},
            "satisfaction": {"num": 8, "den": 10, "value": 0.8}}},
    ]  # fmt: skip
    text = services.ranking_text(month, figures)
    first, second = text.split("\n\n")[1:3]
    assert first.index("民政分中心") < first.index("车辆管理分中心")
    assert second.index("车辆管理分中心") < second.index("民政分中心")
    assert "100.0%（20/20）" in first

    r = client_for(p.admin).post("/staff/bulletins/from-report/", {"month": "2026-01"})
    assert r.status_code == 302
    draft = Bulletin.objects.get()
    assert draft.source_month == month and draft.status == "draft"
    assert "2026-01" in draft.title
    assert set(draft.halls.values_list("code", flat=True)) == {"CG", "MZ"}
    before = footprint()
    r = client_for(p.admin).post("/staff/bulletins/from-report/", {"month": "2099-01"})
    assert r.status_code == 200 and "2099-01" in r.content.decode()
    assert footprint() == before


def test_the_lists_ask_the_database_a_fixed_number_of_times(
    personas, django_assert_max_num_queries
):
    p = personas
    for n in range(6):
        publish(p, title=f"通报{n}")
    admin, manager = client_for(p.admin), client_for(p.manager)
    admin.get("/staff/bulletins/")
    manager.get("/staff/bulletins/inbox/")  # sessions and permissions cached
    with django_assert_max_num_queries(8):
        assert admin.get("/staff/bulletins/").status_code == 200
    with django_assert_max_num_queries(8):
        assert manager.get("/staff/bulletins/inbox/").status_code == 200
