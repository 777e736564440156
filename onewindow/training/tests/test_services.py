"""The qualification rule, the figures the assessment reads, and the writes with their
refusals: at a window sign-in (floor) and when the window clerk role is given (accounts)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.services import StaffRefused, save_staff
from onewindow.audit.models import AuditEntry
from onewindow.factories import make_user
from onewindow.floor import services as floor
from onewindow.floor.errors import NotPermitted
from onewindow.floor.models import WindowSession
from onewindow.training import services
from onewindow.training.models import Attendance, QualificationRule, TrainingSession

from .factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(personas):
    """A window clerk of the personas' hall with no training record at all."""
    return make_user(
        "newcomer",
        halls=[personas.hall],
        roles=[Role.WINDOW_CLERK],
        department=personas.department,
        full_name="新人小周",
        qualified=False,
    )


def qualify(hall, user, *, passed=dt.date(2025, 6, 1), hours_2025="24"):
    make_session([hall], date=passed, qualifying=True, attendees=[user], hours="8")
    make_session([hall], date=dt.date(2025, 9, 1), hours=hours_2025, attendees=[user])


class TestTheRule:
    def test_it_refuses_a_clerk_who_never_passed_the_qualifying_exam(self, newcomer, day):
        status = services.status_of(newcomer)
        assert not status.qualified
        assert status.reasons == ["未通过上岗资格考试"]

    def test_a_pass_this_year_or_last_qualifies_without_last_years_hours(
        self, personas, newcomer, day
    ):
        make_session([personas.hall], date=dt.date(2025, 11, 3), qualifying=True,
                     attendees=[newcomer])  # fmt: skip
        assert services.is_qualified(newcomer)

    def test_a_failed_or_missed_exam_does_not_qualify(self, personas, newcomer, day):
        make_session([personas.hall], date=dt.date(2026, 1, 5), qualifying=True,
                     attendees=[newcomer], result=Attendance.Result.FAILED)  # fmt: skip
        make_session([personas.hall], date=dt.date(2026, 2, 5), qualifying=True,
                     attendees=[newcomer], result=Attendance.Result.ABSENT)  # fmt: skip
        assert not services.is_qualified(newcomer)

    def test_a_pass_of_an_exam_that_does_not_qualify_is_not_enough(self, personas, newcomer, day):
        make_session([personas.hall], date=dt.date(2026, 1, 5), has_exam=True,
                     attendees=[newcomer])  # fmt: skip
        assert not services.is_qualified(newcomer)

    def test_a_pass_expires_after_the_years_of_the_rule(self, personas, newcomer, day):
        make_session([personas.hall], date=dt.date(2023, 3, 2), qualifying=True,
                     attendees=[newcomer])  # fmt: skip
        make_session([personas.hall], date=dt.date(2025, 5, 2), hours="30", attendees=[newcomer])
        status = services.status_of(newcomer)
        assert status.reasons == ["2023-03-02 通过的上岗资格考试已过有效期"]
        # The day before it is three years old it still counts.
        assert services.is_qualified(newcomer, dt.date(2026, 3, 1))

    def test_staff_in_service_need_the_hours_of_last_year_or_of_this_one(
        self, personas, newcomer, day
    ):
        make_session([personas.hall], date=dt.date(2024, 6, 1), qualifying=True,
                     attendees=[newcomer])  # fmt: skip
        make_session([personas.hall], date=dt.date(2025, 4, 1), hours="16", attendees=[newcomer])
        make_session([personas.hall], date=dt.date(2025, 5, 1), hours="6", attendees=[newcomer],
                     result=Attendance.Result.ABSENT)  # fmt: skip
        status = services.status_of(newcomer)
        assert status.hours_previous_year == Decimal("16")
        assert status.reasons == ["2025 年培训 16 学时，应修 24 学时"]
        make_session([personas.hall], date=dt.date(2026, 2, 20), hours="24", attendees=[newcomer])
        assert services.is_qualified(newcomer)
        # A session after the day does not count on that day.
        assert not services.is_qualified(newcomer, dt.date(2026, 2, 19))

    def test_the_centre_changes_the_rule_from_a_day_on(self, personas, newcomer, day):
        make_session([personas.hall], date=dt.date(2024, 6, 1), qualifying=True,
                     attendees=[newcomer])  # fmt: skip
        assert not services.is_qualified(newcomer)
        rule = QualificationRule(valid_from=dt.date(2026, 3, 2), exam_valid_years=0,
                                 min_hours=Decimal("0"), note="试行")  # fmt: skip
        services.set_rule(actor=personas.admin, rule=rule)
        assert services.is_qualified(newcomer)
        assert not services.is_qualified(newcomer, dt.date(2026, 3, 1))  # the old day, old rule
        entry = AuditEntry.objects.get(action="training.rule_set")
        assert entry.actor == personas.admin and entry.after["note"] == "试行"

    def test_a_rule_in_the_past_or_twice_on_a_day_is_refused(self, personas, day):
        past = QualificationRule(valid_from=dt.date(2026, 3, 1))
        with pytest.raises(ValidationError):
            services.set_rule(actor=personas.admin, rule=past)
        services.set_rule(
            actor=personas.admin, rule=QualificationRule(valid_from=dt.date(2026, 4, 1))
        )
        with pytest.raises(ValidationError):
            services.set_rule(
                actor=personas.admin, rule=QualificationRule(valid_from=dt.date(2026, 4, 1))
            )
        with pytest.raises(services.TrainingRefused):
            services.set_rule(
                actor=personas.manager, rule=QualificationRule(valid_from=dt.date(2026, 5, 1))
            )
        assert QualificationRule.objects.count() == 1
        assert AuditEntry.objects.filter(action="training.rule_set").count() == 1


