"""The conduct services: the code as data, visits in term, findings checked against the
code and the hall, one decision per bad finding, each write audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from onewindow.audit.models import AuditEntry
from onewindow.complaints.models import Complaint
from onewindow.conduct import services
from onewindow.conduct.models import ConductClause, ConductRecord, Finding, FindingPhoto, Visit
from onewindow.factories import make_user

from .factories import JPEG, PNG, clause, make_finding, make_observer, make_visit, png, term

pytestmark = pytest.mark.django_db


def _errors(exc) -> dict:
    return exc.value.message_dict


class TestTheCode:
    def test_it_is_seeded_in_chapters(self, db):
        clauses = list(ConductClause.objects.in_force())
        assert 15 <= len(clauses) <= 25
        chapters = {c.chapter for c in clauses}
        assert {"仪容仪表", "文明用语", "窗口纪律", "廉洁自律"} <= chapters
        assert any("吃拿卡要" in c.text for c in clauses)
        assert all(c.text_en for c in clauses)

    def test_only_the_centre_edits_it(self, personas):
        c = clause("1.1")
        c.text = "新文字"
        with pytest.raises(PermissionDenied):
            services.save_clause(actor=personas.supervisor, clause=c)
        services.save_clause(actor=personas.admin, clause=c)
        entry = AuditEntry.objects.get(action="conduct.clause_changed")
        assert entry.after["text"] == "新文字"
        assert entry.before["text"] != "新文字"


class TestVisits:
    def test_an_observer_records_a_visit_in_term(self, personas, observer):
        visit = make_visit(observer, personas.hall, windows=[personas.window])
        assert list(visit.windows.all()) == [personas.window]
        assert AuditEntry.objects.filter(action="conduct.visit_recorded", hall=personas.hall)

    def test_it_refuses_a_visit_out_of_term(self, personas):
        start, end = term(years_ago=2)
        retired = make_observer("old", term_from=start, term_to=end)
        with translation.override("en"), pytest.raises(ValidationError, match="no appointment"):
            make_visit(retired, personas.hall)
        assert not Visit.objects.exists()

    def test_it_refuses_an_inactive_appointment(self, personas):
        off = make_observer("off", active=False)
        with pytest.raises(ValidationError):
            make_visit(off, personas.hall)

    def test_it_refuses_a_window_of_another_hall(self, personas, observer):
        other_window = personas.other_hall.windows.first()
        with pytest.raises(ValidationError) as exc:
            make_visit(observer, personas.hall, windows=[other_window])
        assert "windows" in _errors(exc)
        assert not Visit.objects.exists()

    def test_it_refuses_a_visit_in_the_future(self, personas, observer):
        with pytest.raises(ValidationError):
            make_visit(observer, personas.hall, at=timezone.now() + timedelta(days=1))

    def test_staff_are_not_observers(self, personas):
        with pytest.raises(PermissionDenied):
            make_visit(personas.clerk, personas.hall)


class TestFindings:
    def test_a_shortcoming_waits_for_review_with_its_photo(self, finding, personas):
        assert finding.status == Finding.Status.PENDING
        assert finding.photos.get().content_type == "image/png"
        entry = AuditEntry.objects.get(action="conduct.finding_added")
        assert entry.after["staff"] == personas.clerk.username
        assert entry.after["photos"] == 1

    def test_good_practice_needs_no_review(self, observer, visit):
        good = make_finding(observer, visit, kind=Finding.Kind.POSITIVE, code="2.1")
        assert good.status == Finding.Status.NOTED
        assert not Finding.objects.pending().exists()

    def test_it_needs_a_clause(self, observer, visit):
        with pytest.raises(ValidationError) as exc:
            services.add_finding(actor=observer, visit=visit, clause=None,
                                 kind="negative", description="x")  # fmt: skip
        assert "clause" in _errors(exc)

    def test_it_refuses_a_clause_no_longer_in_force(self, observer, visit):
        ConductClause.objects.filter(code="4.2").update(active=False)
        with pytest.raises(ValidationError) as exc:
            make_finding(observer, visit)
        assert "4.2" in _errors(exc)["clause"][0]
        assert not Finding.objects.exists()

    def test_it_refuses_a_staff_member_of_another_hall(self, personas, observer, visit):
        with pytest.raises(ValidationError) as exc:
            make_finding(observer, visit, staff=personas.outsider)
        assert "staff" in _errors(exc)

    def test_it_refuses_a_window_of_another_hall(self, personas, observer, visit):
        with pytest.raises(ValidationError) as exc:
            make_finding(observer, visit, window=personas.other_hall.windows.first())
        assert "window" in _errors(exc)

    @override_settings(UPLOAD_MAX_BYTES=100)
    def test_it_refuses_a_photo_too_large(self, observer, visit):
        with pytest.raises(ValidationError) as exc:
            make_finding(observer, visit, photos=[png(content=PNG + b"\0" * 200)])
        assert "最大 100" in _errors(exc)["photos"][0]
        assert not Finding.objects.exists()
        assert not FindingPhoto.objects.exists()

    def test_it_refuses_what_is_not_a_photo(self, observer, visit):
        fake = png("photo.png", b"%PDF-1.7 not a picture")
        with pytest.raises(ValidationError):
            make_finding(observer, visit, photos=[fake])
        with pytest.raises(ValidationError):
            make_finding(observer, visit, photos=[png("scan.pdf", b"%PDF-1.7")])
        assert not Finding.objects.exists()

    def test_it_accepts_jpeg(self, observer, visit):
        f = make_finding(observer, visit, photos=[png("a.jpg", JPEG)])
        assert f.photos.get().content_type == "image/jpeg"

    def test_it_refuses_too_many_photos(self, observer, visit):
        with pytest.raises(ValidationError):
            make_finding(observer, visit, photos=[png(f"{i}.png") for i in range(6)])

    def test_only_the_visits_observer_adds_findings(self, personas, visit):
        other = make_observer("other")
        with pytest.raises(PermissionDenied):
            make_finding(other, visit)


class TestReview:
    def test_the_office_enters_it_on_the_conduct_file(self, personas, finding):
        entry = services.record_conduct(actor=personas.supervisor, finding=finding,
                                        note="约谈并通报")  # fmt: skip
        finding.refresh_from_db()
        assert finding.status == Finding.Status.RECORDED
        assert finding.reviewed_by == personas.supervisor
        assert entry.staff == personas.clerk and entry.clause.code == "4.2"
        assert entry.hall == personas.hall
        assert entry.date == timezone.localdate(finding.visit.visited_at)
        audit = AuditEntry.objects.get(action="conduct.finding_recorded")
        assert audit.after["staff"] == personas.clerk.username

    def test_a_second_decision_is_refused(self, personas, finding):
        services.dismiss_finding(actor=personas.supervisor, finding=finding, reason="查无实据")
        before = AuditEntry.objects.count()
        with translation.override("en"), pytest.raises(ValidationError, match="already been"):
            services.record_conduct(actor=personas.supervisor, finding=finding, note="x")
        with pytest.raises(ValidationError):
            services.turn_into_complaint(actor=personas.supervisor, finding=finding)
        assert not ConductRecord.objects.exists()
        assert not Complaint.objects.exists()
        assert AuditEntry.objects.count() == before

    def test_dismissing_needs_a_reason(self, personas, finding):
        with pytest.raises(ValidationError) as exc:
            services.dismiss_finding(actor=personas.supervisor, finding=finding, reason="  ")
        assert "reason" in _errors(exc)
        finding.refresh_from_db()
        assert finding.is_pending

    def test_a_record_needs_a_staff_member_of_the_hall(self, personas, observer, visit):
        anonymous = make_finding(observer, visit)
        with pytest.raises(ValidationError) as exc:
            services.record_conduct(actor=personas.supervisor, finding=anonymous, note="x")
        assert "staff" in _errors(exc)
        with pytest.raises(ValidationError):
            services.record_conduct(actor=personas.supervisor, finding=anonymous,
                                    staff=personas.outsider, note="x")  # fmt: skip
        services.record_conduct(actor=personas.supervisor, finding=anonymous,
                                staff=personas.handler, note="经核实为承办小李")  # fmt: skip
        anonymous.refresh_from_db()
        assert anonymous.staff == personas.handler

    def test_it_becomes_a_complaint_through_the_complaints_service(self, personas, finding):
        complaint = services.turn_into_complaint(actor=personas.supervisor, finding=finding,
                                                 note="请车管分中心核查")  # fmt: skip
        finding.refresh_from_db()
        assert finding.status == Finding.Status.COMPLAINT
        assert finding.complaint == complaint
        assert complaint.channel == Complaint.Channel.OBSERVER
        assert complaint.hall == personas.hall
        assert complaint.subject_staff == personas.clerk
        assert complaint.category.code == "discipline"  # clause 4.2: window discipline
        assert "4.2" in complaint.content and "请车管分中心核查" in complaint.content
        assert complaint.external_id == f"finding-{finding.pk}"
        assert AuditEntry.objects.filter(action="complaint.registered").exists()
        assert (
            AuditEntry.objects.get(action="conduct.finding_to_complaint").after["complaint"]
            == complaint.number
        )

    def test_only_the_office_decides(self, personas, finding):
        for who in (personas.admin, personas.manager, personas.clerk):
            with pytest.raises(PermissionDenied):
                services.dismiss_finding(actor=who, finding=finding, reason="x")

    def test_good_practice_is_not_decided(self, personas, observer, visit):
        good = make_finding(observer, visit, kind=Finding.Kind.POSITIVE, code="2.1")
        with pytest.raises(ValidationError):
            services.dismiss_finding(actor=personas.supervisor, finding=good, reason="x")


class TestWhoReadsAFile:
    def test_the_rule(self, personas):
        clerk = personas.clerk
        other_manager = make_user("mz_manager", halls=[personas.other_hall],
                                  roles=["hall_manager"])  # fmt: skip
        assert services.can_view_file(clerk, clerk)
        assert services.can_view_file(personas.manager, clerk)
        assert services.can_view_file(personas.supervisor, clerk)
        assert services.can_view_file(personas.admin, clerk)
        assert not services.can_view_file(other_manager, clerk)
        assert not services.can_view_file(personas.handler, clerk)
        assert not services.can_view_file(personas.approver, clerk)
