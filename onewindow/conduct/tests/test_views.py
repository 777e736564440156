"""The conduct pages: the public code, an observer's visits on a phone, the office's queue
and decisions, the conduct file, and bad input answered with the form kept."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.conduct.models import ConductClause, ConductRecord, Finding, ObserverProfile, Visit
from onewindow.factories import make_user

from .factories import PNG, make_finding, make_observer, make_visit, png

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


class TestCodePage:
    def test_anyone_reads_the_code_in_force(self, db):
        ConductClause.objects.filter(code="7.2").update(active=False)
        r = client_for(None).get(reverse("conduct:code"))
        assert r.status_code == 200
        body = r.content.decode()
        assert "吃拿卡要" in body and "窗口纪律" in body
        assert 'data-clause="7.2"' not in body
        assert "clause-new" not in body

    def test_the_centre_edits_a_clause(self, personas):
        c = client_for(personas.admin)
        assert 'data-clause="7.2"' in c.get(reverse("conduct:code")).content.decode()
        url = reverse("conduct:clause_edit", args=["1.1"])
        r = c.post(url, {"code": "9.9", "chapter": "仪容仪表", "chapter_en": "Appearance",
                         "text": "统一着装，佩戴胸牌。", "text_en": "Uniform and badge.",
                         "sort": 10, "active": "on"})  # fmt: skip
        assert r.status_code == 302
        clause = ConductClause.objects.get(code="1.1")  # the code stays
        assert clause.text == "统一着装，佩戴胸牌。"

    def test_the_centre_adds_a_clause_and_bad_input_keeps_the_form(self, personas):
        c = client_for(personas.admin)
        r = c.post(reverse("conduct:clause_new"), {"code": "8 1", "chapter": "新章",
                                                   "text": "新条款", "sort": 5})  # fmt: skip
        assert r.status_code == 200
        assert "新条款" in r.content.decode()
        r = c.post(reverse("conduct:clause_new"), {"code": "8.1", "chapter": "新章",
                                                   "text": "新条款", "sort": 5})  # fmt: skip
        assert r.status_code == 302
        assert AuditEntry.objects.filter(action="conduct.clause_created").exists()

    def test_others_may_not_edit(self, personas):
        r = client_for(personas.supervisor).get(reverse("conduct:clause_edit", args=["1.1"]))
        assert r.status_code == 403


class TestAppointments:
    def test_the_centre_appoints_an_observer(self, personas):
        user = make_user("newobs", roles=["conduct_observer"], full_name="政协委员钱女士")
        c = client_for(personas.admin)
        page = c.get(reverse("conduct:observer_new")).content.decode()
        assert "newobs" in page
        r = c.post(reverse("conduct:observer_new"), {"user": user.pk, "organisation": "cppcc",
                   "term_from": "2026-01-01", "term_to": "2025-12-31", "active": "on"})  # fmt: skip
        assert r.status_code == 200
        assert not ObserverProfile.objects.exists()
        r = c.post(reverse("conduct:observer_new"), {"user": user.pk, "organisation": "cppcc",
                   "term_from": "2025-01-01", "term_to": "2027-12-31", "active": "on"})  # fmt: skip
        assert r.status_code == 302
        assert ObserverProfile.objects.get().organisation == "cppcc"
        assert "newobs" in c.get(reverse("conduct:observers")).content.decode()

    def test_an_account_without_the_role_is_not_offered(self, personas):
        page = client_for(personas.admin).get(reverse("conduct:observer_new")).content.decode()
        assert "clerk" not in page


class TestObserverPages:
    def test_an_observer_sees_only_their_own_visits(self, personas, observer, visit):
        other = make_observer("other")
        theirs = make_visit(other, personas.other_hall)
        body = client_for(observer).get(reverse("conduct:visits")).content.decode()
        assert f'data-visit="{visit.pk}"' in body
        assert f'data-visit="{theirs.pk}"' not in body
        assert (
            client_for(observer).get(reverse("conduct:visit", args=[theirs.pk])).status_code == 404
        )

    def test_an_observer_records_a_visit_and_a_finding(self, personas, observer):
        c = client_for(observer)
        r = c.post(reverse("conduct:visit_new"), {"hall": "CG", "visited_at": "2026-03-02T09:30",
                   "windows": "1", "summary": "大厅秩序良好"})  # fmt: skip
        assert r.status_code == 302, r.content.decode()
        visit = Visit.objects.get()
        assert r["Location"] == reverse("conduct:visit", args=[visit.pk])
        r = c.post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "clause": "4.2", "window": "1", "staff": "clerk",
            "description": "工作人员玩手机", "photos": [png("a.png"), png("b.png")]})  # fmt: skip
        assert r.status_code == 302
        finding = Finding.objects.get()
        assert finding.photos.count() == 2 and finding.staff == personas.clerk
        photo = finding.photos.first()
        r = c.get(reverse("conduct:photo", args=[photo.pk]))
        assert r.status_code == 200 and b"".join(r.streaming_content) == PNG

    def test_a_bad_visit_keeps_the_form(self, personas, observer):
        r = client_for(observer).post(reverse("conduct:visit_new"), {
            "hall": "CG", "visited_at": "2026-03-02T09:30", "windows": "1, 99",
            "summary": "大厅秩序良好"})  # fmt: skip
        assert r.status_code == 200
        body = r.content.decode()
        assert "没有 99 号窗口" in body or "no window 99" in body
        assert "大厅秩序良好" in body
        assert not Visit.objects.exists()

    def test_a_finding_without_a_clause_keeps_the_form(self, observer, visit):
        r = client_for(observer).post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "description": "工作人员离岗二十分钟"})  # fmt: skip
        assert r.status_code == 400
        body = r.content.decode()
        assert "请选择" in body  # the clause is asked for, in Chinese
        assert "工作人员离岗二十分钟" in body
        assert not Finding.objects.exists()

    def test_a_retired_clause_is_refused(self, observer, visit):
        ConductClause.objects.filter(code="4.2").update(active=False)
        r = client_for(observer).post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "clause": "4.2", "description": "玩手机"})  # fmt: skip
        assert r.status_code == 400
        assert "现行" in r.content.decode()
        assert not Finding.objects.exists()

    def test_a_staff_member_of_another_hall_is_refused(self, observer, visit):
        r = client_for(observer).post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "clause": "4.2", "staff": "outsider",
            "description": "玩手机"})  # fmt: skip
        assert r.status_code == 400
        assert "玩手机" in r.content.decode()
        assert not Finding.objects.exists()

    @override_settings(UPLOAD_MAX_BYTES=100)
    def test_a_photo_too_large_is_refused_and_the_text_kept(self, observer, visit):
        r = client_for(observer).post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "clause": "4.2", "description": "玩手机游戏",
            "photos": [png(content=PNG + b"\0" * 200)]})  # fmt: skip
        assert r.status_code == 400
        body = r.content.decode()
        assert "photo.png" in body and "玩手机游戏" in body
        assert not Finding.objects.exists()

    def test_a_file_that_is_not_a_photo_is_refused(self, observer, visit):
        r = client_for(observer).post(reverse("conduct:finding_add", args=[visit.pk]), {
            "kind": "negative", "clause": "4.2", "description": "玩手机游戏",
            "photos": [png("virus.png", b"MZ\x90\x00 executable")]})  # fmt: skip
        assert r.status_code == 400
        assert "virus.png" in r.content.decode()
        assert not Finding.objects.exists()

    def test_html_is_shown_as_text(self, personas, observer, visit):
        make_finding(observer, visit, description="<script>alert(1)</script>")
        body = client_for(observer).get(reverse("conduct:visit", args=[visit.pk])).content
        assert b"<script>alert(1)</script>" not in body
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
        body = client_for(personas.supervisor).get(reverse("conduct:findings")).content
        assert b"<script>alert(1)" not in body

    def test_no_appointment_no_form(self, personas):
        lapsed = make_observer("lapsed", active=False)
        body = client_for(lapsed).get(reverse("conduct:visits")).content.decode()
        assert "visit-new" not in body
        r = client_for(lapsed).post(reverse("conduct:visit_new"), {
            "hall": "CG", "visited_at": "2026-03-02T09:30", "summary": "看看"})  # fmt: skip
        assert r.status_code == 200 and "看看" in r.content.decode()
        assert not Visit.objects.exists()


class TestOfficePages:
    def test_the_queue_lists_pending_shortcomings(self, personas, observer, visit, finding):
        make_finding(observer, visit, kind="positive", code="2.1", description="热情周到")
        body = client_for(personas.supervisor).get(reverse("conduct:findings")).content.decode()
        assert f'data-finding="{finding.pk}"' in body
        assert "热情周到" not in body

    def test_the_queue_answers_the_office_only(self, personas, finding):
        for who in (personas.clerk, personas.manager, personas.admin):
            assert client_for(who).get(reverse("conduct:findings")).status_code == 403

    def test_the_office_enters_a_finding_on_the_file_once(self, personas, finding):
        c = client_for(personas.supervisor)
        url = reverse("conduct:finding_action", args=[finding.pk, "record"])
        r = c.post(url, {"staff": "clerk", "note": "约谈提醒"})
        assert r.status_code == 302
        assert ConductRecord.objects.get().staff == personas.clerk
        r = c.post(reverse("conduct:finding_action", args=[finding.pk, "dismiss"]),
                   {"reason": "再来一次"})  # fmt: skip
        assert r.status_code == 400
        assert "已" in r.content.decode()  # already decided, in Chinese
        finding.refresh_from_db()
        assert finding.status == Finding.Status.RECORDED

    def test_the_office_turns_a_finding_into_a_complaint(self, personas, finding):
        c = client_for(personas.supervisor)
        r = c.post(reverse("conduct:finding_action", args=[finding.pk, "complaint"]),
                   {"category": "discipline", "note": ""})  # fmt: skip
        assert r.status_code == 302
        finding.refresh_from_db()
        assert finding.complaint is not None
        body = c.get(reverse("conduct:finding", args=[finding.pk])).content.decode()
        assert finding.complaint.number in body
        assert reverse("complaints:detail", args=[finding.complaint.number]) in body

    def test_a_dismissal_without_reason_keeps_the_page(self, personas, finding):
        r = client_for(personas.supervisor).post(
            reverse("conduct:finding_action", args=[finding.pk, "dismiss"]), {"reason": ""}
        )
        assert r.status_code == 400
        finding.refresh_from_db()
        assert finding.is_pending

    def test_an_unknown_action_is_not_found(self, personas, finding):
        r = client_for(personas.supervisor).post(
            reverse("conduct:finding_action", args=[finding.pk, "delete"])
        )
        assert r.status_code == 404

    def test_the_office_sees_the_photo_and_others_do_not(self, personas, finding):
        photo = finding.photos.get()
        url = reverse("conduct:photo", args=[photo.pk])
        assert client_for(personas.supervisor).get(url).status_code == 200
        assert client_for(personas.clerk).get(url).status_code == 403
        assert client_for(make_observer("other")).get(url).status_code == 404
        assert AuditEntry.objects.filter(action="conduct.photo_viewed").count() == 1


class TestConductFile:
    @pytest.fixture
    def entry(self, personas, finding):
        from onewindow.conduct import services

        return services.record_conduct(actor=personas.supervisor, finding=finding, note="通报")

    def test_who_reads_it(self, personas, entry):
        url = reverse("conduct:file", args=["clerk"])
        for who in (personas.supervisor, personas.admin, personas.manager, personas.clerk):
            r = client_for(who).get(url)
            assert r.status_code == 200 and f'data-record="{entry.pk}"' in r.content.decode()
        assert client_for(personas.handler).get(url).status_code == 403
        other_manager = make_user("mz_manager", halls=[personas.other_hall],
                                  roles=["hall_manager"])  # fmt: skip
        assert client_for(other_manager).get(url).status_code == 404

    def test_my_file(self, personas, entry):
        body = client_for(personas.clerk).get(reverse("conduct:my_file")).content.decode()
        assert f'data-record="{entry.pk}"' in body
        body = client_for(personas.handler).get(reverse("conduct:my_file")).content.decode()
        assert "data-record" not in body


class TestQueryCounts:
    """The lists ask the database the same number of times for one row or many."""

    def _count(self, client, url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_the_lists_do_not_grow_with_their_rows(self, personas, observer, visit):
        make_finding(observer, visit, staff=personas.clerk, window=personas.window)
        office, mine = client_for(personas.supervisor), client_for(observer)
        urls = [(office, reverse("conduct:findings")), (mine, reverse("conduct:visits")),
                (mine, reverse("conduct:visit", args=[visit.pk]))]  # fmt: skip
        for c, url in urls:  # warm the per-process caches (access, sessions)
            c.get(url)
        before = [self._count(c, url) for c, url in urls]
        for n in range(5):
            more = make_visit(observer, personas.hall)
            make_finding(observer, more, staff=personas.handler, photos=[png()])
            make_finding(observer, visit, code="2.2", photos=[png(f"{n}.png")])
        assert [self._count(c, url) for c, url in urls] == before