class TestFigures:
    def test_hours_by_person_counts_the_year_and_leaves_absences_out(self, personas, newcomer):
        make_session([personas.hall], date=dt.date(2025, 3, 1), hours="8", attendees=[newcomer])
        make_session([personas.hall], date=dt.date(2025, 7, 1), hours="3.5", attendees=[newcomer])
        make_session([personas.hall], date=dt.date(2025, 8, 1), hours="6", attendees=[newcomer],
                     result=Attendance.Result.ABSENT)  # fmt: skip
        make_session([personas.hall], date=dt.date(2024, 8, 1), hours="6", attendees=[newcomer])
        rows = {p.user.username: p for p in services.hours_by_person(personas.hall, 2025)}
        assert rows["newcomer"].hours == Decimal("11.5") and rows["newcomer"].sessions == 2
        # The factory's staff: one 24-hour qualifying course a year.
        assert rows["clerk"].hours == Decimal("24")
        assert "outsider" not in rows and "admin" not in rows

    def test_qualified_share_counts_the_window_clerks_of_the_hall(self, personas, newcomer, day):
        share = services.qualified_share(personas.hall, 2026)
        assert (share.qualified, share.staff) == (1, 2)  # clerk yes, newcomer no
        assert share.rate == 0.5
        qualify(personas.hall, newcomer)
        assert services.qualified_share(personas.hall, 2026).qualified == 2
        empty = services.qualified_share(personas.centre, 2026)
        assert (empty.staff, empty.rate) == (0, None)

    def test_the_unqualified_list_is_per_hall(self, personas, newcomer, day):
        by_hall = dict(services.unqualified_by_hall([personas.hall, personas.other_hall]))
        assert [u.username for u, _s in by_hall[personas.hall]] == ["newcomer"]
        assert by_hall[personas.other_hall] == []


class TestSignInAtAWindow:
    def test_an_unqualified_clerk_cannot_sign_in_and_nothing_changes(self, personas, newcomer, day):
        audit = AuditEntry.objects.count()
        with pytest.raises(NotPermitted) as refused:
            floor.sign_in(actor=newcomer, window=personas.window)
        assert refused.value.code == "not_qualified"
        assert "新人小周" in refused.value.message and "未通过上岗资格考试" in refused.value.message
        assert not WindowSession.objects.exists()
        assert AuditEntry.objects.count() == audit

    def test_once_trained_the_clerk_signs_in(self, personas, newcomer, day):
        qualify(personas.hall, newcomer)
        session = floor.sign_in(actor=newcomer, window=personas.window)
        assert session.clerk == newcomer

    def test_the_factory_staff_are_qualified(self, personas, day):
        assert floor.sign_in(actor=personas.clerk, window=personas.window).clerk == personas.clerk


class TestWindowRole:
    def test_the_window_clerk_role_is_refused_to_the_untrained(self, personas, day):
        person = make_user("trainee", halls=[personas.hall], roles=[Role.HANDLER],
                           department=personas.department, qualified=False)  # fmt: skip
        audit = AuditEntry.objects.count()
        with pytest.raises(StaffRefused) as refused:
            save_staff(actor=personas.manager, user=person, halls=[personas.hall],
                       roles=[Role.HANDLER, Role.WINDOW_CLERK])  # fmt: skip
        assert refused.value.field == "roles"
        assert refused.value.message == "trainee未取得窗口上岗资格：未通过上岗资格考试。"
        assert set(person.groups.values_list("name", flat=True)) == {Role.HANDLER}
        assert AuditEntry.objects.count() == audit
        qualify(personas.hall, person)
        save_staff(actor=personas.manager, user=person, halls=[personas.hall],
                   roles=[Role.HANDLER, Role.WINDOW_CLERK])  # fmt: skip
        assert Role.WINDOW_CLERK in set(person.groups.values_list("name", flat=True))

    def test_a_new_account_cannot_start_as_window_clerk(self, personas, day):
        user = User(username="fresh", full_name="新来的")
        with pytest.raises(StaffRefused):
            save_staff(actor=personas.manager, user=user, halls=[personas.hall],
                       roles=[Role.WINDOW_CLERK])  # fmt: skip
        assert not User.objects.filter(username="fresh").exists()

    def test_other_changes_of_an_unqualified_clerk_go_through(self, personas, newcomer, day):
        newcomer.full_name = "新人周某"
        save_staff(actor=personas.manager, user=newcomer, halls=[personas.hall],
                   roles=[Role.WINDOW_CLERK])  # fmt: skip
        assert User.objects.get(pk=newcomer.pk).full_name == "新人周某"


class TestWrites:
    def test_it_records_a_session_with_attendees_and_audits_it(self, personas, newcomer, day):
        session = TrainingSession(date=dt.date(2026, 2, 27), hours=Decimal("4"),
                                  topic="岗前培训", trainer="王老师", has_exam=True,
                                  qualifying=True, pass_mark=Decimal("60"))  # fmt: skip
        services.save_session(actor=personas.manager, session=session, halls=[personas.hall],
                              attendees=[newcomer, personas.clerk])  # fmt: skip
        rows = {a.user_id: a.result for a in session.attendance.all()}
        assert rows == {newcomer.pk: "absent", personas.clerk.pk: "absent"}
        entry = AuditEntry.objects.get(action="training.session_created")
        assert entry.hall == personas.hall and entry.after["attendees"] == ["clerk", "newcomer"]
        services.record_results(actor=personas.manager, session=session, results={
            newcomer.pk: ("passed", Decimal("88")), personas.clerk.pk: ("absent", None)})  # fmt: skip
        assert services.is_qualified(newcomer)
        entry = AuditEntry.objects.get(action="training.results_recorded")
        assert entry.after["newcomer"][0] == "passed" and entry.before["newcomer"][0] == "absent"

    def test_results_that_do_not_fit_are_refused_and_nothing_changes(self, personas, newcomer, day):
        session = make_session([personas.hall], date=dt.date(2026, 2, 1), qualifying=True,
                               attendees=[newcomer], result="absent")  # fmt: skip
        session.pass_mark = Decimal("60")
        session.save()
        audit = AuditEntry.objects.count()
        for bad in [("passed", Decimal("59")), ("failed", Decimal("75")), ("attended", None),
                    ("absent", Decimal("10")), ("passed", Decimal("101")), ("maybe", None)]:  # fmt: skip
            with pytest.raises(ValidationError):
                services.record_results(actor=personas.manager, session=session,
                                        results={newcomer.pk: bad})  # fmt: skip
        with pytest.raises(ValidationError):
            services.record_results(actor=personas.manager, session=session,
                                    results={personas.outsider.pk: ("passed", None)})  # fmt: skip
        assert Attendance.objects.get(session=session).result == "absent"
        assert AuditEntry.objects.count() == audit

    def test_another_halls_manager_and_strangers_are_refused(self, personas, newcomer, day):
        session = TrainingSession(date=dt.date(2026, 2, 27), hours=Decimal("2"), topic="礼仪",
                                  trainer="李老师")  # fmt: skip
        with pytest.raises(services.TrainingRefused):
            services.save_session(actor=personas.manager, session=session,
                                  halls=[personas.other_hall], attendees=[])  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            services.save_session(actor=personas.manager, session=session, halls=[personas.hall],
                                  attendees=[personas.outsider])  # fmt: skip
        assert "attendees" in refused.value.message_dict
        with pytest.raises(services.TrainingRefused):
            services.save_session(actor=personas.clerk, session=session, halls=[personas.hall],
                                  attendees=[])  # fmt: skip
        future = TrainingSession(
            date=dt.date(2026, 3, 3), hours=Decimal("2"), topic="x", trainer="y"
        )
        with pytest.raises(ValidationError):
            services.save_session(actor=personas.manager, session=future, halls=[personas.hall],
                                  attendees=[])  # fmt: skip
        odd = TrainingSession(date=dt.date(2026, 3, 1), hours=Decimal("2"), topic="x", trainer="y",
                              qualifying=True)  # fmt: skip
        with pytest.raises(ValidationError):
            services.save_session(actor=personas.manager, session=odd, halls=[personas.hall],
                                  attendees=[])  # fmt: skip
        assert not TrainingSession.objects.filter(topic__in=["礼仪", "x"]).exists()
        assert not AuditEntry.objects.filter(action__startswith="training.").exists()

    def test_editing_keeps_the_results_of_those_who_stay(self, personas, newcomer, day):
        session = make_session([personas.hall], date=dt.date(2026, 2, 1), attendees=[newcomer])
        services.save_session(actor=personas.admin, session=session, halls=[personas.hall],
                              attendees=[newcomer, personas.clerk])  # fmt: skip
        results = dict(session.attendance.values_list("user__username", "result"))
        assert results == {"newcomer": "attended", "clerk": "absent"}
        services.save_session(actor=personas.admin, session=session, halls=[personas.hall],
                              attendees=[personas.clerk])  # fmt: skip
        assert list(session.attendance.values_list("user__username", flat=True)) == ["clerk"]
        assert AuditEntry.objects.filter(action="training.session_updated").count() == 2
